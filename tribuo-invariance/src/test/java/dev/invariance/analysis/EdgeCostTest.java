package dev.invariance.analysis;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.ProductSigma;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cheaper pair scores of full mode for float32-stored pairs: σ₁(W_to W_from) through the Gram operators
 * Fᵀ B F / T A Tᵀ instead of the m × n product ({@link ProductSigma}), the choice between the two by the cost
 * estimate, and the single-precision low-rank path with its fallback to double. Every expected figure comes from an
 * independent double-precision computation in the test (plain loops over the float entries, then LAPACK's SVD in
 * double), or from the double path of the same float entries.
 */
class EdgeCostTest {
    private static final AnalysisOptions OPTIONS = AnalysisOptions.defaults();

    /** A seeded float32 Gaussian matrix, entries N(0, 1/cols). */
    private static float[] gaussian(int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[] v = new float[rows * cols];
        double s = 1 / Math.sqrt(cols);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (s * r.nextGaussian());
        }
        return v;
    }

    /** Rank-16 plus noise, as B7's weights: (a b)/16 + 0.1·N(0, 1), in float32. */
    private static float[] lowRankPlusNoise(int rows, int cols, long seed) {
        Random r = new Random(seed);
        int k = 16;
        double[] a = new double[rows * k];
        double[] b = new double[k * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextGaussian();
        }
        float[] w = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    s += a[i * k + l] * b[l * cols + j];
                }
                w[i * cols + j] = (float) (s / k + 0.1 * r.nextGaussian());
            }
        }
        return w;
    }

    /** σ₁(T F) in double: P = T F by plain loops over the float entries, then the dense double SVD. */
    private static double referenceSigma(float[] f, float[] t, int d, int n, int m) {
        double[] p = new double[m * n];
        for (int r = 0; r < m; r++) {
            for (int i = 0; i < d; i++) {
                double x = t[r * d + i];
                for (int j = 0; j < n; j++) {
                    p[r * n + j] += x * f[i * n + j];
                }
            }
        }
        return DenseSvd.singularValues(WeightMatrix.fromRowMajor(m, n, p)).singularValue(0);
    }

    /** A = F Fᵀ (d × d) in double from the float entries, rounded to float (what the Gram path holds). */
    private static float[] gramOfRows(float[] f, int d, int n) {
        float[] a = new float[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int l = 0; l < n; l++) {
                    s += (double) f[i * n + l] * f[j * n + l];
                }
                a[i * d + j] = (float) s;
                a[j * d + i] = (float) s;
            }
        }
        return a;
    }

    /** B = TᵀT (d × d) in double from the float entries, rounded to float. */
    private static float[] gramOfColumns(float[] t, int m, int d) {
        double[] b = new double[d * d];
        for (int r = 0; r < m; r++) {
            for (int i = 0; i < d; i++) {
                double x = t[r * d + i];
                for (int j = 0; j <= i; j++) {
                    b[i * d + j] += x * t[r * d + j];
                }
            }
        }
        float[] out = new float[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                out[i * d + j] = (float) b[i * d + j];
                out[j * d + i] = (float) b[i * d + j];
            }
        }
        return out;
    }

    private static double[] scores(WeightMatrix wf, WeightMatrix wt) {
        return FullMatrixScores.of(wf, wt, LayerSpectrum.of(wf, ElementType.FLOAT32, OPTIONS),
                LayerSpectrum.of(wt, ElementType.FLOAT32, OPTIONS), OPTIONS);
    }

    /**
     * (a) d = 600 between n = 1300 and m = 1500 (m·n·d large against d²(m + n)): the operator route is chosen, and
     * σ₁ through Fᵀ B F (n ≤ m) and T A Tᵀ (the transposed pair, m &lt; n) agrees with the double reference to
     * 1e-6 relative, for Gaussian and for low-rank-plus-noise weights; so does the pair score σ₁ of
     * {@link FullMatrixScores#of} (the single Gram path).
     */
    @Test
    void operatorRouteMatchesDoubleReference() {
        int d = 600;
        int n = 1300;
        int m = 1500;
        assertTrue(ProductSigma.prefersOperator(d, n, m));
        assertTrue(ProductSigma.prefersOperator(d, m, n));
        for (int kind = 0; kind < 2; kind++) {
            float[] f = kind == 0 ? gaussian(d, n, 1) : lowRankPlusNoise(d, n, 3);
            float[] t = kind == 0 ? gaussian(m, d, 2) : lowRankPlusNoise(m, d, 4);
            float[] a = gramOfRows(f, d, n);
            float[] b = gramOfColumns(t, m, d);
            double expected = referenceSigma(f, t, d, n, m);
            assertEquals(expected, ProductSigma.top(f, t, a, b, d, n, m), 1e-6 * expected, "kind " + kind);
            // the transposed pair: F' = Tᵀ (d × m), T' = Fᵀ (n × d), F'F'ᵀ = B, T'ᵀT' = A, T'F' = Pᵀ; m > n now
            float[] ft = transpose(t, m, d);
            float[] tt = transpose(f, d, n);
            assertEquals(expected, ProductSigma.top(ft, tt, b, a, d, m, n), 1e-6 * expected, "kind " + kind);
            WeightMatrix wf = WeightMatrix.fromRowMajor(d, n, f);
            WeightMatrix wt = WeightMatrix.fromRowMajor(m, d, t);
            assertTrue(FullMatrixScores.useSinglePath(wf, wt));
            assertEquals(expected, scores(wf, wt)[0], 1e-6 * expected, "kind " + kind);
        }
    }

    private static float[] transpose(float[] x, int rows, int cols) {
        float[] y = new float[x.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                y[j * rows + i] = x[i * cols + j];
            }
        }
        return y;
    }

    /**
     * (c) The cost rule: the operator route for B7's GPT-2-XL-shaped pairs (d = 1600 into 6400 or 4800 outputs)
     * and B5's square 1024 layers (measured faster there too: about 45 against 60 ms), the formed product where
     * m·n is small against d (d = 1000 between n = m = 600); and that pair's σ₁ (formed in single precision,
     * refined in double) still agrees with the double reference to 1e-6.
     */
    @Test
    void costRulePicksTheExpectedRoute() {
        assertTrue(ProductSigma.prefersOperator(1600, 1600, 6400));
        assertTrue(ProductSigma.prefersOperator(1600, 6400, 4800));
        assertTrue(ProductSigma.prefersOperator(1600, 1600, 4800));
        assertTrue(ProductSigma.prefersOperator(1024, 1024, 1024));
        assertFalse(ProductSigma.prefersOperator(1000, 600, 600));
        assertTrue(ProductSigma.productCost(1000, 600, 600) < ProductSigma.operatorCost(1000, 600, 600));
        int d = 1000;
        int n = 600;
        int m = 600;
        float[] f = gaussian(d, n, 5);
        float[] t = gaussian(m, d, 6);
        WeightMatrix wf = WeightMatrix.fromRowMajor(d, n, f);
        WeightMatrix wt = WeightMatrix.fromRowMajor(m, d, t);
        assertTrue(FullMatrixScores.useSinglePath(wf, wt));
        double expected = referenceSigma(f, t, d, n, m);
        assertEquals(expected, scores(wf, wt)[0], 1e-6 * expected);
    }

    /**
     * (b) A low-rank float32 pair (d = 1200 > n + m = 300 + 400, low rank plus noise like B7's): the single-precision
     * low-rank path answers (its error estimate is below the trust threshold) and agrees with the double path on
     * the same float entries within the documented bound: c within {@link FullMatrixScores#SINGLE_TRUST}/2
     * relative, ‖B − A‖_F likewise, σ₁ to 1e-6 (refined in double).
     */
    @Test
    void singleLowRankPathMatchesDoublePath() {
        int d = 1200;
        int n = 300;
        int m = 400;
        float[] f = lowRankPlusNoise(d, n, 7);
        float[] t = lowRankPlusNoise(m, d, 8);
        WeightMatrix wf = WeightMatrix.fromRowMajor(d, n, f);
        WeightMatrix wt = WeightMatrix.fromRowMajor(m, d, t);
        assertTrue(FullMatrixScores.useSingleLowRankPath(wf, wt));
        double[] single = SingleLowRankPairScores.scores(wf, wt, OPTIONS, TruncatedSvd.withDefaults(),
                PairGramSource.formed(wf, wt));
        assertNotNull(single, "the single path should trust this pair");
        double[] exact = scores(widen(wf), widen(wt));
        assertTrue(exact[1] > 1e-3, "c = " + exact[1]);
        double bound = FullMatrixScores.SINGLE_TRUST / 2;
        assertEquals(exact[0], single[0], 1e-6 * exact[0]);
        assertEquals(exact[1], single[1], bound * exact[1]);
        assertEquals(exact[2], single[2], bound * exact[2]);
        double[] chosen = scores(wf, wt);
        assertEquals(single[1], chosen[1], 0.0); // what the pair score uses
        // small low-rank pairs (d·(n + m)² below 512³) keep the double path
        assertFalse(FullMatrixScores.useSingleLowRankPath(WeightMatrix.fromRowMajor(600, 40, new float[600 * 40]),
                WeightMatrix.fromRowMajor(50, 600, new float[50 * 600])));
    }

    /**
     * (b) A nearly aligned low-rank float32 pair: A = F Fᵀ and B = TᵀT share their eigenvectors (F = Q₁ diag(f),
     * T = diag(t) Q₂ᵀ with Q₁, Q₂ the first columns of one orthonormal set) up to a relative perturbation of
     * 2·10⁻⁵ of T's entries, so c ≈ 10⁻⁶: the single path must refuse it (the trace difference cancels) and the score must be the
     * exact one, against the independent double d × d products of {@link ReferencePairScores#commutator} and
     * {@link ReferencePairScores#balancedness} (cancellation error about d·ε/c ≈ 10⁻⁷ relative).
     */
    @Test
    void nearlyAlignedLowRankPairFallsBackAndStaysExact() {
        int d = 1200;
        int n = 300;
        int m = 400;
        double[][] q = Matrices.orthonormalColumns(d, Math.max(n, m), 9);
        Random r = new Random(10);
        float[] f = new float[d * n];
        float[] t = new float[m * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < n; j++) {
                f[i * n + j] = (float) (q[j][i] * (1 + j % 7));
            }
            for (int j = 0; j < m; j++) {
                t[j * d + i] = (float) ((1 + j % 5) * q[j][i] * (1 + 2e-5 * r.nextGaussian()));
            }
        }
        WeightMatrix wf = WeightMatrix.fromRowMajor(d, n, f);
        WeightMatrix wt = WeightMatrix.fromRowMajor(m, d, t);
        assertTrue(FullMatrixScores.useSingleLowRankPath(wf, wt));
        assertNull(SingleLowRankPairScores.scores(wf, wt, OPTIONS, TruncatedSvd.withDefaults(),
                PairGramSource.formed(wf, wt)));
        double c = ReferencePairScores.commutator(wf, wt);
        assertTrue(c > 3e-7 && c < 3e-6, "c = " + c);
        double[] s = scores(wf, wt);
        assertEquals(c, s[1], 1e-6 * c);
        double bal = ReferencePairScores.balancedness(wf, wt);
        assertEquals(bal, s[2], 1e-9 * bal);
    }

    /** The same entries held as doubles: the double path. */
    private static WeightMatrix widen(WeightMatrix w) {
        return WeightMatrix.fromRowMajor(w.getRows(), w.getColumns(), w.toRowMajorArray());
    }
}
