package dev.invariance.linalg.internal;

import dev.invariance.linalg.LinearAlgebraBackend;
import dev.ludovic.netlib.blas.BLAS;

/**
 * General matrix products on row-major arrays, {@code C = α·op(A)·op(B) + β·C} with {@code op(A)} m × k,
 * {@code op(B)} k × n and C m × n, in double and single precision. BLAS is column-major; a row-major matrix is
 * the column-major storage of its transpose, so {@code C = op(A) op(B)} is computed as
 * {@code Cᵀ = op(B)ᵀ op(A)ᵀ} with the operands swapped.
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because the
 * training engine and the analyzer call it across packages; it may change without notice.
 */
public final class RowMajorBlas {
    private static final BLAS BLAS_INSTANCE = LinearAlgebraBackend.blas();

    private RowMajorBlas() {
    }

    /**
     * Double-precision row-major GEMM.
     *
     * @param transA use Aᵀ (A stored k × m) instead of A (stored m × k)
     * @param transB use Bᵀ (B stored n × k) instead of B (stored k × n)
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
                            double[] b, double beta, double[] c) {
        if (m == 0 || n == 0) {
            return;
        }
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        BLAS_INSTANCE.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, Math.max(1, ldb), a,
                Math.max(1, lda), beta, c, Math.max(1, n));
    }

    /** Single-precision row-major GEMM; same arguments as {@link #gemm(boolean, boolean, int, int, int, double, double[], double[], double, double[])}. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
                            float[] b, float beta, float[] c) {
        if (m == 0 || n == 0) {
            return;
        }
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, Math.max(1, ldb), a,
                Math.max(1, lda), beta, c, Math.max(1, n));
    }
}
