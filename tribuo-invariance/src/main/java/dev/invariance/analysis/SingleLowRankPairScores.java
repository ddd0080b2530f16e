package dev.invariance.analysis;

import dev.invariance.linalg.LinearAlgebraBackend;
import dev.invariance.linalg.ProductSigma;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.WeightMatrix;
import dev.ludovic.netlib.blas.BLAS;
import org.jspecify.annotations.Nullable;

import static dev.invariance.analysis.FloatMatrices.floats;
import static dev.invariance.analysis.FloatMatrices.frobenius;
import static dev.invariance.analysis.FullMatrixScores.SINGLE_TRUST;
import static dev.invariance.analysis.SumOfSquares.square;

/**
 * The full-matrix pair scores {σ₁(W_to W_from), c, ‖B − A‖_F} of a float32-stored pair with d &gt; n + m by the
 * trace formulas of {@link LowRankPairScores} (the commutator score of science.md 2.7 and the balancedness of 2.9
 * from n × n and m × m matrices) with every product in single precision
 * ({@link FullMatrixScores#useSingleLowRankPath}); null where that precision would not do.
 */
final class SingleLowRankPairScores {
    /** Unit roundoff of float32, 2⁻²⁴. */
    private static final double FLOAT_U = 0x1p-24;

    private SingleLowRankPairScores() {
    }

    /**
     * {σ₁(W_to W_from), c, ‖B − A‖_F} of a float32-stored low-rank pair (d &gt; n + m) by the trace formulas of the
     * double low-rank path ({@link LowRankPairScores}) with the products in single precision (Q = W_to W_from,
     * Q S_f, S_t Q, Q Qᵀ by {@code sgemm}/{@code ssyrk}, about 3× faster than the double products; S_f = FᵀF and
     * S_t = W_to W_toᵀ from {@code grams}, formed in double and rounded, shared with the layer spectra in a full-mode
     * analysis) and every sum of squares or products of entries in double; null when the figures cannot be
     * trusted, and the caller then runs the double path (with its exact block recomputation).
     *
     * <p>Error bound. The weights are exact in single precision, so the only errors are the roundings of the
     * products. An entry of a product summed over k terms carries an error of at most γ_k·|x|ᵀ|y| (γ_k ≈ k·u, u =
     * 2⁻²⁴) in the worst case and about √k·u·‖x‖‖y‖ in practice (rounding errors of blocked sums add up like a
     * random walk; Higham and Mary's probabilistic bound). Relative to the size of the product, that is an error of
     * ε·κ with ε = √d·u (d is the longest sum) and κ = max(‖F‖_F‖W_to‖_F/‖Q‖_F, ‖F‖_F²/‖S_f‖_F,
     * ‖W_to‖_F²/‖S_t‖_F) ≥ 1, the cancellation inside the products. c² = (‖AB‖² − tr((AB)²))/(‖A‖²‖B‖²) and
     * ‖B − A‖² = ‖A‖² + ‖B‖² − 2‖Q‖² are differences of such terms, so their relative errors are about
     * e_c = ε·κ·(‖AB‖² + tr((AB)²))/(‖AB‖² − tr((AB)²)) and e_b = ε·κ·(‖A‖² + ‖B‖² + 2‖Q‖²)/‖B − A‖². The figures
     * are trusted when both are at most τ = {@link FullMatrixScores#SINGLE_TRUST} (then c is within τ/2 relative,
     * as on the single Gram path). A nearly aligned pair (c² ≈ 0: the difference cancels) or one with nearly orthogonal
     * ranges (Q ≈ 0: the products cancel) therefore falls back to double. On B7's GPT-2-XL-shaped 6400 × 1600 into
     * 1600 × 6400 pairs (c ≈ 0.012, κ ≈ 80, cancellation factor ≈ 1.1) e_c ≈ 4·10⁻⁴, and the measured error of c²
     * against double products is about 10⁻⁹. The rule rests on the probabilistic estimate: under the worst-case
     * bound (ε = d·u, 80× larger at d = 6400) B7's pairs would not qualify, while the errors measured there and in
     * the tests stay five orders of magnitude below the estimate. σ₁ is that of the single-precision Q (float
     * Lanczos) refined in double from the weights ({@link ProductSigma#refine}).
     */
    static double @Nullable [] scores(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options,
                                      TruncatedSvd solver, PairGramSource grams) {
        int d = wf.getRows();
        int n = wf.getColumns();
        int m = wt.getRows();
        if (n == 0 || m == 0) {
            return null;
        }
        float[] f = floats(wf);
        float[] t = floats(wt);
        BLAS blas = LinearAlgebraBackend.blas();
        float[] q = new float[m * n];
        // row-major Q = W_to W_from (m × n) is column-major Qᵀ = W_fromᵀ W_toᵀ
        blas.sgemm("N", "N", n, m, d, 1.0f, f, n, t, d, 0.0f, q, n);
        float[] sf = grams.gram(true, false);  // FᵀF, n × n
        float[] st = grams.gram(false, true);  // W_to W_toᵀ, m × m
        double a2 = square(frobenius(sf));
        double b2 = square(frobenius(st));
        double g2 = square(frobenius(q));
        double f2 = square(frobenius(f));
        double t2 = square(frobenius(t));
        if (!(a2 > 0 && b2 > 0 && g2 > 0) || !Double.isFinite(a2) || !Double.isFinite(b2)) {
            return null; // zero, orthogonal ranges or beyond float's range: the double path handles them
        }
        // ‖AB‖² = ⟨S_f G, G S_t⟩ with G = Qᵀ: row-major Q S_f is column-major S_f Qᵀ, S_t Q is Qᵀ S_t
        float[] x = new float[m * n];
        float[] y = new float[m * n];
        blas.sgemm("N", "N", n, m, n, 1.0f, sf, n, q, n, 0.0f, x, n);
        blas.sgemm("N", "N", n, m, m, 1.0f, q, n, st, m, 0.0f, y, n);
        double ab2 = 0;
        for (int i = 0; i < x.length; i++) {
            ab2 += (double) x[i] * y[i];
        }
        x = null;
        y = null;
        float[] qqt = new float[m * m];
        // row-major Q (m × n) is column-major Qᵀ (n × m, ld n): Q Qᵀ = (Qᵀ)ᵀ Qᵀ is "T" (upper triangle only)
        blas.ssyrk("U", "T", m, n, 1.0f, q, n, 0.0f, qqt, m);
        double trAbAb = 0;
        for (int j = 0; j < m; j++) {
            for (int i = 0; i <= j; i++) {
                double v = qqt[j * m + i];
                trAbAb += i == j ? v * v : 2 * v * v;
            }
        }
        qqt = null;
        double kappa = Math.max(Math.sqrt(f2 * t2 / g2), Math.max(f2 / Math.sqrt(a2), t2 / Math.sqrt(b2)));
        double eps = Math.sqrt(d) * FLOAT_U * kappa;
        double comm = ab2 - trAbAb;
        double bal2 = a2 + b2 - 2 * g2;
        if (!(eps * (ab2 + trAbAb) <= SINGLE_TRUST * comm) || !(eps * (a2 + b2 + 2 * g2) <= SINGLE_TRUST * bal2)) {
            return null;
        }
        double c = Math.sqrt(comm / (a2 * b2));
        double sigma = LeadingSingularValue.ofFloatProduct(f, t, q, d, n, m, options, solver, true);
        return Double.isFinite(sigma) && Double.isFinite(c) ? new double[] {sigma, c, Math.sqrt(bal2)} : null;
    }
}
