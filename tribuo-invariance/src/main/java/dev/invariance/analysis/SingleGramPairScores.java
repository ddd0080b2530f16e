package dev.invariance.analysis;

import dev.invariance.linalg.LinearAlgebraBackend;
import dev.invariance.linalg.ProductSigma;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.WeightMatrix;
import dev.ludovic.netlib.blas.BLAS;
import org.jspecify.annotations.Nullable;

import static dev.invariance.analysis.FloatMatrices.floats;
import static dev.invariance.analysis.FloatMatrices.frobenius;
import static dev.invariance.analysis.FloatMatrices.skewSquares;
import static dev.invariance.analysis.FullMatrixScores.SINGLE_TRUST;

/**
 * The full-matrix pair scores {σ₁(W_to W_from), c, ‖B − A‖_F} of a float32-stored pair through the d × d Gram
 * matrices in single precision ({@link FullMatrixScores#useSinglePath}): the commutator score of science.md 2.7,
 * c = ‖AB − BA‖_F / (√2 ‖A‖_F ‖B‖_F), and the balancedness of 2.9, ‖B − A‖_F, with A = W_from W_fromᵀ and
 * B = W_toᵀ W_to, to the precision the float32 weights carry; null where that precision would not do.
 */
final class SingleGramPairScores {
    private SingleGramPairScores() {
    }

    /**
     * {σ₁(W_to W_from), c, ‖B − A‖_F} of a float32-stored pair with A = W_from W_fromᵀ and B = W_toᵀ W_to taken from
     * {@code grams} (formed in double and rounded to float32: each entry within u = 2⁻²⁴ ≈ 6·10⁻⁸ of the exact one,
     * relative; shared with the layer spectra in a full-mode analysis, {@link PairInputs}), C = AB and P = W_to W_from
     * formed in single precision ({@code sgemm}, about twice the speed of the double products); the squares of the
     * entries of C − Cᵀ and B − A and the norms are then summed in double (no scaling needed: squares of float-range
     * values cannot overflow or underflow a double). The weights are exact in single precision, so the only errors
     * are the roundings of A and B (u relative to each entry) and of the product C (d·u relative to the norms of the
     * rows and columns multiplied, worst case), so ‖fl(C − Cᵀ) − (C − Cᵀ)‖_F ≲ 2·(d + 2)·u·‖A‖_F‖B‖_F and the
     * absolute error of c is at most about √2·(d + 2)·u (worst case, ≈ 9·10⁻⁵ at d = 1024; in practice the errors
     * add up like √d·u, ≈ 2·10⁻⁶): the order by which rounding the weights themselves to float32 moves c, i.e. the
     * precision the data carry. Where that would be a large relative error (c &lt; τ or ‖B − A‖_F &lt;
     * τ·√(‖A‖²+‖B‖²) with τ = {@link FullMatrixScores#SINGLE_TRUST}: nearly aligned or balanced pairs, whose
     * differences cancel) this returns null and the caller computes everything in double, so such pairs stay exact
     * to double rounding.
     * Products that overflow single precision (weights beyond about 10⁹) also return null. σ₁ comes without P
     * from the operator Fᵀ B F or T A Tᵀ (float Lanczos, refined in double) where {@link ProductSigma#prefersOperator}
     * estimates that cheaper (B5's and B7's pairs: 1.4× resp. 5–13× faster, measured), else from P, formed in single
     * precision, by float Lanczos with the leading value refined in double from the weights.
     */
    static double @Nullable [] scores(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options,
                                      TruncatedSvd solver, PairGramSource grams) {
        int d = wf.getRows();
        int n = wf.getColumns();
        int m = wt.getRows();
        float[] f = floats(wf);
        float[] t = floats(wt);
        BLAS blas = LinearAlgebraBackend.blas();
        float[] a = grams.gram(true, true);
        float[] b = grams.gram(false, false);
        double na = frobenius(a);
        double nb = frobenius(b);
        if (!(na > 0 && nb > 0) || !Double.isFinite(na) || !Double.isFinite(nb)) {
            return null; // zero, or beyond float's range: the double path handles both
        }
        double bal = 0;
        for (int i = 0; i < d * d; i++) {
            double x = (double) b[i] - a[i];
            bal += x * x;
        }
        double balance = Math.sqrt(bal);
        if (!(balance >= SINGLE_TRUST * Math.hypot(na, nb))) {
            return null;
        }
        float[] prod = new float[d * d];
        // row-major C = A B is column-major Cᵀ = Bᵀ Aᵀ = B A (both symmetric)
        blas.sgemm("N", "N", d, d, d, 1.0f, b, d, a, d, 0.0f, prod, d);
        double c = Math.sqrt(2 * skewSquares(prod, d)) / (Math.sqrt(2.0) * na * nb);
        if (!(c >= SINGLE_TRUST) || !Double.isFinite(c)) {
            return null;
        }
        double sigma = Double.NaN;
        if (Math.min(m, n) >= options.getFastTopKThreshold() && ProductSigma.prefersOperator(d, n, m)) {
            prod = null;
            sigma = ProductSigma.top(f, t, a, b, d, n, m); // NaN if the Lanczos did not converge
        }
        a = null;
        b = null;
        if (Double.isNaN(sigma)) {
            sigma = LeadingSingularValue.ofFloatProduct(f, t, prod, d, n, m, options, solver, false);
        }
        return Double.isFinite(sigma) ? new double[] {sigma, c, balance} : null;
    }
}
