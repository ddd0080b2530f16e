package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.invariance.network.Convolution;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.Use;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The dense layers of an indexed ONNX graph, in topological order, each with its weight's conversion to {@code W}
 * (d_out × d_in, science.md 1.2) decided from the attributes and the operand order only:
 * <ul>
 *   <li>{@code Gemm} and {@code MatMul} with exactly one constant 2-D operand: {@code Gemm} with constant B gives
 *       {@code W = alpha·B} (transB = 1) or {@code alpha·Bᵀ} (transB = 0) and bias {@code beta·C}; with constant A
 *       (column-vector activations) {@code W = alpha·A'}; {@code MatMul(X, B)} gives {@code W = Bᵀ} and
 *       {@code MatMul(A, X)} gives {@code W = A}, with the bias taken from a following {@code Add} of a constant;</li>
 *   <li>{@code Conv} and {@code ConvTranspose} with a constant kernel: a {@code Conv} kernel {@code [out, in/g, k…]}
 *       gives {@code out × (in/g·k…)} and a {@code ConvTranspose} kernel {@code [in, out/g, k…]} gives
 *       {@code (out/g·k…) × in};</li>
 *   <li>{@code Einsum} of an activation and a constant 2-D operand when its equation is a matrix product over the
 *       activation's last axis ({@link EinsumProduct}), with the bias of a following {@code Add} as for MatMul;</li>
 *   <li>{@code LSTM}, {@code GRU} and {@code RNN}: each gate's input and recurrent matrix ({@link RecurrentLayers});
 *       ONNX Runtime's fused {@code Attention}: the query, key and value parts of its packed weight
 *       ({@link PackedAttention}).</li>
 * </ul>
 * Every layer gets a name no other has ({@link #uniqueName}). Products that are not read as layers (integer weights,
 * batched products, a bias of the wrong size) are explained in a note; a convolution whose attributes contradict
 * its kernel is refused.
 */
final class DenseLayerFinding {
    private final String file;
    private final GraphIndex graph;
    private final ConstantFolding constants;
    private final List<String> notes;
    private final QuantizedLayerFinding quantized;
    /** The layers found, in topological order. */
    final List<LayerPlan> layers = new ArrayList<>();

    /**
     * Finds the layers of {@code graph}.
     *
     * @param file      the model file's name for messages
     * @param constants the graph's constants
     * @param notes     receives a note for every product not read as a layer
     * @throws InvalidModelException for an invalid convolution
     */
    DenseLayerFinding(String file, GraphIndex graph, ConstantFolding constants, List<String> notes) {
        this.file = file;
        this.graph = graph;
        this.constants = constants;
        this.notes = notes;
        this.quantized = new QuantizedLayerFinding(file, graph, constants, notes);
        find();
    }

    private void find() {
        Set<String> names = new HashSet<>();
        RecurrentLayers recurrent = new RecurrentLayers(file, constants, notes);
        PackedAttention attention = new PackedAttention(file, constants, notes);
        for (Node n : graph.order) {
            for (LayerPlan p : plans(n, recurrent, attention)) {
                add(p, n, names);
            }
        }
    }

    /** The layers node {@code n} applies: none, one, or the parts of a packed weight. */
    private List<LayerPlan> plans(Node n, RecurrentLayers recurrent, PackedAttention attention) {
        if (RecurrentLayers.isRecurrent(n)) {
            return recurrent.of(n);
        }
        if (PackedAttention.isFusedAttention(n)) {
            return attention.of(n);
        }
        if (!n.isStandard() && !QuantizedLayerFinding.isQuantized(n)) {
            return List.of();
        }
        LayerPlan p = switch (n.op()) {
            case "Gemm" -> gemm(n);
            case "MatMul" -> matMul(n);
            case "Einsum" -> einsum(n);
            case "Conv", "ConvTranspose" -> conv(n);
            default -> QuantizedLayerFinding.isQuantized(n) ? quantized(n) : null;
        };
        return p == null ? List.of() : List.of(p);
    }

    /**
     * Adds {@code p} under a unique name, unless its weights are integers (a note). A layer larger than the heap is
     * not refused here: the top-k spectrum reads it from the file, and what copies it ({@link LayerPlan#load}, the
     * analysis's memory plan) refuses it there.
     */
    private void add(LayerPlan p, Node n, Set<String> names) {
        if (!p.weight.precisionKnown()) {
            notes.add("node '" + n.name + "' (" + n.op() + ") multiplies by integer weights '" + p.weight.rootName
                    + "'; not read as a dense layer");
            return;
        }
        String name = uniqueName(p.name, n, names);
        layers.add(name.equals(p.name) ? p : p.renamed(name));
    }

    /**
     * A name no earlier layer has, recorded in {@code taken}: the weight's name for its first occurrence, then
     * {@code weight@node}, then {@code weight@path/node} with the node's body path (a weight shared by nodes of the
     * same name in different control-flow bodies), then that with {@code #2}, {@code #3}… (nodes named alike in one
     * graph).
     */
    private static String uniqueName(String weight, Node n, Set<String> taken) {
        String path = n.scope.path.isEmpty() ? n.name : n.scope.path + "/" + n.name;
        for (String candidate : List.of(weight, weight + "@" + n.name, weight + "@" + path)) {
            if (taken.add(candidate)) {
                return candidate;
            }
        }
        for (int k = 2; ; k++) {
            String candidate = weight + "@" + path + "#" + k;
            if (taken.add(candidate)) {
                return candidate;
            }
        }
    }

    /**
     * The operands of a two-input product of which exactly one is constant (science.md 1.2, rule 1): the weight, the
     * activation, and whether the weight is the first operand. Null when both or neither are constant.
     */
    private record Operands(ConstantTensor weight, ValueId activation, boolean weightFirst) {
    }

    private @Nullable Operands operands(Node n) {
        ValueId a = n.input(0);
        ValueId b = n.input(1);
        Optional<ConstantTensor> ca = constants.constant(a);
        Optional<ConstantTensor> cb = constants.constant(b);
        if (a == null || b == null || ca.isPresent() == cb.isPresent() || n.outputs.isEmpty()) {
            return null;
        }
        return ca.isPresent() ? new Operands(ca.get(), b, true) : new Operands(cb.orElseThrow(), a, false);
    }

    private @Nullable LayerPlan gemm(Node n) {
        Operands ops = operands(n);
        if (ops == null) {
            return null;
        }
        double alpha = n.floatAttribute("alpha", 1f);
        double beta = n.floatAttribute("beta", 1f);
        boolean weightFirst = ops.weightFirst();
        ConstantTensor w = ops.weight();
        if (w.shape.length != 2) {
            notes.add("node '" + n.name + "' (Gemm) has a rank-" + w.shape.length + " weight; not read as a dense layer");
            return null;
        }
        // Y = alpha·A'·B' + beta·C. Activations in rows (B constant): W = alpha·B'ᵀ, so transpose the stored B unless
        // transB = 1. Activations in columns (A constant): W = alpha·A', so transpose the stored A when transA = 1.
        boolean transpose = weightFirst ? n.intAttribute("transA", 0) != 0 : n.intAttribute("transB", 0) == 0;
        int rows = checkedDim(w, 0);
        int cols = checkedDim(w, 1);
        int out = transpose ? cols : rows;
        ConstantTensor bias = null;
        ValueId c = n.input(2);
        if (c != null) {
            ConstantTensor cc = constants.constant(c).orElse(null);
            if (cc != null && cc.precisionKnown() && (cc.count() == out || cc.count() == 1)) {
                bias = cc;
            } else {
                notes.add("node '" + n.name + "' (Gemm): C is not a constant vector of " + out
                        + " entries; the layer is read without bias");
            }
        }
        return new LayerPlan(w.rootName, "Gemm", n, w, rows, cols, transpose, alpha, bias, beta, null,
                ops.activation(), n.outputs.get(0));
    }

    private @Nullable LayerPlan matMul(Node n) {
        Operands ops = operands(n);
        if (ops == null) {
            return null;
        }
        ValueId product = n.outputs.get(0);
        QuantizedLayerFinding.Scaled scaled = ops.weightFirst() ? null : quantized.castScale(ops.weight(), product);
        if (scaled != null) { // weight-only quantisation: the scale after the product belongs to W
            ops = new Operands(scaled.weight(), ops.activation(), false);
            product = scaled.output();
        }
        return matMul(n, ops, product, null);
    }

    /**
     * A product by the constant {@code ops.weight()} whose result is {@code product}: a layer when the weight is 2-D,
     * with {@code bias}, or when that is null the constant of an {@code Add} that alone reads the product.
     */
    private @Nullable LayerPlan matMul(Node n, Operands ops, ValueId product, @Nullable ConstantTensor bias) {
        boolean weightFirst = ops.weightFirst();
        ConstantTensor w = ops.weight();
        if (w.shape.length != 2) {
            if (w.shape.length > 2) {
                notes.add("node '" + n.name + "' (" + n.op() + ") multiplies by the rank-" + w.shape.length
                        + " constant '" + w.rootName + "' " + Arrays.toString(w.shape)
                        + " (a batched product); not read as a dense layer");
            }
            return null;
        }
        int rows = checkedDim(w, 0);
        int cols = checkedDim(w, 1);
        boolean transpose = !weightFirst; // X·B gives W = Bᵀ; A·X gives W = A
        int out = transpose ? cols : rows;
        BiasAdd biased = bias != null ? new BiasAdd(bias, product) : biasAdd(product, out, weightFirst);
        return new LayerPlan(w.rootName, n.op(), n, w, rows, cols, transpose, 1.0, biased.bias(), 1.0, null,
                ops.activation(), biased.output());
    }

    /**
     * The product's output with its bias: the {@code Add} of a constant that alone reads the product's output and has
     * one entry per output unit (along the last axis when the activations are in rows), or the product's own output
     * without bias.
     */
    private record BiasAdd(@Nullable ConstantTensor bias, ValueId output) {
    }

    private BiasAdd biasAdd(ValueId output, int out, boolean weightFirst) {
        List<Use> uses = graph.usesOf(output);
        if (uses.size() == 1 && uses.get(0).node().op().equals("Add") && uses.get(0).node().isStandard()
                && !uses.get(0).node().outputs.isEmpty()) {
            Node add = uses.get(0).node();
            ValueId other = add.input(1 - uses.get(0).input());
            ConstantTensor cc = other == null ? null : constants.constant(other).orElse(null);
            if (cc != null && cc.precisionKnown() && cc.count() == out
                    && (weightFirst || cc.shape.length == 0 || cc.shape[cc.shape.length - 1] == out)) {
                return new BiasAdd(cc, add.outputs.get(0));
            }
        }
        return new BiasAdd(null, output);
    }

    /**
     * An {@code Einsum} of an activation and a constant 2-D operand whose equation is a matrix product over the
     * activation's last axis ({@link EinsumProduct}): {@code W} is the constant or its transpose, with the bias of a
     * following {@code Add}. Any other {@code Einsum} with a constant is left to {@link UnreadWeights}.
     */
    private @Nullable LayerPlan einsum(Node n) {
        Operands ops = operands(n);
        AttributeProto equation = n.attribute("equation");
        if (ops == null || n.inputs.size() != 2 || equation == null || ops.weight().shape.length != 2) {
            return null;
        }
        EinsumProduct product = EinsumProduct.of(equation.getS().toStringUtf8(), ops.weightFirst() ? 0 : 1);
        if (product == null) {
            return null;
        }
        ConstantTensor w = ops.weight();
        int rows = checkedDim(w, 0);
        int cols = checkedDim(w, 1);
        int out = product.transpose() ? cols : rows;
        BiasAdd biased = biasAdd(n.outputs.get(0), out, false);
        return new LayerPlan(w.rootName, "Einsum", n, w, rows, cols, product.transpose(), 1.0, biased.bias(), 1.0,
                null, ops.activation(), biased.output());
    }

    /**
     * A quantised node read as the float product it computes ({@link QuantizedLayerFinding}): a convolution or a
     * {@code MatMul} by the dequantised weight.
     */
    private @Nullable LayerPlan quantized(Node n) {
        QuantizedLayerFinding.Product q = quantized.product(n);
        if (q == null) {
            return null;
        }
        if (QuantizedLayerFinding.isConvolution(n)) {
            return conv(n, q.activation(), q.weight(), q.bias() != null, q.bias(), q.output());
        }
        return matMul(n, new Operands(q.weight(), q.activation(), false), q.output(), q.bias());
    }

    private @Nullable LayerPlan conv(Node n) {
        ValueId b = n.input(2);
        return n.outputs.isEmpty() ? null : conv(n, n.input(0), constants.constant(n.input(1)).orElse(null), b != null,
                b == null ? null : constants.constant(b).orElse(null), n.outputs.get(0));
    }

    /**
     * A convolution of {@code x} by the constant kernel {@code w} whose result is {@code output}, with its bias: none
     * ({@code hasBias} false), {@code bias}, or, when that is null or has no entry per output channel, none with a
     * note.
     */
    private @Nullable LayerPlan conv(Node n, @Nullable ValueId x, @Nullable ConstantTensor w, boolean hasBias,
                                     @Nullable ConstantTensor bias, ValueId output) {
        if (x == null || w == null || w.shape.length < 3 || constants.constant(x).isPresent()) {
            return null;
        }
        boolean transposed = n.op().equals("ConvTranspose");
        long groups = n.intAttribute("group", 1);
        if (groups < 1 || groups > Integer.MAX_VALUE) {
            throw invalid(n.op() + " '" + n.name + "' has group " + groups);
        }
        if (w.count() == 0) {
            throw invalid(n.op() + " '" + n.name + "' has a kernel with no elements ('" + w.rootName + "' of shape "
                    + Arrays.toString(w.shape) + ")");
        }
        // the groups split the kernel's first axis: a Conv's output channels, a ConvTranspose's input channels
        if (w.shape[0] % groups != 0) {
            throw invalid(n.op() + " '" + n.name + "' has group " + groups + ", which does not divide the "
                    + w.shape[0] + (transposed ? " input" : " output") + " channels of its kernel '" + w.rootName
                    + "' " + Arrays.toString(w.shape));
        }
        AttributeProto declared = n.attribute("kernel_shape");
        if (declared != null && !declared.getIntsList().equals(Arrays.stream(w.shape, 2, w.shape.length).boxed().toList())) {
            throw invalid(n.op() + " '" + n.name + "' declares kernel_shape " + declared.getIntsList() + " but its kernel '"
                    + w.rootName + "' has shape " + Arrays.toString(w.shape));
        }
        List<Integer> kernel = new ArrayList<>();
        long patch = w.shape[1];
        for (int i = 2; i < w.shape.length; i++) {
            kernel.add((int) w.shape[i]); // each at most the element count, which is below 2^31
            patch = Math.multiplyExact(patch, w.shape[i]); // at most the element count: never wraps
        }
        if (w.shape[0] > Integer.MAX_VALUE || patch > Integer.MAX_VALUE) {
            throw invalid("tensor '" + w.rootName + "' declares shape " + Arrays.toString(w.shape)
                    + ", too large to allocate as a matrix");
        }
        int rows = (int) w.shape[0];
        int cols = (int) patch;
        // Conv: [out, in/g, k...] -> out x (in/g·k...). ConvTranspose: [in, out/g, k...] -> (out/g·k...) x in.
        int out = transposed ? cols : rows;
        if (hasBias && (bias == null || !bias.precisionKnown() || bias.count() != out)) {
            notes.add("node '" + n.name + "' (" + n.op() + "): its bias has no entry per row of the kernel matrix;"
                    + " the layer is read without bias");
            bias = null;
        }
        return new LayerPlan(w.rootName, n.op(), n, w, rows, cols, transposed, 1.0, bias, 1.0,
                new Convolution((int) groups, kernel, transposed), x, output);
    }

    private int checkedDim(ConstantTensor w, int axis) {
        long d = w.shape[axis];
        if (d > Integer.MAX_VALUE) {
            throw invalid("tensor '" + w.rootName + "' declares shape " + Arrays.toString(w.shape)
                    + ", too large to allocate as a matrix");
        }
        return (int) d;
    }

    private InvalidModelException invalid(String what) {
        return new InvalidModelException(file + ": " + what);
    }
}
