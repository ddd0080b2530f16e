package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.invariance.network.Convolution;
import dev.invariance.network.GraphNode;
import dev.invariance.network.UnitMapping;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * How the producer's units lie along a value as a data-flow path passes each node ({@link UnitMapping}): unchanged
 * through elementwise operations and reshapes; moved to an offset by a {@code Concat} along the unit axis and cut to a
 * window by a {@code Split} or {@code Slice} of it; spread over positions when a consumer reads k·d_out values (units
 * fastest after a {@code MatMul} applied at positions, units slowest after a {@code Conv} or into a {@code Conv}'s
 * patch columns); not unit-wise through anything that mixes units (a computed {@code MatMul}, {@code Softmax}, a
 * reduction, {@code LayerNormalization}, a {@code Transpose} that moves axes, a product of two computed values). Once
 * not unit-wise, a path stays so.
 */
final class UnitMappingRules {
    /** Nodes after which no output value belongs to one input unit. */
    static final Set<String> MIXING = Set.of("MatMul", "Gemm", "Einsum", "Softmax", "LogSoftmax", "Hardmax",
            "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
            "ReduceLogSumExp", "ReduceSumSquare", "LayerNormalization", "InstanceNormalization", "GroupNormalization",
            "LpNormalization", "MeanVarianceNormalization", "Gather", "GatherElements", "GatherND", "CumSum", "TopK",
            "Resize", "Upsample", "GlobalAveragePool", "GlobalMaxPool", "AveragePool", "MaxPool", "LpPool",
            "Conv", "ConvTranspose", "SpaceToDepth", "DepthToSpace", "Scan", "Loop", "If", "LSTM", "GRU", "RNN",
            "Attention", "MultiHeadAttention", "SkipLayerNormalization", "EmbedLayerNormalization", "Tile", "Expand",
            "Pad", "Compress", "ScatterND", "ScatterElements", "Where", "NonMaxSuppression", "RoiAlign");
    /** Elementwise operations with two data inputs: a product of two computed values is not unit-wise. */
    private static final Set<String> PRODUCTS = Set.of("Mul", "Div", "Pow");
    /** The most values a constant split size or slice bound operand may have to be read. */
    private static final int MAX_SHAPE_VALUES = 64;

    private final ConstantFolding constants;
    private final ValueShapes shapes;

    /** The rules for a graph whose constants are {@code constants} and whose shapes are {@code shapes}. */
    UnitMappingRules(ConstantFolding constants, ValueShapes shapes) {
        this.constants = constants;
        this.shapes = shapes;
    }

    /**
     * The mapping at a dense consumer reached with mapping {@code m}: a width mismatch is the producer's units spread
     * over positions.
     *
     * @param flattened whether a channel-first output has been flattened on the way
     */
    static UnitMapping atConsumer(PathOrigin from, UnitMapping m, boolean flattened, LayerPlan consumer) {
        int producerWidth = from.width();
        int din = consumer.inputWidth();
        if (!(m instanceof UnitMapping.Identity) || from.node() instanceof GraphNode.Input || producerWidth == din) {
            return m;
        }
        if (producerWidth <= 0 || din % producerWidth != 0) {
            return new UnitMapping.NotUnitWise(producerWidth + " units reach " + din + " columns through a reshape that"
                    + " mixes them");
        }
        int k = din / producerWidth;
        Convolution conv = consumer.convolution;
        if (conv != null && !conv.transposed()) {
            return conv.groups() == 1 ? new UnitMapping.Blocked(k)
                    : new UnitMapping.NotUnitWise("a grouped convolution reads each channel in one group only");
        }
        return from.channelFirst() || flattened ? new UnitMapping.Blocked(k) : new UnitMapping.Tiled(k);
    }

    /** The mapping after node {@code n} read {@code value} (mapped by {@code m}) on input {@code input}. */
    UnitMapping through(Node n, int input, ValueId value, UnitMapping m, PathOrigin from) {
        if (!m.isUnitWise()) {
            return m;
        }
        String op = n.op();
        if (op.equals("Concat")) {
            if (!isUnitAxis(n.intAttribute("axis", 1), value, from.channelFirst())) {
                return m;
            }
            int offset = 0;
            for (int i = 0; i < input; i++) {
                int w = shapes.width(n.input(i));
                if (w < 0) {
                    return new UnitMapping.NotUnitWise("Concat with an input of unknown width");
                }
                offset += w;
            }
            return shifted(m, offset, from, value);
        }
        if (op.equals("Slice")) {
            return sliced(n, value, m, from);
        }
        if (op.equals("Transpose")) {
            AttributeProto perm = n.attribute("perm");
            if (perm != null) {
                for (int i = 0; i < perm.getIntsCount(); i++) {
                    if (perm.getInts(i) != i) {
                        return new UnitMapping.NotUnitWise("a Transpose moves the unit axis");
                    }
                }
                return m;
            }
            return new UnitMapping.NotUnitWise("a Transpose moves the unit axis");
        }
        if (MIXING.contains(op) || !n.isStandard()) {
            return new UnitMapping.NotUnitWise("through " + op);
        }
        if (PRODUCTS.contains(op) && n.inputs.size() == 2 && constants.isComputed(n.input(0))
                && constants.isComputed(n.input(1))) {
            return new UnitMapping.NotUnitWise("a product of two computed values (" + op + ")");
        }
        return m;
    }

