package dev.invariance.onnx.reading;

/**
 * Index arithmetic on row-major tensors (the last axis fastest, as ONNX stores them): strides, permuted shapes and
 * the values of a tensor with its axes permuted.
 */
final class RowMajor {
    /** Side of the square blocks the 2-D transpose copies (64 × 64 doubles: 32 KiB, within L1). */
    private static final int BLOCK = 64;

    private RowMajor() {
    }

    /** Row-major strides of a shape: {@code strides[a]} is the product of the sizes of the axes after {@code a}. */
    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            s[a] = acc;
            acc *= shape[a];
        }
        return s;
    }

    /** The shape with its axes permuted: axis {@code i} of the result is axis {@code perm[i]} of {@code shape}. */
    static long[] permute(long[] shape, int[] perm) {
        long[] out = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = shape[perm[i]];
        }
        return out;
    }

    /** Row-major transpose of an r × c array, copied in square blocks. */
    static double[] transpose2d(double[] in, int r, int c) {
        double[] out = new double[in.length];
        for (int i0 = 0; i0 < r; i0 += BLOCK) {
            int i1 = Math.min(r, i0 + BLOCK);
            for (int j0 = 0; j0 < c; j0 += BLOCK) {
                int j1 = Math.min(c, j0 + BLOCK);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        out[j * r + i] = in[i * c + j];
                    }
                }
            }
        }
        return out;
    }

    /**
     * The values of a tensor of shape {@code shape} with its axes permuted by {@code perm} (ONNX {@code Transpose}):
     * entry {@code idx} of the result is {@code in[Σ_a idx[a]·stride[perm[a]]]}.
     */
    static double[] transposed(double[] in, long[] shape, int[] perm) {
        int rank = perm.length;
        if (rank == 2 && perm[0] == 1) {
            return transpose2d(in, (int) shape[0], (int) shape[1]);
        }
        long[] inStrides = strides(shape);
        long[] outShape = permute(shape, perm);
        double[] out = new double[in.length];
        int[] idx = new int[rank];
        for (int o = 0; o < out.length; o++) {
            long src = 0;
            for (int a = 0; a < rank; a++) {
                src += idx[a] * inStrides[perm[a]];
            }
            out[o] = in[(int) src];
            for (int a = rank - 1; a >= 0; a--) {
                if (++idx[a] < outShape[a]) {
                    break;
                }
                idx[a] = 0;
            }
        }
        return out;
    }
}
