package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.invariance.onnx.reading.GraphIndex.Node;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;

/**
 * The rules of the operators that constant folding passes a constant through, as ONNX defines them: the shape
 * {@code Transpose}, {@code Reshape}, {@code Flatten} and {@code Squeeze} give it, and the operands
 * {@code DequantizeLinear} accepts. A node that breaks its operator's rules is refused naming the file and the node,
 * rather than folded into a wrong weight.
 */
final class FoldingRules {
    private final String file;

    /** The rules, reporting against {@code file} (the model file's name). */
    FoldingRules(String file) {
        this.file = file;
    }

    /**
     * The permutation of a {@code Transpose} of a rank-{@code rank} tensor: its {@code perm} attribute, or the axes
     * reversed when it has none.
     *
     * @throws InvalidModelException when {@code perm} is not a permutation of the axes
     */
    int[] transposePerm(Node n, int rank) {
        AttributeProto p = n.attribute("perm");
        int[] perm = new int[rank];
        if (p == null) {
            for (int i = 0; i < rank; i++) {
                perm[i] = rank - 1 - i;
            }
            return perm;
        }
        if (p.getIntsCount() != rank) {
            throw invalid("Transpose '" + n.name + "' has a perm of " + p.getIntsCount()
                    + " axes for a rank-" + rank + " tensor");
        }
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            long a = p.getInts(i);
            if (a < 0 || a >= rank || seen[(int) a]) {
                throw invalid("Transpose '" + n.name + "' has an invalid perm " + p.getIntsList());
            }
            seen[(int) a] = true;
            perm[i] = (int) a;
        }
        return perm;
    }

    /**
     * The shape a {@code Reshape} of a tensor of shape {@code from} to the requested {@code to} gives: a 0 copies the
     * input's dimension (unless {@code allowZero}), one −1 takes what is left.
     *
     * @throws InvalidModelException when the shapes do not hold the same number of values
     */
    long[] reshaped(Node n, long[] from, long[] to, boolean allowZero) {
        long total = 1;
        for (long d : from) {
            total *= d;
        }
        long[] out = to.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= from.length) {
                    throw invalid("Reshape '" + n.name + "' copies dimension " + i + " of a rank-" + from.length + " tensor");
                }
                out[i] = from[i];
            }
            if (out[i] == -1) {
                if (infer >= 0) {
                    throw invalid("Reshape '" + n.name + "' has more than one -1 in " + Arrays.toString(to));
                }
                infer = i;
            } else if (out[i] < 0) {
                throw invalid("Reshape '" + n.name + "' has a negative dimension in " + Arrays.toString(to));
            } else {
                try {
                    known = Math.multiplyExact(known, out[i]);
                } catch (ArithmeticException e) {
                    throw invalid("Reshape '" + n.name + "' has a shape too large: " + Arrays.toString(to));
                }
            }
        }
        if (infer >= 0) {
            if (known == 0 || total % known != 0) {
                throw invalid("Reshape '" + n.name + "' cannot reshape " + Arrays.toString(from) + " to "
                        + Arrays.toString(to));
            }
            out[infer] = total / known;
        } else if (known != total) {
            throw invalid("Reshape '" + n.name + "' cannot reshape " + Arrays.toString(from) + " ("
                    + total + " values) to " + Arrays.toString(to));
        }
        return out;
    }

    /**
     * The 2-D shape a {@code Flatten} of a tensor of shape {@code shape} ({@code count} values) gives: the axes before
     * {@code axis} (default 1, negative from the end) in the rows, the rest in the columns.
     *
     * @throws InvalidModelException when the axis is outside the rank
     */
    long[] flattened(Node n, long[] shape, long count) {
        int rank = shape.length;
        long axis = n.intAttribute("axis", 1);
        if (axis < 0) {
            axis += rank;
        }
        if (axis < 0 || axis > rank) {
            throw invalid("Flatten '" + n.name + "' has axis " + n.intAttribute("axis", 1) + " for rank " + rank);
        }
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        return new long[] {outer, count / Math.max(outer, 1)};
    }

    /**
     * The shape a {@code Squeeze} of a tensor of shape {@code shape} gives: the {@code axes} given removed, each of
     * size 1, or every axis of size 1 when none are given (null or empty).
     *
     * @throws InvalidModelException when an axis is outside the rank, named twice or not of size 1
     */
    long[] squeezed(Node n, long[] shape, long @Nullable [] axes) {
        int rank = shape.length;
        boolean[] removed = new boolean[rank];
        if (axes == null || axes.length == 0) {
            for (int i = 0; i < rank; i++) {
                removed[i] = shape[i] == 1;
            }
        } else {
            for (long a : axes) {
                long axis = a < 0 ? a + rank : a;
                if (axis < 0 || axis >= rank || removed[(int) axis] || shape[(int) axis] != 1) {
                    throw invalid("Squeeze '" + n.name + "' cannot remove axes " + Arrays.toString(axes)
                            + " of a tensor of shape " + Arrays.toString(shape) + " (each must be an axis of size 1,"
                            + " once)");
                }
                removed[(int) axis] = true;
            }
        }
        long[] out = new long[rank];
        int kept = 0;
        for (int i = 0; i < rank; i++) {
            if (!removed[i]) {
                out[kept++] = shape[i];
            }
        }
        return Arrays.copyOf(out, kept);
    }

    /**
     * Checks the operands of a {@code DequantizeLinear} ({@code y = (x − zero_point) · scale}) and gives the axis the
     * scale runs along: x a quantized integer tensor; the scale a scalar or a vector of one entry per slice along the
     * axis (default 1, negative from the end), or, with a {@code block_size} B &gt; 0 (opset 21), a tensor of x's rank
     * holding {@code ceil(shape[axis] / B)} entries along the axis and x's size along the others; the zero point,
     * when given, of x's type and the scale's shape.
     *
     * @return the axis, counted from the front (a per-tensor scale's axis is not checked; below 0 it becomes 0)
     * @throws InvalidModelException when an operand breaks these rules
     */
    int dequantizeAxis(Node n, ConstantTensor x, ConstantTensor scale, @Nullable ConstantTensor zero) {
        if (x.precision != null) {
            throw invalid("DequantizeLinear '" + n.name + "' dequantizes '" + x.rootName + "' of floating-point type "
                    + TensorPayload.typeName(x.elementCode()) + "; x must be a quantized integer tensor");
        }
        long blockSize = dequantizeBlockSize(n);
        if (scale.shape.length > 1 && blockSize == 0) {
            throw invalid("DequantizeLinear '" + n.name + "' has a scale of shape " + Arrays.toString(scale.shape)
                    + "; a scale is a scalar or a vector (one per slice along the axis)");
        }
        if (zero != null && (zero.elementCode() != x.elementCode() || (zero.shape.length > 1 && blockSize == 0))) {
            throw invalid("DequantizeLinear '" + n.name + "' has a zero point of type "
                    + TensorPayload.typeName(zero.elementCode()) + " and shape " + Arrays.toString(zero.shape)
                    + " for x of type " + TensorPayload.typeName(x.elementCode())
                    + "; it must have x's type and the scale's shape");
        }
        long axis = n.intAttribute("axis", 1);
        int rank = x.shape.length;
        if (axis < 0) {
            axis += rank;
        }
        if (blockSize > 0) {
            checkBlocks(n, x, scale, zero, axis, blockSize);
        } else if (scale.count() != 1) {
            if (axis < 0 || axis >= rank || scale.count() != x.shape[(int) axis]) {
                throw invalid("DequantizeLinear '" + n.name + "' has " + scale.count() + " scales for axis "
                        + n.intAttribute("axis", 1) + " of a tensor of shape " + Arrays.toString(x.shape));
            }
        }
        if (zero != null && zero.count() != scale.count()) {
            throw invalid("DequantizeLinear '" + n.name + "' has " + zero.count() + " zero points but "
                    + scale.count() + " scales");
        }
        return (int) Math.max(axis, 0);
    }

    /**
     * The {@code block_size} of a {@code DequantizeLinear}: 0 (the default) when it is not blocked.
     *
     * @throws InvalidModelException when it is negative or beyond the size of any tensor
     */
    long dequantizeBlockSize(Node n) {
        long b = n.intAttribute("block_size", 0);
        if (b < 0 || b > Integer.MAX_VALUE) {
            throw invalid("DequantizeLinear '" + n.name + "' has block_size " + b
                    + "; it must be 0 (not blocked) or a positive block length");
        }
        return b;
    }

    /** Blocked quantisation: scale and zero point of x's rank, ceil(size / B) along the axis, x's size elsewhere. */
    private void checkBlocks(Node n, ConstantTensor x, ConstantTensor scale, @Nullable ConstantTensor zero, long axis,
                             long blockSize) {
        int rank = x.shape.length;
        if (axis < 0 || axis >= rank) {
            throw invalid("DequantizeLinear '" + n.name + "' has axis " + n.intAttribute("axis", 1)
                    + " for a tensor of shape " + Arrays.toString(x.shape));
        }
        long[] expected = x.shape.clone();
        expected[(int) axis] = (x.shape[(int) axis] + blockSize - 1) / blockSize;
        if (!Arrays.equals(expected, scale.shape) || (zero != null && !Arrays.equals(expected, zero.shape))) {
            throw invalid("DequantizeLinear '" + n.name + "' has blocks of " + blockSize + " along axis " + axis
                    + " of a tensor of shape " + Arrays.toString(x.shape) + " but a scale of shape "
                    + Arrays.toString(scale.shape) + (zero == null ? "" : " and a zero point of shape "
                    + Arrays.toString(zero.shape)) + "; both must have shape " + Arrays.toString(expected));
        }
    }

    private InvalidModelException invalid(String what) {
        return new InvalidModelException(file + ": " + what);
    }
}
