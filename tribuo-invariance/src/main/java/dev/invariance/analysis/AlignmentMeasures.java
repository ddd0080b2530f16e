package dev.invariance.analysis;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.LinearAlgebraBackend;
import dev.invariance.linalg.MatrixOps;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.ludovic.netlib.blas.BLAS;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;

/**
 * The pair scores of science.md 2.6, 2.7 and 2.9 for W_from (d × n) feeding W_to (m × d). The scores that need
 * the full matrices (weighted alignment, commutator, balancedness) are computed when both matrices are given:
 * through the d × d Gram matrices A = W_from W_fromᵀ and B = W_toᵀ W_to when d ≤ n + m, and otherwise through
 * their low-rank factors in row blocks (never forming a d × d matrix), exactly in both cases: every entry of
 * AB − BA and of B − A is formed before it is squared, so an aligned pair's c ≈ 1e-12 is not lost to
 * cancellation (trace identities such as ‖AB − BA‖² = 2 tr(A²B²) − 2 tr((AB)²) would lose it).
 */
final class AlignmentMeasures {
    /** Rows per block of the low-rank path (b × d double buffers). */
    private static final int BLOCK = 256;

    private AlignmentMeasures() {
    }

    static PairMetrics compute(int producer, int consumer, String producerName, String consumerName,
                               boolean viaResidual, LayerSpectrum a, LayerSpectrum b, @Nullable WeightMatrix wf,
                               @Nullable WeightMatrix wt, AnalysisOptions options) {
        if (a.rows != b.columns) {
            throw new IllegalArgumentException("layer " + producerName + " produces " + a.rows
                    + " outputs but layer " + consumerName + " reads " + b.columns);
        }
        double nan = Double.NaN;
        boolean full = wf != null && wt != null;
        double delta = options.getMatchedRankTolerance();
        int ra = a.relativeRank(delta);
        int rb = b.relativeRank(delta);
        int k = ra < 0 || rb < 0 ? -1 : Math.min(ra, rb);
        if (a.isZero() || b.isZero()) {
            return new PairMetrics(producer, consumer, producerName, consumerName, viaResidual, nan, nan, nan, nan,
                    full ? balancedness(wf, wt, a, b) : nan, k, nan, false, nan);
        }
        double adjacent = Math.abs(dot(b.vectors.rightVector(0), a.vectors.leftVector(0)));
        double weighted = nan;
        double c = nan;
        double balance = nan;
        if (full) {
            weighted = productNorm(wt, wf, options)
                    / (SpectralMeasures.sigma(a.values, 0) * SpectralMeasures.sigma(b.values, 0));
            if (useGramPath(wf, wt)) {
                c = commutator(wf, wt);
                balance = balancedness(wf, wt);
            } else {
                double[] cb = lowRankScores(wf, wt, a, b);
                c = cb[0];
                balance = cb[1];
            }
        }
        double matched = nan;
        double subspace = nan;
        boolean permutation = false;
        if (k > 0 && k <= options.getSubspaceRankLimit() && k <= a.vectorCount() && k <= b.vectorCount()) {
            double[][] mm = new double[k][k];
            for (int j = 0; j < k; j++) {
                double[] v = b.vectors.rightVector(j);
                for (int l = 0; l < k; l++) {
                    mm[j][l] = dot(v, a.vectors.leftVector(l));
                }
            }
            double sumMax = 0;
            double sumSq = 0;
            boolean[] used = new boolean[k];
            permutation = true;
            for (int j = 0; j < k; j++) {
                int arg = 0;
                for (int l = 0; l < k; l++) {
                    sumSq += mm[j][l] * mm[j][l];
                    if (Math.abs(mm[j][l]) > Math.abs(mm[j][arg])) {
                        arg = l;
                    }
                }
                sumMax += Math.abs(mm[j][arg]);
                permutation &= !used[arg];
                used[arg] = true;
            }
            matched = sumMax / k;
            subspace = sumSq / k;
        }
        return new PairMetrics(producer, consumer, producerName, consumerName, viaResidual, adjacent, weighted, c,
                1.0 - c, balance, k, matched, permutation, subspace);
    }

