package dev.invariance.onnx.reading;

import org.jspecify.annotations.Nullable;

/**
 * NumPy broadcasting of two row-major tensors, as ONNX's elementwise {@code Mul}, {@code Div}, {@code Add} and
 * {@code Sub} apply it: the shapes are aligned at their last axes, and an axis of size 1 (or a missing leading axis)
 * repeats along the other operand's axis.
 */
final class Broadcasting {
    private Broadcasting() {
    }

    /**
     * The broadcast shape, or null when the shapes do not broadcast or the result would outgrow both operands (so a
     * file cannot make the reader allocate more than it stores).
     */
    static long @Nullable [] shape(long[] x, long[] y) {
        int rank = Math.max(x.length, y.length);
        long[] out = new long[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            long dx = i < rank - x.length ? 1 : x[i - (rank - x.length)];
            long dy = i < rank - y.length ? 1 : y[i - (rank - y.length)];
            if (dx != dy && dx != 1 && dy != 1) {
                return null;
            }
            out[i] = dx == 1 ? dy : dx;
            count *= out[i];
        }
        long cx = 1;
        for (long d : x) {
            cx *= d;
        }
        long cy = 1;
        for (long d : y) {
            cy *= d;
        }
        return count > Math.max(cx, cy) ? null : out;
    }

    /**
     * {@code x ∘ y} broadcast to {@code shape} (from {@link #shape}), for {@code operator} one of {@code * / + -}.
     *
     * @param count the number of values of {@code shape}
     */
    static double[] combine(double[] x, long[] xShape, double[] y, long[] yShape, long[] shape, int count,
                            char operator) {
        double[] out = new double[count];
        long[] sx = strides(xShape, shape);
        long[] sy = strides(yShape, shape);
        int rank = shape.length;
        int[] idx = new int[rank];
        for (int o = 0; o < out.length; o++) {
            long ix = 0;
            long iy = 0;
            for (int d = 0; d < rank; d++) {
                ix += idx[d] * sx[d];
                iy += idx[d] * sy[d];
            }
            double u = x[(int) ix];
            double v = y[(int) iy];
            out[o] = switch (operator) {
                case '*' -> u * v;
                case '/' -> u / v;
                case '+' -> u + v;
                default -> u - v;
            };
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    /** The strides of an operand of shape {@code from} read at the indices of {@code to}: 0 along repeated axes. */
    private static long[] strides(long[] from, long[] to) {
        long[] own = RowMajor.strides(from);
        long[] out = new long[to.length];
        int shift = to.length - from.length;
        for (int d = 0; d < to.length; d++) {
            out[d] = d < shift || from[d - shift] == 1 ? 0 : own[d - shift];
        }
        return out;
    }
}