    /**
     * Output {@code k} of a {@code Split} of {@code value} (mapped by {@code m}): a window of the unit axis, or
     * everything when another axis is split.
     */
    UnitMapping split(Node n, int k, ValueId value, UnitMapping m, PathOrigin from) {
        if (!m.isUnitWise() || !isUnitAxis(n.intAttribute("axis", 0), value, from.channelFirst())) {
            return m;
        }
        long[] sizes = null;
        ValueId splitInput = n.input(1);
        if (splitInput != null) {
            sizes = integers(splitInput);
        } else if (n.attribute("split") != null) {
            AttributeProto a = n.attribute("split");
            sizes = new long[a.getIntsCount()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = a.getInts(i);
            }
        } else {
            int w = shapes.width(value);
            int parts = n.outputs.size();
            if (w >= 0 && parts > 0 && w % parts == 0) {
                sizes = new long[parts];
                Arrays.fill(sizes, w / parts);
            }
        }
        if (sizes == null || k >= sizes.length) {
            return new UnitMapping.NotUnitWise("a Split whose sizes are not constant");
        }
        long start = 0;
        for (int i = 0; i < k; i++) {
            start += sizes[i];
        }
        return window(m, start, sizes[k], from, value);
    }

    /** A {@code Slice} with constant starts and ends and step 1 along the unit axis: a window; other axes: unchanged. */
    private UnitMapping sliced(Node n, ValueId value, UnitMapping m, PathOrigin from) {
        long[] starts = n.input(1) == null ? null : integers(n.input(1));
        long[] ends = n.input(2) == null ? null : integers(n.input(2));
        long[] axes = n.input(3) == null ? null : integers(n.input(3));
        long[] steps = n.input(4) == null ? null : integers(n.input(4));
        if (starts == null || ends == null || starts.length != ends.length
                || (n.input(3) != null && (axes == null || axes.length != starts.length))
                || (n.input(4) != null && (steps == null || steps.length != starts.length))) {
            return new UnitMapping.NotUnitWise("a Slice whose bounds are not constant");
        }
        for (int i = 0; i < starts.length; i++) {
            long axis = axes == null ? i : axes[i];
            if (!isUnitAxis(axis, value, from.channelFirst())) {
                continue;
            }
            if (steps != null && steps[i] != 1) {
                return new UnitMapping.NotUnitWise("a Slice with step " + steps[i] + " along the units");
            }
            int w = shapes.width(value);
            if (w < 0) {
                return new UnitMapping.NotUnitWise("a Slice of a value of unknown width");
            }
            long b = clamp(starts[i], w);
            long e = clamp(ends[i], w);
            return window(m, b, Math.max(0, e - b), from, value);
        }
        return m;
    }

    private static long clamp(long index, int width) {
        long i = index < 0 ? index + width : index;
        return Math.max(0, Math.min(width, i));
    }

    /** Units now at columns {@code offset …}: a {@code Concat} placed the value after narrower ones. */
    private UnitMapping shifted(UnitMapping m, int offset, PathOrigin from, ValueId value) {
        if (m instanceof UnitMapping.Identity) {
            int w = producerWidth(from, value);
            return w < 0 ? new UnitMapping.NotUnitWise("Concat of an input of unknown width")
                    : new UnitMapping.Window(0, offset, w);
        }
        if (m instanceof UnitMapping.Window w) {
            return new UnitMapping.Window(w.producerStart(), w.consumerStart() + offset, w.length());
        }
        return new UnitMapping.NotUnitWise("a Concat after a flatten");
    }

    /** Only columns {@code start … start + length − 1} of the value pass, renumbered from 0. */
    private UnitMapping window(UnitMapping m, long start, long length, PathOrigin from, ValueId value) {
        if (start < 0 || length < 0 || start + length > Integer.MAX_VALUE) {
            return new UnitMapping.NotUnitWise("a window outside the units");
        }
        int w;
        int ps;
        int cs;
        if (m instanceof UnitMapping.Identity) {
            w = producerWidth(from, value);
            if (w < 0) {
                return new UnitMapping.NotUnitWise("a window of a value of unknown width");
            }
            ps = 0;
            cs = 0;
        } else if (m instanceof UnitMapping.Window win) {
            ps = win.producerStart();
            cs = win.consumerStart();
            w = win.length();
        } else {
            return new UnitMapping.NotUnitWise("a window after a flatten");
        }
        long lo = Math.max(cs, start);
        long hi = Math.min((long) cs + w, start + length);
        if (hi <= lo) {
            return new UnitMapping.Window(0, 0, 0);
        }
        return new UnitMapping.Window((int) (ps + lo - cs), (int) (lo - start), (int) (hi - lo));
    }

    /** The producer's units still unmoved along {@code value}: a layer's width, or a graph input's read off the value. */
    private int producerWidth(PathOrigin from, ValueId value) {
        return from.node() instanceof GraphNode.Layer ? from.width() : shapes.width(value);
    }

    /**
     * Whether {@code axis} of a value is the axis that holds the producer's units: the last axis for a dense layer's
     * output, axis 1 for a convolution's (channel-first), when the rank is known.
     */
    private boolean isUnitAxis(long axis, ValueId value, boolean channelFirst) {
        int rank = shapes.rank(value);
        if (channelFirst) {
            return axis == 1 || (rank > 0 && axis == 1 - rank);
        }
        return axis == -1 || (rank > 0 && axis == rank - 1);
    }

    /** The values of a constant vector of at most {@link #MAX_SHAPE_VALUES} integers, or null. */
    long @Nullable [] integers(ValueId v) {
        Optional<ConstantTensor> c = constants.constant(v);
        if (c.isEmpty() || c.get().shape.length > 1 || c.get().count() > MAX_SHAPE_VALUES) {
            return null;
        }
        ConstantTensor t = c.get();
        if (t instanceof ConstantTensor.Stored st && !t.precisionKnown()) {
            return st.longs();
        }
        double[] d = t.values();
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }
}
