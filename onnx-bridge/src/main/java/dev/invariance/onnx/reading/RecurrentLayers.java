package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The layers of an {@code LSTM}, {@code GRU} or {@code RNN} node: each gate's input matrix and recurrent matrix, as
 * ONNX stores them. {@code W} is {@code [dirs, G·H, in]}, {@code R} is {@code [dirs, G·H, H]} and {@code B} is
 * {@code [dirs, 2·G·H]}, with the gates in ONNX's order (LSTM {@code i, o, f, c}; GRU {@code z, r, h}; RNN one). Gate
 * {@code g} of direction {@code d} is rows {@code g·H … (g+1)·H − 1} of {@code W[d]}: an {@code H × in} matrix that
 * reads the node's input {@code X}, with bias {@code B[d][g·H …]}; and of {@code R[d]}: an {@code H × H} matrix that
 * reads the node's own hidden state, with bias {@code B[d][(G+g)·H …]} (ONNX adds both biases; they are reported
 * apart, as stored). The layers come in the order W's gates (direction, then gate), then R's, named
 * {@code W[i]}, {@code W[i_reverse]}… after the stored tensor and the gate ({@code W}, {@code W[reverse]} for an RNN,
 * which has one). No path leaves a recurrent node: its output mixes the gates over time.
 */
final class RecurrentLayers {
    private final String file;
    private final ConstantFolding constants;
    private final List<String> notes;

    /**
     * The recurrent nodes of {@code file}, whose constants are {@code constants}; unread nodes are noted in
     * {@code notes}.
     */
    RecurrentLayers(String file, ConstantFolding constants, List<String> notes) {
        this.file = file;
        this.constants = constants;
        this.notes = notes;
    }

    /** Whether {@code n} is a standard recurrent node. */
    static boolean isRecurrent(Node n) {
        return n.isStandard() && gates(n.op()) != null;
    }

    /** ONNX's gate order of a recurrent operator (an RNN has one, unnamed), or null for another operator. */
    private static @Nullable List<String> gates(String op) {
        return switch (op) {
            case "LSTM" -> List.of("i", "o", "f", "c");
            case "GRU" -> List.of("z", "r", "h");
            case "RNN" -> List.of("");
            default -> null;
        };
    }

    /**
     * The gates of recurrent node {@code n}: every input matrix, then every recurrent matrix; none when its input is
     * constant or it has no output, and none (with a note) when its weights are not constant floating-point tensors.
     *
     * @throws InvalidModelException when the shapes of W, R and B or the direction and hidden size contradict each
     *                               other
     */
    List<LayerPlan> of(Node n) {
        List<String> gates = gates(n.op());
        ValueId x = n.input(0);
        if (gates == null || x == null || !constants.isComputed(x) || n.outputs.isEmpty()) {
            return List.of();
        }
        ConstantTensor w = constants.constant(n.input(1)).orElse(null);
        ConstantTensor r = constants.constant(n.input(2)).orElse(null);
        if (w == null || r == null || !w.precisionKnown() || !r.precisionKnown()) {
            notes.add("node '" + n.name + "' (" + n.op() + "): W and R are not constant floating-point tensors, so its"
                    + " gates are not read as layers; data-flow paths end there");
            return List.of();
        }
        int dirs = directions(n);
        int g = gates.size();
        // a tensor with elements has every dimension below 2^31 (TensorPayload's bound), so no product here wraps
        if (w.shape.length != 3 || r.shape.length != 3 || w.count() == 0 || r.count() == 0 || w.shape[0] != dirs
                || r.shape[0] != dirs || r.shape[1] != r.shape[2] * g || w.shape[1] != r.shape[1]) {
            throw invalid(n, "has W of shape " + Arrays.toString(w.shape) + " and R of shape "
                    + Arrays.toString(r.shape) + "; with " + dirs + " direction(s) and " + g + " gate(s) they must be ["
                    + dirs + ", " + g + "*H, in] and [" + dirs + ", " + g + "*H, H] with H and in above 0");
        }
        int hidden = (int) r.shape[2];
        int in = (int) w.shape[2];
        long declared = n.intAttribute("hidden_size", hidden);
        if (declared != hidden) {
            throw invalid(n, "declares hidden_size " + declared + " but R of shape " + Arrays.toString(r.shape)
                    + " has " + hidden);
        }
        ConstantTensor b = bias(n, dirs, (long) 2 * g * hidden);
        List<LayerPlan> out = new ArrayList<>(2 * dirs * g);
        for (int matrix = 0; matrix < 2; matrix++) {
            ConstantTensor stored = matrix == 0 ? w : r;
            int columns = matrix == 0 ? in : hidden;
            for (int d = 0; d < dirs; d++) {
                for (int k = 0; k < g; k++) {
                    String gate = label(gates.get(k), reversed(n, d));
                    int row = (d * g + k) * hidden;
                    ConstantTensor bias = b == null ? null
                            : ConstantBlock.columns(b, 2 * g * hidden * dirs, (d * 2 * g + matrix * g + k) * hidden,
                            hidden);
                    String name = stored.rootName + (gate == null ? "" : "[" + gate + "]");
                    out.add(new LayerPlan(name, n.op(), n, ConstantBlock.rows(stored, columns, row, hidden), hidden,
                            columns, false, 1.0, bias, 1.0, null, x, n.outputs.get(0),
                            gate, matrix == 0 ? LayerPlan.Wiring.ABSORBED : LayerPlan.Wiring.INTERNAL));
                }
            }
        }
        return out;
    }

    /**
     * The gate's label: its letter, {@code _reverse} added for a backward direction; an RNN's backward one
     * "reverse".
     */
    private static @Nullable String label(String gate, boolean reverse) {
        if (!reverse) {
            return gate.isEmpty() ? null : gate;
        }
        return gate.isEmpty() ? "reverse" : gate + "_reverse";
    }

    private int directions(Node n) {
        AttributeProto a = n.attribute("direction");
        String direction = a == null ? "forward" : a.getS().toStringUtf8();
        return switch (direction) {
            case "forward", "reverse" -> 1;
            case "bidirectional" -> 2;
            default -> throw invalid(n, "has direction '" + direction + "' (forward, reverse or bidirectional)");
        };
    }

    /** Whether direction {@code d} of {@code n} runs backward in time. */
    private static boolean reversed(Node n, int d) {
        AttributeProto a = n.attribute("direction");
        return d == 1 || (a != null && a.getS().toStringUtf8().equals("reverse"));
    }

    /**
     * The constant bias B of {@code entries} per direction, or null (with a note when it is given but not constant).
     */
    private @Nullable ConstantTensor bias(Node n, int dirs, long entries) {
        ValueId v = n.input(3);
        if (v == null) {
            return null;
        }
        ConstantTensor b = constants.constant(v).orElse(null);
        if (b == null || !b.precisionKnown()) {
            notes.add("node '" + n.name + "' (" + n.op() + "): B is not a constant floating-point tensor; its gates are"
                    + " read without bias");
            return null;
        }
        if (b.shape.length != 2 || b.shape[0] != dirs || b.shape[1] != entries) {
            throw invalid(n, "has B of shape " + Arrays.toString(b.shape) + " where [" + dirs + ", " + entries
                    + "] is needed");
        }
        return b;
    }

    private InvalidModelException invalid(Node n, String what) {
        return new InvalidModelException(file + ": " + n.op() + " '" + n.name + "' " + what);
    }
}
