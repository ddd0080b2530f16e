package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The query, key and value layers of ONNX Runtime's fused {@code Attention} ({@code com.microsoft}): its packed weight
 * {@code [D_in, Q + K + V]} holds the three projections side by side (activations in rows,
 * {@code qkv = x·weight + bias}), equal thirds unless {@code qkv_hidden_sizes} gives the three widths. Part {@code p}
 * is columns {@code c_p … c_p + n_p − 1}, so {@code W_p = weight[:, c_p : c_p + n_p]ᵀ} (n_p × D_in, science.md 1.2)
 * with bias {@code bias[c_p : c_p + n_p]}; the layers are named {@code weight[q]}, {@code weight[k]},
 * {@code weight[v]} after the stored tensor. Each reads the node's input. The query and key are contracted away in
 * {@code QKᵀ}; the attention output keeps the value's units (each head's output is a convex combination of its value
 * rows over positions), so paths go on from the node's first output for the value part only.
 */
final class PackedAttention {
    private static final List<String> PARTS = List.of("q", "k", "v");

    private final String file;
    private final ConstantFolding constants;
    private final List<String> notes;

    /** The fused attention nodes of {@code file}, whose constants are {@code constants}; notes go to {@code notes}. */
    PackedAttention(String file, ConstantFolding constants, List<String> notes) {
        this.file = file;
        this.constants = constants;
        this.notes = notes;
    }

    /** Whether {@code n} is ONNX Runtime's fused attention. */
    static boolean isFusedAttention(Node n) {
        return n.op().equals("Attention") && n.proto.getDomain().equals("com.microsoft");
    }

    /**
     * The query, key and value layers of {@code n}; none when its input is constant, its weight is not a constant
     * floating-point matrix (the general rule for unread weights then applies) or it has no output.
     *
     * @throws InvalidModelException when the weight does not split into the parts or the bias does not fit them
     */
    List<LayerPlan> of(Node n) {
        ValueId x = n.input(0);
        ConstantTensor w = constants.constant(n.input(1)).orElse(null);
        if (x == null || !constants.isComputed(x) || w == null || !w.precisionKnown() || w.shape.length != 2
                || n.outputs.isEmpty()) {
            return List.of();
        }
        if (w.count() == 0) {
            throw invalid(n, "has an empty weight '" + w.rootName + "' " + Arrays.toString(w.shape));
        }
        int rows = (int) w.shape[0]; // a tensor with elements has every dimension below 2^31
        int columns = (int) w.shape[1];
        int[] widths = widths(n, w, columns);
        ConstantTensor bias = bias(n, columns);
        boolean writesOutput = writesAttentionOutput(n);
        List<LayerPlan> out = new ArrayList<>(PARTS.size());
        int start = 0;
        for (int p = 0; p < PARTS.size(); p++) {
            String part = PARTS.get(p);
            boolean carried = part.equals("v") && writesOutput;
            ConstantTensor b = bias == null ? null : ConstantBlock.columns(bias, columns, start, widths[p]);
            out.add(new LayerPlan(w.rootName + "[" + part + "]", n.op(), n,
                    ConstantBlock.columns(w, columns, start, widths[p]), rows, widths[p], true, 1.0, b, 1.0, null, x,
                    n.outputs.get(0), part, carried ? LayerPlan.Wiring.CARRIED : LayerPlan.Wiring.ABSORBED));
            start += widths[p];
        }
        return out;
    }

    /** The widths of Q, K and V: {@code qkv_hidden_sizes}, or three equal parts. */
    private int[] widths(Node n, ConstantTensor w, int columns) {
        AttributeProto sizes = n.attribute("qkv_hidden_sizes");
        if (sizes == null) {
            if (columns % 3 != 0) {
                throw invalid(n, "has a weight '" + w.rootName + "' of shape " + Arrays.toString(w.shape)
                        + ", whose " + columns + " columns do not split into three equal parts (Q, K, V)");
            }
            return new int[] {columns / 3, columns / 3, columns / 3};
        }
        List<Long> given = sizes.getIntsList();
        long sum = 0;
        for (long s : given) {
            sum += s <= 0 || s > columns ? Integer.MAX_VALUE : s;
        }
        if (given.size() != 3 || sum != columns) {
            throw invalid(n, "has qkv_hidden_sizes " + given + " for a weight '" + w.rootName + "' of shape "
                    + Arrays.toString(w.shape) + " (three positive sizes adding up to its " + columns + " columns)");
        }
        return new int[] {given.get(0).intValue(), given.get(1).intValue(), given.get(2).intValue()};
    }

    /** The constant bias of {@code columns} entries, or null (with a note when it is given but not constant). */
    private @Nullable ConstantTensor bias(Node n, int columns) {
        ValueId v = n.input(2);
        if (v == null) {
            return null;
        }
        ConstantTensor b = constants.constant(v).orElse(null);
        if (b == null || !b.precisionKnown()) {
            notes.add("node '" + n.name + "' (Attention): its bias is not a constant floating-point tensor; the query,"
                    + " key and value layers are read without bias");
            return null;
        }
        if (b.shape.length != 1 || b.shape[0] != columns) {
            throw invalid(n, "has a bias '" + b.rootName + "' of shape " + Arrays.toString(b.shape) + " where ["
                    + columns + "] is needed");
        }
        return b;
    }

    /** Whether the node writes its output 0, the attention output (the first of {@code n.outputs} then). */
    private static boolean writesAttentionOutput(Node n) {
        return GraphIndex.definition(n.outputs.get(0)) instanceof GraphIndex.NodeOutput o && o.index() == 0;
    }

    private InvalidModelException invalid(Node n, String what) {
        return new InvalidModelException(file + ": Attention '" + n.name + "' " + what);
    }
}