    /** Whether the d × d Gram matrices are the cheaper route: d ≤ n + m (and always for small d). */
    static boolean useGramPath(WeightMatrix wf, WeightMatrix wt) {
        int d = wf.getRows();
        return d <= 512 || d <= wf.getColumns() + wt.getRows();
    }

    /**
     * Bytes of working memory the full-matrix scores of this pair take beyond the two matrices: three d × d
     * doubles on the Gram path; on the low-rank path double copies of both matrices, P (n × d) and four b × d
     * block buffers.
     */
    static long workingBytes(int d, int n, int m) {
        if (d <= 512 || d <= n + m) {
            return 3L * 8 * d * d + 8L * m * n;
        }
        return 8L * ((long) d * n + (long) m * d + (long) n * d + 4L * BLOCK * d + (long) m * n);
    }

    /** c = ‖AB − BA‖_F / (√2 ‖A‖_F ‖B‖_F) with A = W_from W_fromᵀ and B = W_toᵀ W_to; NaN if A or B is 0. */
    static double commutator(WeightMatrix wf, WeightMatrix wt) {
        WeightMatrix a = MatrixOps.multiply(wf, false, wf, true);
        WeightMatrix b = MatrixOps.multiply(wt, true, wt, false);
        double na = MatrixOps.frobenius(a);
        double nb = MatrixOps.frobenius(b);
        if (!(na > 0 && nb > 0)) {
            return Double.NaN;
        }
        // A and B are symmetric, so BA = (AB)ᵀ and AB − BA = C − Cᵀ.
        WeightMatrix c = MatrixOps.multiply(a, b);
        return MatrixOps.frobeniusDistance(c, c.transpose()) / (Math.sqrt(2.0) * na * nb);
    }

    /** ‖W_toᵀ W_to − W_from W_fromᵀ‖_F. */
    static double balancedness(WeightMatrix wf, WeightMatrix wt) {
        return MatrixOps.frobeniusDistance(MatrixOps.multiply(wt, true, wt, false), MatrixOps.multiply(wf, false, wf, true));
    }

    private static double balancedness(WeightMatrix wf, WeightMatrix wt, LayerSpectrum a, LayerSpectrum b) {
        return useGramPath(wf, wt) ? balancedness(wf, wt) : lowRankScores(wf, wt, a, b)[1];
    }

    /**
     * {c, balancedness} without any d × d matrix, for d > n + m. With F = W_from (d × n), Q = W_to W_from (m × n)
     * and P = Qᵀ W_to (n × d): AB = F P, so row block I of AB − BA is F[I,:] P[:, J] − (F[J,:] P[:, I])ᵀ, and of
     * B − A it is W_to[:, I]ᵀ W_to[:, J] − F[I,:] F[J,:]ᵀ; both are antisymmetric/symmetric, so only the blocks
     * J ≥ I are formed (off-diagonal ones counted twice). ‖A‖_F² = Σσ⁴ of W_from (likewise for B) from the spectrum
     * when it is complete, else from the small Gram matrix W_fromᵀ W_from. Cost ≈ 2d²(2n + m) flops.
     */
    static double[] lowRankScores(WeightMatrix wf, WeightMatrix wt, LayerSpectrum sa, LayerSpectrum sb) {
        int d = wf.getRows();
        int n = wf.getColumns();
        int m = wt.getRows();
        double[] f = wf.toRowMajorArray();
        // W_to and P are read in column panels (offset i0, leading dimension d); netlib's argument check wants a
        // whole leading dimension after the last panel's start, so both carry d entries of padding.
        double[] t = Arrays.copyOf(wt.toRowMajorArray(), m * d + d);
        double[] q = new double[m * n];
        gemm(false, false, m, n, d, 1.0, t, 0, d, f, 0, n, 0.0, q, 0, n);
        double[] p = new double[n * d + d];
        gemm(true, false, n, d, m, 1.0, q, 0, n, t, 0, d, 0.0, p, 0, d);
        double na = gramNorm(sa, f, d, n);
        double nb = gramNorm(sb, t, m, d);
        double[] c1 = new double[BLOCK * d];
        double[] c2 = new double[BLOCK * d];
        double[] e = new double[BLOCK * d];
        // Scaled sums of squares (LAPACK's dlassq idea) keep the tiny differences of an aligned pair exact.
        double[] comm = {0, 1};
        double[] bal = {0, 1};
        for (int i0 = 0; i0 < d; i0 += BLOCK) {
            int b = Math.min(BLOCK, d - i0);
            int w = d - i0;
            // c1 = F[I,:] P[:, i0:] (b × w); c2 = F[i0:, :] P[:, I] (w × b)
            gemm(false, false, b, w, n, 1.0, f, i0 * n, n, p, i0, d, 0.0, c1, 0, w);
            gemm(false, false, w, b, n, 1.0, f, i0 * n, n, p, i0, d, 0.0, c2, 0, b);
            // e = W_to[:, I]ᵀ W_to[:, i0:] − F[I,:] F[i0:, :]ᵀ (b × w)
            gemm(true, false, b, w, m, 1.0, t, i0, d, t, i0, d, 0.0, e, 0, w);
            gemm(false, true, b, w, n, -1.0, f, i0 * n, n, f, i0 * n, n, 1.0, e, 0, w);
            for (int r = 0; r < b; r++) {
                for (int col = 0; col < w; col++) {
                    double weight = col < b ? 1.0 : 2.0;
                    accumulate(comm, c1[r * w + col] - c2[col * b + r], weight);
                    accumulate(bal, e[r * w + col], weight);
                }
            }
        }
        double normComm = comm[0] * Math.sqrt(comm[1]);
        double normBal = bal[0] * Math.sqrt(bal[1]);
        double c = na > 0 && nb > 0 ? normComm / (Math.sqrt(2.0) * na * nb) : Double.NaN;
        return new double[] {c, normBal};
    }

