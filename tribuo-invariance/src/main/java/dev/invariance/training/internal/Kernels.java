package dev.invariance.training.internal;

import dev.invariance.network.ElementType;

/**
 * The elementwise and matrix kernels the training loop needs, over row-major arrays of one precision
 * ({@code double[]} or {@code float[]}). Matrix products go to BLAS; the rest are plain loops. Keeping the
 * loop generic over the array type lets one training algorithm serve both precisions.
 *
 * @param <A> the array type, {@code double[]} or {@code float[]}
 */
abstract class Kernels<A> {

    static Kernels<?> forType(ElementType type) {
        return switch (type) {
            case FLOAT64 -> DoubleKernels.INSTANCE;
            case FLOAT32 -> FloatKernels.INSTANCE;
            default -> throw new IllegalArgumentException("training supports float64 and float32, not " + type);
        };
    }

    abstract ElementType elementType();

    abstract A allocate(int length);

    /** Row-major {@code C = α op(A) op(B) + β C}; op(A) is m × k, op(B) is k × n. */
    abstract void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, A a, A b, double beta, A c);

    /** Adds {@code bias} (length cols) to every row of the rows × cols matrix. */
    abstract void addToRows(A matrix, int rows, int cols, A bias);

    /** {@code out[j] = Σ_i matrix[i][j]}: the column sums of a rows × cols matrix. */
    abstract void columnSums(A matrix, int rows, int cols, A out);

    /** {@code x ← max(x, 0)} on the first n entries. */
    abstract void relu(A x, int n);

    /** {@code out[i] = grad[i]} where {@code activated[i] > 0}, else 0 (the ReLU derivative). */
    abstract void reluBackward(A grad, A activated, A out, int n);

    /** {@code y ← y + α x} on the first n entries. */
    abstract void axpy(int n, double alpha, A x, A y);

    abstract void copy(A src, int srcOffset, A dst, int dstOffset, int n);

    /** Widens (or copies) the first n entries into a double array. */
    abstract void toDouble(A src, double[] dst, int n);

    /** Narrows (or copies) the first n entries from a double array. */
    abstract void fromDouble(double[] src, A dst, int n);

    /** Index of the first NaN or infinite entry among the first n, or −1. */
    abstract int firstNonFinite(A x, int n);

    /**
     * One Adam update (Kingma and Ba 2015) on n parameters: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
     * θ ← θ − lr · (m / c₁) / (sqrt(v / c₂) + ε) with bias corrections c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ.
     */
    abstract void adam(A param, A grad, A m, A v, int n, double lr, double beta1, double beta2, double epsilon,
                       double correction1, double correction2);

    /** Copies whole rows {@code rows[from..from+count)} of a cols-wide matrix into consecutive rows of dst. */
    void gatherRows(A src, int cols, int[] rows, int from, int count, A dst) {
        for (int r = 0; r < count; r++) {
            copy(src, rows[from + r] * cols, dst, r * cols, cols);
        }
    }
}
