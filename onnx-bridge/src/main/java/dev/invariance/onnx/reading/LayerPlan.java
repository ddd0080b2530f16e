package dev.invariance.onnx.reading;

import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.Convolution;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOrigin;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.WeightMatrix;
import dev.invariance.network.WeightPanels;
import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * How to read one dense layer: the constant holding its weight, how the stored matrix becomes {@code W}
 * (d_out × d_in, science.md 1.2: a transpose decided from the operator's attributes and operand order, and Gemm's
 * {@code alpha}), and its bias ({@code beta·C} for Gemm, the constant of the {@code Add} after a MatMul, a
 * convolution's bias), and where it comes from ({@link LayerOrigin}: the node's name and its {@link ModulePath}). A
 * quantised weight is its dequantised constant ({@link ConstantTensor.Dequantize},
 * {@link MatMulNBitsWeight}), recorded in the layer's origin ({@link WeightQuantization}). A matrix that is one part
 * of a node's packed weight (a recurrent gate, a fused attention's query, key or value) names the part
 * ({@link #gate}) and says how it meets the graph's data flow ({@link #wiring}). An inference-mode
 * {@code BatchNormalization} is folded in when asked ({@link BatchNormFold}).
 */
final class LayerPlan {
    /** How a layer's matrix meets the data flow of the graph: which values its paths enter and leave by. */
    enum Wiring {
        /**
         * Reads {@code input}; {@code output} holds {@code h = W x + b}, followed by its activation; paths go on from
         * it.
         */
        THROUGH,
        /**
         * Reads {@code input}, but its product stays inside the node (a recurrent gate's input matrix, a fused
         * attention's query or key): no path leaves it.
         */
        ABSORBED,
        /**
         * Reads {@code input}; the node's {@code output} carries its units on, mixed over positions only (a fused
         * attention's value part): paths go on from it, but it is not {@code h} itself, so no activation is looked for.
         */
        CARRIED,
        /**
         * Reads no value of the graph (a recurrent matrix, applied to the node's own hidden state): no path reaches
         * or leaves it.
         */
        INTERNAL;

        /** Whether a path reaching the layer's {@code input} ends at the layer with an edge. */
        boolean readsInput() {
            return this != INTERNAL;
        }

        /** Whether paths go on from the layer's {@code output}. */
        boolean leavesNode() {
            return this == THROUGH || this == CARRIED;
        }
    }

    final String name;
    final String op;
    final GraphIndex.Node node;
    final ConstantTensor weight;
    final int storedRows;
    final int storedColumns;
    final boolean transpose;
    final double scale;
    final @Nullable ConstantTensor bias;
    final double biasScale;
    final @Nullable Convolution convolution;
    final GraphIndex.ValueId input;
    /** Where the layer's output is: the node's, its bias {@code Add}'s, or a folded normalisation's. */
    GraphIndex.ValueId output;
    final String subgraph;
    /** The part of a packed weight this matrix is ({@code i}, {@code z_reverse}, {@code q}…), or null. */
    final @Nullable String gate;
    final Wiring wiring;
    Activation activation = Activation.LINEAR;
    @Nullable String reluOutput;
    /** The normalisation folded into W and the bias, or null. */
    @Nullable BatchNormFold batchNorm;
    /** The node's name and module path; the readers of packed, quantised or folded weights add what they know. */
    LayerOrigin origin;

    LayerPlan(String name, String op, GraphIndex.Node node, ConstantTensor weight, int storedRows, int storedColumns,
              boolean transpose, double scale, @Nullable ConstantTensor bias, double biasScale,
              @Nullable Convolution convolution, GraphIndex.ValueId input, GraphIndex.ValueId output) {
        this(name, op, node, weight, storedRows, storedColumns, transpose, scale, bias, biasScale, convolution, input,
                output, null, Wiring.THROUGH);
    }

    /**
     * A plan for one part of a node's packed weight: {@code gate} names the part, {@code wiring} says how it meets the
     * data flow ({@code output} is the node's output, which no path leaves by for {@link Wiring#ABSORBED} and
     * {@link Wiring#INTERNAL} parts).
     */
    LayerPlan(String name, String op, GraphIndex.Node node, ConstantTensor weight, int storedRows, int storedColumns,
              boolean transpose, double scale, @Nullable ConstantTensor bias, double biasScale,
              @Nullable Convolution convolution, GraphIndex.ValueId input, GraphIndex.ValueId output,
              @Nullable String gate, Wiring wiring) {
        this.name = name;
        this.op = op;
        this.node = node;
        this.weight = weight;
        this.storedRows = storedRows;
        this.storedColumns = storedColumns;
        this.transpose = transpose;
        this.scale = scale;
        this.bias = bias;
        this.biasScale = biasScale;
        this.convolution = convolution;
        this.input = input;
        this.output = output;
        this.subgraph = node.scope.path;
        this.gate = gate;
        this.wiring = wiring;
        this.origin = new LayerOrigin(node.name, ModulePath.of(node.name), gate, WeightQuantization.of(weight),
                List.of());
    }

    /** The same plan under another name (for weights shared by several nodes). */
    LayerPlan renamed(String newName) {
        LayerPlan p = new LayerPlan(newName, op, node, weight, storedRows, storedColumns, transpose, scale, bias,
                biasScale, convolution, input, output, gate, wiring);
        p.activation = activation;
        p.reluOutput = reluOutput;
        p.batchNorm = batchNorm;
        p.origin = origin;
        return p;
    }

    int outputWidth() {
        return transpose ? storedColumns : storedRows;
    }

    int inputWidth() {
        return transpose ? storedRows : storedColumns;
    }

    ElementType elementType() {
        return weight.precision == null ? ElementType.FLOAT32 : weight.precision;
    }

    LayerOutline outline() {
        return new LayerOutline(name, op, outputWidth(), inputWidth(), elementType(), activation,
                bias != null || batchNorm != null, convolution, subgraph, origin);
    }

    /**
     * Reads the weight (and bias) now.
     *
     * @throws InvalidModelException if a value is NaN or infinite (naming the tensor) or the data cannot be read
     */
    DenseLayer load(String file) {
        long bytes = (long) outputWidth() * inputWidth() * Double.BYTES * 2;
        if (bytes > Runtime.getRuntime().maxMemory()) {
            throw new InvalidModelException(file + ": tensor '" + weight.rootName + "' declares " + outputWidth() + " x "
                    + inputWidth() + " weights, too large to allocate in this JVM's heap ("
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MB)");
        }
        double[] rowScales = batchNorm == null ? null : batchNorm.rowScales(file);
        WeightMatrix matrix = directFloats()
                ? WeightMatrix.fillRowMajor(outputWidth(), inputWidth(), out -> {
                    if (!((ConstantTensor.Stored) weight).payload.readFloats(out, transpose)) {
                        checkFinite(file, weight.rootName, out);
                    }
                })
                : viaDoubles(file, rowScales);
        double[] full = null;
        if (bias != null) {
            double[] bv = bias.values();
            full = new double[outputWidth()];
            for (int i = 0; i < full.length; i++) {
                full[i] = biasScale * bv[bv.length == 1 ? 0 : i];
            }
            checkFinite(file, bias.rootName, full);
        }
        if (batchNorm != null && rowScales != null) {
            full = batchNorm.foldedBias(file, full, rowScales);
        }
        return new DenseLayer(name, op, matrix, full == null ? null : BiasVector.of(full), activation, elementType(),
                convolution, subgraph, origin);
    }

    /**
     * Whether W can be read a panel at a time straight from the stored bytes ({@link #panels}): no normalisation folded
     * in, and the weight a float32, float16 or bfloat16 tensor, or an int8/uint8 one dequantised per tensor, per row
     * (or, for a 2-D weight, per column) or in blocks of a 2-D weight ({@link ConstantTensor.Dequantize}), stored in
     * {@code raw_data} or external data, whose values laid out row-major are the stored matrix. Anything else (constant
     * chains, typed fields, float64, packed weights' parts) is loaded whole.
     */
    boolean hasPanels() {
        return panelPayload() != null;
    }

    /**
     * W as panels of its stored matrix (W = scale·S, or scale·Sᵀ when transposed), for a plan with {@link #hasPanels}.
     *
     * @throws InvalidModelException when the external data cannot be mapped
     */
    WeightPanels panels(String file) {
        TensorPayload payload = panelPayload();
        if (payload == null) {
            throw new IllegalStateException("layer '" + name + "' is not stored as panels");
        }
        StoredPanels.Dequantization dequantization = null;
        if (weight instanceof ConstantTensor.Dequantize d) {
            ConstantTensor zero = d.zeroPoint;
            dequantization = new StoredPanels.Dequantization(d.scale.values(),
                    zero == null ? new double[1] : zero.values(), d.axis, d.blockSize,
                    TensorPayload.isSignedInteger(payload.dataType()));
        }
        return StoredPanels.of(file, payload, storedRows, storedColumns, transpose, scale, elementType(),
                dequantization);
    }

    /** Most scale or zero-point values a dequantisation read from panels keeps (8 MiB of doubles). */
    private static final long MAX_QUANTISATION_PARAMETERS = 1L << 20;

    /** The stored payload {@link #panels} reads, or null when W must be loaded whole. */
    private @Nullable TensorPayload panelPayload() {
        if (batchNorm != null || storedRows <= 0 || storedColumns <= 0) {
            return null;
        }
        TensorPayload payload;
        if (weight instanceof ConstantTensor.Stored s && s.payload.storesFloats()) {
            payload = s.payload;
        } else if (weight instanceof ConstantTensor.Dequantize d && d.x instanceof ConstantTensor.Stored s
                && (s.payload.dataType() == TensorPayload.INT8 || s.payload.dataType() == TensorPayload.UINT8)
                && panelDequantisation(d)) {
            payload = s.payload;
        } else {
            return null;
        }
        if (payload.count() != (long) storedRows * storedColumns
                || !(payload.isExternal() || payload.proto().hasRawData())) {
            return null;
        }
        return payload;
    }

    /**
     * Whether {@link StoredPanels.Dequantization} indexes {@code d}'s parameters: few of them, and per tensor, per
     * axis 0 (a row of the stored matrix), per axis 1 or in blocks of a 2-D weight.
     */
    private static boolean panelDequantisation(ConstantTensor.Dequantize d) {
        ConstantTensor zero = d.zeroPoint;
        if (d.scale.count() > MAX_QUANTISATION_PARAMETERS || (zero != null && zero.count() > MAX_QUANTISATION_PARAMETERS)
                || d.axis < 0) {
            return false;
        }
        if (!d.perAxis()) {
            return true;
        }
        if (d.x.shape.length == 2) {
            return d.axis <= 1;
        }
        return d.blockSize == 0 && d.axis == 0;
    }

    /**
     * Whether W is the stored tensor's values themselves, each exactly a float, in stored or transposed order: a
     * stored float32, float16 or bfloat16 tensor (initializer or {@code Constant}) with no scaling, not a
     * ConvTranspose kernel, nothing folded in. Then {@link TensorPayload#readFloats} decodes it straight into W's float storage, with
     * the same values, layout and finiteness check as {@link #viaDoubles} (which handles every other case).
     */
    private boolean directFloats() {
        return scale == 1.0 && batchNorm == null && weight instanceof ConstantTensor.Stored s && s.payload.storesFloats()
                && (!transpose || weight.shape.length == 2);
    }

    /**
     * W decoded through doubles: constant chains, float64, Gemm's alpha ≠ 1, ConvTranspose kernels, a folded
     * normalisation's row scales (null: none).
     */
    private WeightMatrix viaDoubles(String file, double @Nullable [] rowScales) {
        double[] w;
        if (!transpose) {
            w = weight.values();
        } else if (weight.shape.length == 2) {
            w = weight.transposedValues();
        } else { // a ConvTranspose kernel [in, out/g, k...] viewed as in x (out/g·k...)
            w = RowMajor.transpose2d(weight.values(), storedRows, storedColumns);
        }
        if (scale != 1.0) {
            for (int i = 0; i < w.length; i++) {
                w[i] *= scale;
            }
        }
        if (rowScales != null) {
            int columns = inputWidth();
            for (int i = 0; i < w.length; i++) {
                w[i] *= rowScales[i / columns];
            }
        }
        checkFinite(file, weight.rootName, w);
        return matrix(outputWidth(), inputWidth(), w);
    }

    /**
     * W with single-precision storage when every entry is exactly a float (float32 and narrower weights without a
     * scaling that leaves the float grid): half the memory of doubles, the same values.
     */
    private static WeightMatrix matrix(int rows, int columns, double[] w) {
        float[] f = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            f[i] = (float) w[i];
            if (f[i] != w[i]) {
                return WeightMatrix.fromRowMajor(rows, columns, w);
            }
        }
        return WeightMatrix.fromRowMajor(rows, columns, f);
    }

    /** The first entry of W that is NaN or infinite, named as {@link #checkFinite(String, String, double[])} does. */
    private static void checkFinite(String file, String tensor, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw nonFinite(file, tensor, values[i], i);
            }
        }
    }

    private static void checkFinite(String file, String tensor, double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw nonFinite(file, tensor, values[i], i);
            }
        }
    }

    private static InvalidModelException nonFinite(String file, String tensor, double value, int element) {
        return new InvalidModelException(file + ": tensor '" + tensor + "' holds "
                + (Double.isNaN(value) ? "NaN" : "an infinite value") + " (element " + element + ")");
    }
}
