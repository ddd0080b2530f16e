package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What can be told of a value's shape without running the model: its width (values per example along the unit axis)
 * and its rank, from the shapes the file declares, the dense layers' widths, and what the nodes on the way keep
 * (elementwise operations keep their computed input's shape; a {@code Concat} along the last axis adds widths;
 * anything that mixes or moves units leaves it unknown) and its rank (kept by elementwise operations and by those that
 * mix units along axes they keep, such as {@code Softmax} and {@code LayerNormalization}; a constant's, a
 * {@code Gather}'s from its operands'). Widths and ranks are memoised, and a search goes at most {@link #MAX_DEPTH}
 * nodes back.
 */
final class ValueShapes {
    /** How many nodes back a width or rank is looked for. */
    static final int MAX_DEPTH = 256;

    private final List<LayerPlan> layers;
    private final ConstantFolding constants;
    private final Map<ValueId, Integer> layerByOutput = new HashMap<>();
    private final Map<ValueId, Integer> widths = new HashMap<>();
    private final Map<ValueId, Integer> ranks = new HashMap<>();

    /** The shapes of a graph whose dense layers are {@code layers}. */
    ValueShapes(List<LayerPlan> layers, ConstantFolding constants) {
        this.layers = layers;
        this.constants = constants;
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).wiring.leavesNode()) { // other parts of a packed weight share their node's output
                layerByOutput.put(layers.get(i).output, i);
            }
        }
    }

    /** Values per example along the unit axis, or −1 when it cannot be told without running the model. */
    int width(@Nullable ValueId v) {
        return width(v, 0);
    }

    /** The rank of a value, or −1 when not known. */
    int rank(@Nullable ValueId v) {
        return rank(v, 0);
    }

    private int width(@Nullable ValueId v, int depth) {
        if (v == null || depth > MAX_DEPTH) {
            return -1;
        }
        Integer known = widths.get(v);
        if (known != null) {
            return known;
        }
        int w = computeWidth(v, depth);
        widths.put(v, w);
        return w;
    }

    private int computeWidth(ValueId v, int depth) {
        Integer layer = layerByOutput.get(v);
        if (layer != null) {
            return layers.get(layer).outputWidth();
        }
        Object def = GraphIndex.definition(v);
        if (def instanceof ValueInfoProto info) {
            List<TensorShapeProto.Dimension> dims = info.getType().getTensorType().getShape().getDimList();
            if (dims.isEmpty() || !dims.get(dims.size() - 1).hasDimValue()) {
                return -1;
            }
            long d = dims.get(dims.size() - 1).getDimValue();
            return d > 0 && d <= Integer.MAX_VALUE ? (int) d : -1;
        }
        Node n = GraphIndex.producer(v);
        if (n == null) {
            return -1;
        }
        if (n.op().equals("Concat") && n.intAttribute("axis", 1) == -1) {
            long sum = 0;
            for (ValueId in : n.inputs) {
                int w = width(in, depth + 1);
                if (w < 0) {
                    return -1;
                }
                sum += w;
            }
            return sum <= Integer.MAX_VALUE ? (int) sum : -1;
        }
        if (UnitMappingRules.MIXING.contains(n.op()) || n.op().equals("Split") || n.op().equals("Slice")
                || n.op().equals("Reshape") || n.op().equals("Flatten") || n.op().equals("Transpose")
                || n.op().equals("Concat")) {
            return -1;
        }
        for (ValueId in : n.inputs) {
            if (constants.isComputed(in)) {
                return width(in, depth + 1);
            }
        }
        return -1;
    }

    private int rank(@Nullable ValueId v, int depth) {
        if (v == null || depth > MAX_DEPTH) {
            return -1;
        }
        Integer known = ranks.get(v);
        if (known != null) {
            return known;
        }
        int r = computeRank(v, depth);
        ranks.put(v, r);
        return r;
    }

    private int computeRank(ValueId v, int depth) {
        Object def = GraphIndex.definition(v);
        if (def instanceof ValueInfoProto info && info.getType().getTensorType().hasShape()) {
            return info.getType().getTensorType().getShape().getDimCount();
        }
        Integer layer = layerByOutput.get(v);
        Node n = GraphIndex.producer(v);
        if (layer != null) {
            LayerPlan l = layers.get(layer);
            if (l.batchNorm != null && l.batchNorm.outputRank() >= 0) {
                return l.batchNorm.outputRank(); // a reshape may lie between the node and the folded normalisation
            }
            if (l.op.equals("Gemm")) {
                return 2;
            }
            if (l.convolution != null) {
                return l.convolution.kernelShape().size() + 2;
            }
            return rank(l.input, depth + 1);
        }
        Optional<ConstantTensor> constant = constants.constant(v);
        if (constant.isPresent()) {
            return constant.get().shape.length;
        }
        if (n == null) {
            return -1;
        }
        if (n.op().equals("Flatten")) {
            return 2;
        }
        if (n.op().equals("Gather") && n.isStandard()) {
            int data = rank(n.input(0), depth + 1);
            int indices = rank(n.input(1), depth + 1);
            return data < 0 || indices < 0 ? -1 : data + indices - 1;
        }
        boolean keepsRank = UnitAxisRules.keepsRank(n) || !UnitMappingRules.MIXING.contains(n.op());
        if (!keepsRank || n.op().equals("Reshape") || n.op().equals("Squeeze") || n.op().equals("Unsqueeze")) {
            return -1;
        }
        for (ValueId in : n.inputs) {
            if (constants.isComputed(in)) {
                return rank(in, depth + 1);
            }
        }
        return -1;
    }

    /** Values per example of a graph input or output: the product of its non-batch dimensions, when all are fixed. */
    static @Nullable Integer portWidth(ValueId v) {
        Object def = GraphIndex.definition(v);
        ValueInfoProto info = def instanceof ValueInfoProto i ? i : null;
        if (info == null) {
            for (ValueInfoProto o : v.scope().graph.getOutputList()) {
                if (o.getName().equals(v.name())) {
                    info = o;
                }
            }
        }
        if (info == null || !info.getType().getTensorType().hasShape()) {
            return null;
        }
        List<TensorShapeProto.Dimension> dims = info.getType().getTensorType().getShape().getDimList();
        long w = 1;
        for (int i = 1; i < dims.size(); i++) {
            if (!dims.get(i).hasDimValue() || dims.get(i).getDimValue() <= 0) {
                return null;
            }
            w *= dims.get(i).getDimValue();
            if (w > Integer.MAX_VALUE) {
                return null;
            }
        }
        return (int) w;
    }
}