    /** Adds weight·x² to the scaled sum {scale, ssq} (value = scale²·ssq). */
    private static void accumulate(double[] s, double x, double weight) {
        double ax = Math.abs(x);
        if (ax == 0) {
            return;
        }
        if (ax > s[0]) {
            double r = s[0] / ax;
            s[1] = weight + s[1] * r * r;
            s[0] = ax;
        } else {
            double r = ax / s[0];
            s[1] += weight * r * r;
        }
    }

    /**
     * ‖W Wᵀ‖_F = ‖Wᵀ W‖_F = √(Σσ⁴) of a matrix with rows × cols entries (row-major {@code w}); from the spectrum
     * when complete, else from the smaller Gram matrix.
     */
    private static double gramNorm(LayerSpectrum s, double[] w, int rows, int cols) {
        if (s.complete) {
            double max = SpectralMeasures.sigma(s.values, 0);
            if (!(max > 0)) {
                return 0;
            }
            double sum = 0;
            for (double v : s.values) {
                double y = v / max;
                sum += y * y * y * y;
            }
            return max * max * Math.sqrt(sum);
        }
        int k = Math.min(rows, cols);
        double[] g = new double[k * k];
        if (cols <= rows) {
            gemm(true, false, cols, cols, rows, 1.0, w, 0, cols, w, 0, cols, 0.0, g, 0, cols);
        } else {
            gemm(false, true, rows, rows, cols, 1.0, w, 0, cols, w, 0, cols, 0.0, g, 0, rows);
        }
        return MatrixOps.frobenius(g);
    }

    /**
     * Row-major C (M × N, leading dimension ldc, from offC) = α op(A) op(B) + β C with offsets into the arrays;
     * BLAS is column-major, so this is Cᵀ = op(B)ᵀ op(A)ᵀ.
     */
    private static void gemm(boolean transA, boolean transB, int mm, int nn, int kk, double alpha, double[] a,
                             int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC,
                             int ldc) {
        if (mm == 0 || nn == 0) {
            return;
        }
        BLAS blas = LinearAlgebraBackend.blas();
        blas.dgemm(transB ? "T" : "N", transA ? "T" : "N", nn, mm, kk, alpha, b, offB, ldb, a, offA, lda, beta, c,
                offC, ldc);
    }

    private static double productNorm(WeightMatrix wt, WeightMatrix wf, AnalysisOptions options) {
        WeightMatrix p = MatrixOps.multiply(wt, wf);
        int r = Math.min(p.getRows(), p.getColumns());
        if (r >= options.getFastTopKThreshold()) {
            return TruncatedSvd.withDefaults().top(p, 1, ElementType.FLOAT64).singularValue(0);
        }
        return DenseSvd.singularValues(p).singularValue(0);
    }

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }
}
