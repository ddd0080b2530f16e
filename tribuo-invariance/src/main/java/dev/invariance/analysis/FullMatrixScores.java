package dev.invariance.analysis;

import dev.invariance.linalg.ProductSigma;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;

/**
 * The pair scores that need both full matrices, {σ₁(W_to W_from), c, ‖B − A‖_F} for W_from (d × n) feeding
 * W_to (m × d), with A = W_from W_fromᵀ and B = W_toᵀ W_to: σ₁ of the product for the weighted alignment of
 * science.md 2.6, the commutator score c = ‖AB − BA‖_F / (√2 ‖A‖_F ‖B‖_F) of 2.7 and the balancedness ‖B − A‖_F of
 * 2.9. This class chooses the route; each route is a class of its own:
 * <ul>
 *   <li>Gram path (d ≤ n + m, {@link #useGramPath}): through the d × d Gram matrices ({@link GramPairScores});</li>
 *   <li>low-rank path (d &gt; n + m): through their low-rank factors in row blocks, never forming a d × d matrix
 *       ({@link LowRankPairScores});</li>
 *   <li>large float32-stored pairs form the products in single precision, to the precision the data carry
 *       ({@link SingleGramPairScores}, {@link SingleLowRankPairScores}), and fall back to double where that would
 *       lose c or the balancedness to cancellation.</li>
 * </ul>
 * Both double paths are exact: every entry of AB − BA and of B − A is formed before it is squared (or, on the
 * low-rank path, a difference of traces that would lose the figure is recomputed so), so an aligned pair's
 * c ≈ 1e-12 is not lost to cancellation (trace identities such as ‖AB − BA‖² = 2 tr(A²B²) − 2 tr((AB)²) would lose
 * it). On the Gram path the single-precision σ₁ comes from the operators Fᵀ B F or T A Tᵀ without forming the m × n
 * product when that is estimated cheaper ({@link ProductSigma}).
 */
final class FullMatrixScores {
    /** Smallest d for which float32-stored pairs take the single-precision Gram path ({@link SingleGramPairScores}). */
    static final int SINGLE_MIN = 512;

    /**
     * Below this, c or the relative balancedness from single-precision products ({@link SingleGramPairScores}) is
     * recomputed in double. Rounding errors of the products add up like √d·u (≈ 2·10⁻⁶ at d = 1024; measured on
     * B5's Gaussian 1024 × 1024 pairs: within 1e-8 relative of the double figures at c ≈ 0.016), so a figure at
     * this threshold is still good to about 0.2%; smaller ones (nearly aligned or balanced pairs) are exact.
     */
    static final double SINGLE_TRUST = 1e-3;

    private FullMatrixScores() {
    }

    /**
     * {σ₁(W_to W_from), c, balancedness} from both matrices, in double precision, except for large float32-stored
     * pairs ({@link #useSinglePath}, {@link #useSingleLowRankPath}), whose products are formed in single precision
     * unless c or the balancedness would lose digits there.
     */
    static double[] of(WeightMatrix wf, WeightMatrix wt, LayerSpectrum sa, LayerSpectrum sb,
                       AnalysisOptions options) {
        double[] single = singlePrecision(wf, wt, options);
        return single != null ? single : doublePrecision(wf, wt, options);
    }

    /**
     * The scores of {@link #of} from the single-precision paths ({@link SingleGramPairScores},
     * {@link SingleLowRankPairScores}), or null when neither applies or trusts its result (the caller then takes
     * {@link #doublePrecision}).
     */
    static double @Nullable [] singlePrecision(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options) {
        return singlePrecision(wf, wt, options, TruncatedSvd.withDefaults());
    }

    /**
     * As {@link #singlePrecision(WeightMatrix, WeightMatrix, AnalysisOptions)}, with σ₁ of formed products computed
     * by {@code solver}.
     */
    static double @Nullable [] singlePrecision(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options,
                                               TruncatedSvd solver) {
        return singlePrecision(wf, wt, options, solver, PairGramSource.formed(wf, wt));
    }

    /**
     * As {@link #singlePrecision(WeightMatrix, WeightMatrix, AnalysisOptions, TruncatedSvd)}, with the Gram matrices
     * of both layers taken from {@code grams}.
     */
    static double @Nullable [] singlePrecision(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options,
                                               TruncatedSvd solver, PairGramSource grams) {
        if (useSinglePath(wf, wt)) {
            return SingleGramPairScores.scores(wf, wt, options, solver, grams);
        }
        if (useSingleLowRankPath(wf, wt)) {
            return SingleLowRankPairScores.scores(wf, wt, options, solver, grams);
        }
        return null;
    }

    /** The scores of {@link #of} in double precision (Gram or low-rank path). */
    static double[] doublePrecision(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options) {
        int d = wf.getRows();
        int n = wf.getColumns();
        int m = wt.getRows();
        double[] f = wf.toRowMajorArray();
        // W_to is also read in column panels (offset i0, leading dimension d); netlib's argument check wants a
        // whole leading dimension after the last panel's start, hence d entries of padding.
        double[] t = Arrays.copyOf(wt.toRowMajorArray(), m * d + d);
        if (useGramPath(wf, wt)) {
            return GramPairScores.scores(f, t, d, n, m, options);
        }
        return LowRankPairScores.scores(f, t, d, n, m, options);
    }

    /** Whether the d × d Gram matrices are the cheaper route: d ≤ n + m (and always for small d). */
    static boolean useGramPath(WeightMatrix wf, WeightMatrix wt) {
        return gramPath(wf.getRows(), wf.getColumns(), wt.getRows());
    }

    /** {@link #useGramPath} for W_from (d × n) feeding W_to (m × d). */
    static boolean gramPath(int d, int n, int m) {
        return d <= 512 || d <= (long) n + m;
    }

    /**
     * Whether {@link #of} tries single precision first: both matrices are held as floats (float32 storage, so their
     * entries are exact in single precision), the Gram path applies and d ≥ {@link #SINGLE_MIN}.
     */
    static boolean useSinglePath(WeightMatrix wf, WeightMatrix wt) {
        return wf.isSinglePrecision() && wt.isSinglePrecision()
                && singleGramPath(wf.getRows(), wf.getColumns(), wt.getRows());
    }

    /**
     * Whether {@link #of} tries the low-rank path in single precision first: both matrices held as floats (float32
     * storage), the low-rank path applies (d &gt; n + m) and its products are large, d·(n + m)² ≥
     * {@link #SINGLE_MIN}³ (as the Gram path's d³ at its threshold; smaller pairs cost little in double, which
     * keeps their figures to double precision).
     */
    static boolean useSingleLowRankPath(WeightMatrix wf, WeightMatrix wt) {
        return wf.isSinglePrecision() && wt.isSinglePrecision()
                && singleLowRankPath(wf.getRows(), wf.getColumns(), wt.getRows());
    }

    /** The widths' half of {@link #useSinglePath}. */
    static boolean singleGramPath(int d, int n, int m) {
        return d >= SINGLE_MIN && gramPath(d, n, m);
    }

    /** The widths' half of {@link #useSingleLowRankPath}. */
    static boolean singleLowRankPath(int d, int n, int m) {
        long k = (long) n + m;
        return d >= SINGLE_MIN && !gramPath(d, n, m) && d * k * k >= (long) SINGLE_MIN * SINGLE_MIN * SINGLE_MIN;
    }
}
