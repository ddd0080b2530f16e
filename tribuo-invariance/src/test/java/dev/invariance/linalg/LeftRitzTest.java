package dev.invariance.linalg;

import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The half step of block Lanczos ({@link LeftRitz}): from H = VᵀGV and the last residual's factor R alone, its values
 * are the Ritz values of AAᵀ on span(AV), as computed directly from A (orthonormalise AV, take the singular values of
 * AᵀU); they lie between the Ritz values of G = AᵀA on span(V) and those one block later, and below the eigenvalues of
 * G; and its coefficients give left vectors u = AVc of unit norm with ‖Aᵀu‖² equal to the value.
 */
class LeftRitzTest {
    /** A (rows × cols) row-major, σ_r = 0.98^r: gaps of 2 %, so a few blocks leave the values well short of converged. */
    private static double[] matrix(int rows, int cols, long seed) {
        int r = Math.min(rows, cols);
        double[][] u = Matrices.orthonormalColumns(rows, r, seed);
        double[][] v = Matrices.orthonormalColumns(cols, r, seed + 1);
        double[] a = new double[rows * cols];
        for (int t = 0; t < r; t++) {
            double s = Math.pow(0.98, t);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    a[i * cols + j] += s * u[t][i] * v[t][j];
                }
            }
        }
        return a;
    }

    /** A block Krylov run on G = AᵀA in double: the basis V (rows are vectors), H = VᵀGV and the last R. */
    private record Run(double[][] basis, double[] h, double[] lastR, int size) {
    }

    private static Run krylov(double[] a, int rows, int cols, int b, int blocks, long seed) {
        int size = b * blocks;
        double[][] basis = new double[size + b][];
        double[][] start = Matrices.orthonormalColumns(cols, b, seed);
        System.arraycopy(start, 0, basis, 0, b);
        double[] lastR = new double[b * b];
        for (int m = 0; m < blocks; m++) {
            double[][] z = new double[b][];
            for (int t = 0; t < b; t++) {
                z[t] = gram(a, rows, cols, basis[m * b + t]);
            }
            int known = (m + 1) * b;
            for (int pass = 0; pass < 2; pass++) { // orthogonalise against the basis, twice
                for (double[] zt : z) {
                    for (int c = 0; c < known; c++) {
                        axpy(-dot(basis[c], zt), basis[c], zt);
                    }
                }
            }
            // Gram–Schmidt within the block: z_c = Σ_row q_row R[row][c], R upper triangular
            java.util.Arrays.fill(lastR, 0);
            for (int c = 0; c < b; c++) {
                double[] q = z[c].clone();
                for (int row = 0; row < c; row++) {
                    double coefficient = dot(basis[known + row], q);
                    lastR[row * b + c] = coefficient;
                    axpy(-coefficient, basis[known + row], q);
                }
                double norm = Math.sqrt(dot(q, q));
                lastR[c * b + c] = norm;
                for (int i = 0; i < q.length; i++) {
                    q[i] /= norm;
                }
                basis[known + c] = q;
            }
        }
        double[] h = new double[size * size];
        for (int j = 0; j < size; j++) {
            double[] gj = gram(a, rows, cols, basis[j]);
            for (int i = 0; i < size; i++) {
                h[i * size + j] = dot(basis[i], gj);
            }
        }
        for (int i = 0; i < size; i++) { // symmetric to rounding: make it exactly so
            for (int j = 0; j < i; j++) {
                double mean = 0.5 * (h[i * size + j] + h[j * size + i]);
                h[i * size + j] = mean;
                h[j * size + i] = mean;
            }
        }
        return new Run(basis, h, lastR, size);
    }

    @Test
    void theHalfStepIsTheRitzValuesOfAAtOnTheLeftSpaceAndLiesBetweenTwoWholeSteps() {
        int rows = 260;
        int cols = 180;
        int b = 4;
        int k = 5;
        double[] a = matrix(rows, cols, 11);
        Run run = krylov(a, rows, cols, b, 4, 99);
        int size = run.size();
        LeftRitz left = LeftRitz.of(run.h(), size, size, run.lastR(), b, k);
        assertNotNull(left);

        // directly: U = orth(A V), the squared singular values of AᵀU
        double[][] u = new double[size][];
        for (int c = 0; c < size; c++) {
            double[] y = times(a, rows, cols, run.basis()[c]);
            for (int pass = 0; pass < 2; pass++) {
                for (int e = 0; e < c; e++) {
                    axpy(-dot(u[e], y), u[e], y);
                }
            }
            double norm = Math.sqrt(dot(y, y));
            for (int i = 0; i < rows; i++) {
                y[i] /= norm;
            }
            u[c] = y;
        }
        double[] atu = new double[cols * size];
        for (int c = 0; c < size; c++) {
            double[] col = timesTransposed(a, rows, cols, u[c]);
            for (int j = 0; j < cols; j++) {
                atu[j * size + c] = col[j];
            }
        }
        Spectrum direct = DenseSvd.decompose(WeightMatrix.fromRowMajor(cols, size, atu), k);

        Ritz whole = Ritz.of(run.h(), size, size, k);
        Run next = krylov(a, rows, cols, b, 5, 99);
        Ritz later = Ritz.of(next.h(), next.size(), next.size(), k);
        Spectrum exact = DenseSvd.decompose(WeightMatrix.fromRowMajor(rows, cols, a), k);
        for (int i = 0; i < k; i++) {
            double mu = left.values[i];
            double want = direct.singularValue(i) * direct.singularValue(i);
            assertEquals(want, mu, 1e-12 * want, "mu_" + (i + 1));
            double lambda = exact.singularValue(i) * exact.singularValue(i);
            assertTrue(whole.values[i] <= mu * (1 + 1e-14) && mu <= later.values[i] * (1 + 1e-14)
                    && mu <= lambda * (1 + 1e-14), "interlaced " + i);
            // a half step gains on the whole step: here by more than half of the distance to λ for the leading value
            // short of convergence, the half step is a real gain on the whole step
            assertTrue(lambda - mu < 0.9 * (lambda - whole.values[i]), "a real gain " + i);
            // u = A V c has unit norm, and ‖Aᵀu‖² = μ
            double[] coefficients = java.util.Arrays.copyOfRange(left.coefficients, i * size, (i + 1) * size);
            double[] v = new double[cols];
            for (int c = 0; c < size; c++) {
                axpy(coefficients[c], run.basis()[c], v);
            }
            double[] ui = times(a, rows, cols, v);
            assertEquals(1.0, Math.sqrt(dot(ui, ui)), 1e-12);
            double[] back = timesTransposed(a, rows, cols, ui);
            assertEquals(mu, dot(back, back), 1e-12 * mu);
        }
    }

    @Test
    void aMatrixOfRankBelowKHasNoHalfStep() {
        int rows = 120;
        int cols = 90;
        double[][] u = Matrices.orthonormalColumns(rows, 3, 21);
        double[][] v = Matrices.orthonormalColumns(cols, 3, 22);
        double[] a = new double[rows * cols];
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    a[i * cols + j] += (3 - t) * u[t][i] * v[t][j];
                }
            }
        }
        Run run = krylov(a, rows, cols, 4, 2, 23);
        assertNull(LeftRitz.of(run.h(), run.size(), run.size(), run.lastR(), 4, 5), "rank 3 < k = 5");
    }

    private static double[] gram(double[] a, int rows, int cols, double[] x) {
        return timesTransposed(a, rows, cols, times(a, rows, cols, x));
    }

    private static double[] times(double[] a, int rows, int cols, double[] x) {
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += a[i * cols + j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    private static double[] timesTransposed(double[] a, int rows, int cols, double[] y) {
        double[] x = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x[j] += a[i * cols + j] * y[i];
            }
        }
        return x;
    }

    private static double dot(double[] p, double[] q) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s += p[i] * q[i];
        }
        return s;
    }

    private static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += alpha * x[i];
        }
    }
}
