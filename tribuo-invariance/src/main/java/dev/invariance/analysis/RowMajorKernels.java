package dev.invariance.analysis;

import dev.invariance.linalg.LinearAlgebraBackend;
import dev.ludovic.netlib.blas.BLAS;

/**
 * BLAS and LAPACK on row-major double arrays, with offsets and leading dimensions so that panels of a matrix can be
 * addressed in place: the general product, the symmetric rank-k product (Gram matrix) and the Cholesky factor. BLAS
 * and LAPACK are column-major; a row-major matrix is the column-major storage of its transpose, so each call states
 * the transposition it needs.
 */
final class RowMajorKernels {
    private RowMajorKernels() {
    }

    /**
     * Row-major C (M × N, leading dimension ldc, from offC) = α op(A) op(B) + β C with offsets into the arrays;
     * BLAS is column-major, so this is Cᵀ = op(B)ᵀ op(A)ᵀ.
     */
    static void gemm(boolean transA, boolean transB, int mm, int nn, int kk, double alpha, double[] a, int offA,
                     int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
        if (mm == 0 || nn == 0) {
            return;
        }
        BLAS blas = LinearAlgebraBackend.blas();
        blas.dgemm(transB ? "T" : "N", transA ? "T" : "N", nn, mm, kk, alpha, b, offB, ldb, a, offA, lda, beta, c,
                offC, ldc);
    }

    /**
     * The full symmetric k × k Gram matrix of a row-major array {@code x}: {@code XᵀX} when {@code transposed}
     * (x holds X as rows × k), else {@code X Xᵀ} (x holds X as k × rows).
     */
    static void syrk(double[] x, int k, int rows, boolean transposed, double[] out) {
        if (k == 0) {
            return;
        }
        BLAS blas = LinearAlgebraBackend.blas();
        // Row-major X (k × rows) is column-major Xᵀ (rows × k, ld rows): X Xᵀ = (Xᵀ)ᵀ Xᵀ is "T".
        // Row-major X (rows × k) is column-major Xᵀ (k × rows, ld k): XᵀX = Xᵀ (Xᵀ)ᵀ is "N".
        if (transposed) {
            blas.dsyrk("U", "N", k, rows, 1.0, x, Math.max(1, k), 0.0, out, k);
        } else {
            blas.dsyrk("U", "T", k, rows, 1.0, x, Math.max(1, rows), 0.0, out, k);
        }
        // column-major upper triangle (i ≤ j at out[j·k + i]) = row-major lower; mirror it.
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < j; i++) {
                out[i * k + j] = out[j * k + i];
            }
        }
    }

    /**
     * In place: the lower Cholesky factor L (X = L Lᵀ) of a symmetric positive definite row-major matrix (upper part
     * zeroed); false when LAPACK finds it not positive definite.
     */
    static boolean cholesky(double[] x, int k) {
        org.netlib.util.intW info = new org.netlib.util.intW(0);
        // row-major lower = column-major upper
        LinearAlgebraBackend.lapack().dpotrf("U", k, x, k, info);
        if (info.val != 0) {
            return false;
        }
        for (int i = 0; i < k; i++) {
            for (int j = i + 1; j < k; j++) {
                x[i * k + j] = 0;
            }
        }
        return true;
    }
}
