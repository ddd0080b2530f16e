package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.invariance.network.Convolution;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * Where a dense layer's output units lie along a value, as far as {@link BatchNormFolding} needs it: on axis 1 (the
 * axis a {@code BatchNormalization} normalises: a convolution's channels, or the last axis of a rank-2 value) and/or
 * on the last axis, followed through the nodes that only move values around. A node after which the units may lie
 * elsewhere gives null.
 *
 * @param onAxis1 whether unit i is index i of axis 1, every other index being a position or an example
 * @param onLast  whether unit i is index i of the last axis
 * @param rank    the value's rank, or −1 when not known
 */
record UnitPosition(boolean onAxis1, boolean onLast, int rank) {

    /**
     * At the output of {@code layer}: a convolution's channels on axis 1 (rank 2 + kernel dimensions); a {@code Gemm}'s
     * units on the last axis of a rank-2 value; a {@code MatMul}'s on the last axis of a value of its input's rank. Null
     * when its units are not along one axis of the output: a layer with its weight first (activations as columns)
     * or a {@code ConvTranspose} whose rows are not its output channels (a kernel larger than 1 or several groups).
     */
    static @Nullable UnitPosition atOutput(LayerPlan layer, ValueShapes shapes) {
        Convolution c = layer.convolution;
        if (c != null) {
            boolean channelsAreRows = !c.transposed() || (c.isPointwise() && c.groups() == 1);
            return channelsAreRows ? new UnitPosition(true, false, c.kernelShape().size() + 2) : null;
        }
        if (!Objects.equals(layer.node.input(0), layer.input)) {
            return null; // weight first: units along axis −2
        }
        int rank = layer.op.equals("Gemm") ? 2 : shapes.rank(layer.input);
        return new UnitPosition(rank == 2, true, rank);
    }

    /**
     * After {@code n} read the value on its input 0: unchanged through {@code Identity} and a {@code Dropout}
     * without a {@code training_mode} input; through a {@code Reshape} to a constant shape that keeps the batch axis ({@code 0}) and the
     * {@code width} units on axis 1, or that keeps them as the last axis; through a {@code Flatten} that leaves them
     * the last axis; through a {@code Squeeze}/{@code Unsqueeze} of axes from 2 on. Null for anything else.
     *
     * @param width the layer's d_out
     * @param units reads constant shapes and axes
     */
    @Nullable UnitPosition through(Node n, int width, UnitMappingRules units) {
        return switch (n.op()) {
            case "Identity" -> this;
            case "Dropout" -> inferenceDropout(n) ? this : null;
            case "Reshape" -> reshaped(n, width, units);
            case "Flatten" -> flattened(n);
            case "Squeeze", "Unsqueeze" -> squeezed(n, units);
            default -> null;
        };
    }

    /**
     * A {@code Dropout} without a {@code training_mode} input: the identity at inference. One with that input (a
     * boolean, which this reader does not decode) is not taken for the identity.
     */
    private static boolean inferenceDropout(Node n) {
        return n.input(2) == null;
    }

    private @Nullable UnitPosition reshaped(Node n, int width, UnitMappingRules units) {
        ValueId target = n.input(1);
        long[] s = target == null ? null : units.integers(target);
        if (s == null || s.length == 0) {
            return null;
        }
        boolean copiesZeros = n.intAttribute("allowzero", 0) == 0; // 0 copies the input's dimension
        boolean axis1 = onAxis1 && s.length >= 2 && copiesZeros && s[0] == 0
                && (s[1] == width || s[1] == 0);
        boolean last = onLast && s[s.length - 1] == width;
        return result(axis1, last, s.length);
    }

    private @Nullable UnitPosition flattened(Node n) {
        if (rank < 0) {
            return null;
        }
        long axis = n.intAttribute("axis", 1);
        axis = axis < 0 ? axis + rank : axis;
        boolean keepsLast = onLast && axis == rank - 1;
        boolean keepsAxis1 = onAxis1 && axis == 1 && rank == 2;
        return result(keepsLast || keepsAxis1, keepsLast || keepsAxis1, 2);
    }

    /** Squeeze or Unsqueeze of axes (attribute before opset 13, input 1 after) that all lie beyond axis 1. */
    private @Nullable UnitPosition squeezed(Node n, UnitMappingRules units) {
        ValueId axesInput = n.input(1);
        AttributeProto axesAttribute = n.attribute("axes");
        long[] axes = null;
        if (axesInput != null) {
            axes = units.integers(axesInput);
        } else if (axesAttribute != null) {
            axes = axesAttribute.getIntsList().stream().mapToLong(Long::longValue).toArray();
        }
        if (axes == null || axes.length == 0 || rank < 0 || !onAxis1) {
            return null;
        }
        boolean squeeze = n.op().equals("Squeeze");
        int newRank = squeeze ? rank - axes.length : rank + axes.length;
        int counted = squeeze ? rank : newRank; // Squeeze's axes index its input, Unsqueeze's its output
        for (long a : axes) {
            long axis = a < 0 ? a + counted : a;
            if (axis < 2 || axis >= counted) {
                return null;
            }
        }
        return result(true, false, newRank);
    }

    private static @Nullable UnitPosition result(boolean axis1, boolean last, int newRank) {
        if (newRank == 2 && (axis1 || last)) {
            return new UnitPosition(true, true, 2);
        }
        return axis1 || last ? new UnitPosition(axis1, last, newRank) : null;
    }
}
