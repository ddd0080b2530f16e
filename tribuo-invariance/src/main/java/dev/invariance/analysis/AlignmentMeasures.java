package dev.invariance.analysis;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.LinearAlgebraBackend;
import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.linalg.ProductSigma;
import dev.invariance.linalg.Spectrum;
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
 * cancellation (trace identities such as ‖AB − BA‖² = 2 tr(A²B²) − 2 tr((AB)²) would lose it). Large float32-stored
 * pairs form the products in single precision, to the precision the data carry, and fall back to double where that
 * would lose c or the balancedness to cancellation ({@link #singleGramScores}, {@link #singleLowRankScores}); on the
 * Gram path their σ₁(W_to W_from) comes from the operators Fᵀ B F or T A Tᵀ without forming the m × n product when
 * that is estimated cheaper ({@link ProductSigma}).
 */
final class AlignmentMeasures {
    /** Rows per block of the low-rank path (b × d double buffers). */
    private static final int BLOCK = 256;

    private AlignmentMeasures() {
    }

    static PairMetrics compute(int producer, int consumer, String producerName, String consumerName,
                               boolean viaResidual, LayerSpectrum a, LayerSpectrum b, @Nullable WeightMatrix wf,
                               @Nullable WeightMatrix wt, AnalysisOptions options) {
        requireChained(a, b, producerName, consumerName);
        double[] scores = wf != null && wt != null ? fullMatrixScores(wf, wt, a, b, options) : null;
        return compute(producer, consumer, producerName, consumerName, viaResidual, a, b, scores, options);
    }

    /**
     * As {@link #compute(int, int, String, String, boolean, LayerSpectrum, LayerSpectrum, WeightMatrix, WeightMatrix,
     * AnalysisOptions)} with the full-matrix scores {σ₁(W_to W_from), c, balancedness} already computed (null when
     * the matrices are not at hand: those metrics are then null, not computed).
     */
    static PairMetrics compute(int producer, int consumer, String producerName, String consumerName,
                               boolean viaResidual, LayerSpectrum a, LayerSpectrum b, double @Nullable [] scores,
                               AnalysisOptions options) {
        requireChained(a, b, producerName, consumerName);
        double nan = Double.NaN;
        boolean full = scores != null;
        double delta = options.getMatchedRankTolerance();
        int ra = a.relativeRank(delta);
        int rb = b.relativeRank(delta);
        Integer k = ra < 0 || rb < 0 ? null : Math.min(ra, rb);
        if (a.isZero() || b.isZero()) {
            Double undefined = full ? nan : null;
            Double matchedUndefined = k == null ? null : nan;
            return new PairMetrics(producer, consumer, producerName, consumerName, viaResidual, nan, undefined,
                    undefined, undefined, full ? scores[2] : null, k, matchedUndefined,
                    k == null ? null : false, matchedUndefined);
        }
        double adjacent = Math.abs(dot(b.vectors.rightVector(0), a.vectors.leftVector(0)));
        Double weighted = null;
        Double c = null;
        Double balance = null;
        if (full) {
            weighted = scores[0] / (SpectralMeasures.sigma(a.values, 0) * SpectralMeasures.sigma(b.values, 0));
            c = scores[1];
            balance = scores[2];
        }
        Double matched = null;
        Double subspace = null;
        Boolean permutation = null;
        if (k != null && k == 0) {
            matched = nan; // no leading directions to match: undefined, not "not computed"
            subspace = nan;
            permutation = false;
        } else if (k != null && k <= options.getSubspaceRankLimit() && k <= a.vectorCount() && k <= b.vectorCount()) {
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
            boolean isPermutation = true;
            for (int j = 0; j < k; j++) {
                int arg = 0;
                for (int l = 0; l < k; l++) {
                    sumSq += mm[j][l] * mm[j][l];
                    if (Math.abs(mm[j][l]) > Math.abs(mm[j][arg])) {
                        arg = l;
                    }
                }
                sumMax += Math.abs(mm[j][arg]);
                isPermutation &= !used[arg];
                used[arg] = true;
            }
            matched = sumMax / k;
            subspace = sumSq / k;
            permutation = isPermutation;
        }
        return new PairMetrics(producer, consumer, producerName, consumerName, viaResidual, adjacent, weighted, c,
                c == null ? null : 1.0 - c, balance, k, matched, permutation, subspace);
    }

    private static void requireChained(LayerSpectrum a, LayerSpectrum b, String producerName, String consumerName) {
        if (a.rows != b.columns) {
            throw new IllegalArgumentException("layer " + producerName + " produces " + a.rows
                    + " outputs but layer " + consumerName + " reads " + b.columns);
        }
    }

    /** Whether the d × d Gram matrices are the cheaper route: d ≤ n + m (and always for small d). */
    static boolean useGramPath(WeightMatrix wf, WeightMatrix wt) {
        int d = wf.getRows();
        return d <= 512 || d <= wf.getColumns() + wt.getRows();
    }

    /**
     * Bytes of working memory {@link #doublePrecisionScores} takes beyond the two stored matrices: double copies of
     * both; on the Gram path A, B, AB (or two Cholesky factors and their product) and the m × n product where
     * σ₁ forms it; on the low-rank path Q and two more m × n products, S_f, S_t, QQᵀ and, for an exact
     * recomputation, P (n × d) and three b × d blocks.
     */
    static long workingBytes(int d, int n, int m) {
        long copies = 8L * ((long) d * n + (long) m * d + d);
        if (d <= 512 || d <= n + m) {
            boolean direct = (long) m * n <= (long) d * d || (long) m * n * d <= 1L << 30;
            return copies + 8L * 3 * d * d + (direct ? 8L * m * n : 8L * 3 * d * d);
        }
        return copies + 8L * (3L * m * n + (long) n * n + 2L * m * m + (long) n * d + 3L * BLOCK * d);
    }

    /**
     * Bytes of working memory {@link #singlePrecisionScores} takes at its peak beyond the two stored matrices
     * (float32, used in place), or 0 when no single-precision path applies to these widths: on the Gram path the
     * largest of A, B and AB together (d × d floats each), A and B with the operator's float Lanczos, and the m × n
     * product (in AB's buffer when it fits) with its float Lanczos, A and B being dropped by then; on the low-rank
     * path Q, Q S_f, S_t Q (m × n), S_f, S_t and QQᵀ, and the Lanczos on Q.
     */
    static long singleWorkingBytes(int d, int n, int m) {
        if (d < SINGLE_MIN) {
            return 0;
        }
        boolean gram = d <= n + m;
        if (!gram && (long) d * ((long) n + m) * ((long) n + m) < (long) SINGLE_MIN * SINGLE_MIN * SINGLE_MIN) {
            return 0;
        }
        long limit = TruncatedSvd.DEFAULT_BASIS_LIMIT;
        long lanczos = 4L * (limit + 32) * Math.max(n, m) + 8L * limit * limit + 8L * 32 * (n + m);
        if (gram) {
            long square = 4L * d * d;
            long product = 4L * m * n > square ? square + 4L * m * n : square; // formed in AB's buffer when it fits
            // the m × n product is formed when the operator route is not preferred or does not converge
            return Math.max(3 * square, Math.max(2 * square, product) + lanczos) + (1L << 20);
        }
        return 4L * (3L * m * n + (long) n * n + 2L * m * m) + lanczos + (1L << 20);
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

    /**
     * {σ₁(W_to W_from), c, balancedness} from both matrices, in double precision, except for large float32-stored
     * pairs ({@link #useSinglePath}, {@link #useSingleLowRankPath}), whose products are formed in single precision
     * unless c or the balancedness would lose digits there ({@link #singleGramScores},
     * {@link #singleLowRankScores}).
     * <ul>
     *   <li>Gram path (d ≤ n + m): A = W_from W_fromᵀ and B = W_toᵀ W_to by {@code dsyrk}, C = AB; c and ‖B − A‖_F
     *       summed entry by entry from C − Cᵀ and B − A.</li>
     *   <li>Low-rank path (d > n + m), with F = W_from (d × n), G = W_fromᵀ W_toᵀ (n × m), S_f = FᵀF, S_t = W_to W_toᵀ:
     *       ‖A‖_F = ‖S_f‖_F, ‖B‖_F = ‖S_t‖_F, ‖AB‖_F² = ⟨S_f G, G S_t⟩, tr((AB)²) = ‖GGᵀ‖_F² and tr(AB) = ‖G‖_F²,
     *       so c² = (‖AB‖² − tr((AB)²)) / (‖A‖²‖B‖²) and ‖B − A‖² = ‖A‖² + ‖B‖² − 2‖G‖² from n × n and m × m
     *       matrices. These differences lose about log₁₀(1/c²) digits, so a result below {@link #TRUST} (relative to
     *       the terms) is recomputed exactly in row blocks of AB − BA and B − A ({@link #exactBlocks}).</li>
     *   <li>σ₁(W_to W_from) from the m × n product when forming it costs no more than d³ (or is small); otherwise as
     *       σ₁(R L) with A = L Lᵀ and B = RᵀR (Cholesky, d × d), since (RL)ᵀ(RL) = Lᵀ B L has the eigenvalues of
     *       B A; if A or B is singular to working precision the product is formed after all.</li>
     * </ul>
     */
    static double[] fullMatrixScores(WeightMatrix wf, WeightMatrix wt, LayerSpectrum sa, LayerSpectrum sb,
                                     AnalysisOptions options) {
        double[] single = singlePrecisionScores(wf, wt, options);
        return single != null ? single : doublePrecisionScores(wf, wt, options);
    }

    /**
     * The scores of {@link #fullMatrixScores} from the single-precision paths ({@link #singleGramScores},
     * {@link #singleLowRankScores}), or null when neither applies or trusts its result (the caller then takes
     * {@link #doublePrecisionScores}).
     */
    static double @Nullable [] singlePrecisionScores(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options) {
        return singlePrecisionScores(wf, wt, options, TruncatedSvd.withDefaults());
    }

    /**
     * As {@link #singlePrecisionScores(WeightMatrix, WeightMatrix, AnalysisOptions)}, with σ₁ of formed products
     * computed by {@code solver}.
     */
    static double @Nullable [] singlePrecisionScores(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options,
                                                     TruncatedSvd solver) {
        if (useSinglePath(wf, wt)) {
            return singleGramScores(wf, wt, options, solver);
        }
        if (useSingleLowRankPath(wf, wt)) {
            return singleLowRankScores(wf, wt, options, solver);
        }
        return null;
    }

    /** The scores of {@link #fullMatrixScores} in double precision (Gram or low-rank path). */
    static double[] doublePrecisionScores(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options) {
        int d = wf.getRows();
        int n = wf.getColumns();
        int m = wt.getRows();
        double[] f = wf.toRowMajorArray();
        // W_to is also read in column panels (offset i0, leading dimension d); netlib's argument check wants a
        // whole leading dimension after the last panel's start, hence d entries of padding.
        double[] t = Arrays.copyOf(wt.toRowMajorArray(), m * d + d);
        if (useGramPath(wf, wt)) {
            double[] a = new double[d * d];
            double[] b = new double[d * d];
            syrk(f, d, n, false, a);
            syrk(t, d, m, true, b);
            double na = MatrixOps.frobenius(a);
            double nb = MatrixOps.frobenius(b);
            double[] bal = {0, 1};
            for (int i = 0; i < d * d; i++) {
                accumulate(bal, b[i] - a[i], 1.0);
            }
            double c = Double.NaN;
            double[] prod = new double[d * d];
            if (na > 0 && nb > 0) {
                gemm(false, false, d, d, d, 1.0, a, 0, d, b, 0, d, 0.0, prod, 0, d);
                double[] comm = {0, 1};
                for (int i = 0; i < d; i++) {
                    for (int j = i + 1; j < d; j++) {
                        accumulate(comm, prod[i * d + j] - prod[j * d + i], 2.0);
                    }
                }
                c = comm[0] * Math.sqrt(comm[1]) / (Math.sqrt(2.0) * na * nb);
            }
            prod = null;
            double sigma = productSigma(f, t, a, b, d, n, m, options);
            return new double[] {sigma, c, bal[0] * Math.sqrt(bal[1])};
        }
        double[] q = new double[m * n];
        gemm(false, false, m, n, d, 1.0, t, 0, d, f, 0, n, 0.0, q, 0, n); // Q = W_to W_from = Gᵀ
        double sigma = topSigma(WeightMatrix.fromRowMajor(m, n, q), options);
        double[] sf = new double[n * n];
        double[] st = new double[m * m];
        syrk(f, n, d, true, sf);   // FᵀF: F row-major d × n
        syrk(t, m, d, false, st);  // W_to W_toᵀ: W_to row-major m × d
        double a2 = square(MatrixOps.frobenius(sf));
        double b2 = square(MatrixOps.frobenius(st));
        // ‖AB‖² = ⟨S_f G, G S_t⟩ with G = Qᵀ: S_f G = (Q S_f)ᵀ, G S_t = (S_t Q)ᵀ
        double[] x = new double[m * n];
        double[] y = new double[m * n];
        gemm(false, false, m, n, n, 1.0, q, 0, n, sf, 0, n, 0.0, x, 0, n);
        gemm(false, false, m, n, m, 1.0, st, 0, m, q, 0, n, 0.0, y, 0, n);
        double ab2 = 0;
        for (int i = 0; i < x.length; i++) {
            ab2 += x[i] * y[i];
        }
        x = null;
        y = null;
        double[] qqt = new double[m * m];
        syrk(q, m, n, false, qqt); // Q Qᵀ = GᵀG, same Frobenius norm as G Gᵀ
        double trAbAb = square(MatrixOps.frobenius(qqt));
        double g2 = square(MatrixOps.frobenius(q));
        double c2 = (ab2 - trAbAb) / (a2 * b2);
        double bal2 = a2 + b2 - 2 * g2;
        boolean cTrusted = c2 >= TRUST;
        boolean balTrusted = bal2 >= TRUST * (a2 + b2);
        double c = a2 > 0 && b2 > 0 ? Math.sqrt(Math.max(c2, 0)) : Double.NaN;
        double bal = Math.sqrt(Math.max(bal2, 0));
        if (!(cTrusted || Double.isNaN(c)) || !balTrusted) {
            double[] exact = exactBlocks(f, t, q, d, n, m, !cTrusted, !balTrusted);
            if (!cTrusted && !Double.isNaN(c)) {
                c = exact[0] / (Math.sqrt(2.0) * Math.sqrt(a2) * Math.sqrt(b2));
            }
            if (!balTrusted) {
                bal = exact[1];
            }
        }
        return new double[] {sigma, c, bal};
    }

    /**
     * Whether {@link #fullMatrixScores} tries the low-rank path in single precision first: both matrices held as
     * floats (float32 storage), the low-rank path applies (d &gt; n + m) and its products are large, d·(n + m)² ≥
     * {@link #SINGLE_MIN}³ (as the Gram path's d³ at its threshold; smaller pairs cost little in double, which
     * keeps their figures to double precision).
     */
    static boolean useSingleLowRankPath(WeightMatrix wf, WeightMatrix wt) {
        long d = wf.getRows();
        long k = (long) wf.getColumns() + wt.getRows();
        return wf.isSinglePrecision() && wt.isSinglePrecision() && d >= SINGLE_MIN && !useGramPath(wf, wt)
                && d * k * k >= (long) SINGLE_MIN * SINGLE_MIN * SINGLE_MIN;
    }

    /** Unit roundoff of float32, 2⁻²⁴. */
    private static final double FLOAT_U = 0x1p-24;

    /**
     * {σ₁(W_to W_from), c, ‖B − A‖_F} of a float32-stored low-rank pair (d &gt; n + m) by the trace formulas of the
     * double low-rank path ({@link #fullMatrixScores}) with every product in single precision (Q = W_to W_from,
     * S_f = FᵀF, S_t = W_to W_toᵀ, Q S_f, S_t Q, Q Qᵀ by {@code sgemm}/{@code ssyrk}, about 3× faster than the
     * double products) and every sum of squares or products of entries in double; null when the figures cannot be
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
     * are trusted when both are at most {@link #SINGLE_TRUST} (then c is within SINGLE_TRUST/2 relative, as on the
     * single Gram path). A nearly aligned pair (c² ≈ 0: the difference cancels) or one with nearly orthogonal
     * ranges (Q ≈ 0: the products cancel) therefore falls back to double. On B7's GPT-2-XL-shaped 6400 × 1600 into
     * 1600 × 6400 pairs (c ≈ 0.012, κ ≈ 80, cancellation factor ≈ 1.1) e_c ≈ 4·10⁻⁴, and the measured error of c²
     * against double products is about 10⁻⁹. The rule rests on the probabilistic estimate: under the worst-case
     * bound (ε = d·u, 80× larger at d = 6400) B7's pairs would not qualify, while the errors measured there and in
     * the tests stay five orders of magnitude below the estimate. σ₁ is that of the single-precision Q (float
     * Lanczos) refined in double from the weights ({@link ProductSigma#refine}).
     */
    static double @Nullable [] singleLowRankScores(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options,
                                                   TruncatedSvd solver) {
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
        float[] sf = new float[n * n];
        float[] st = new float[m * m];
        // row-major F (d × n) is column-major Fᵀ (n × d, ld n): FᵀF = Fᵀ (Fᵀ)ᵀ is "N";
        // row-major W_to (m × d) is column-major W_toᵀ (d × m, ld d): W_to W_toᵀ = (W_toᵀ)ᵀ W_toᵀ is "T".
        blas.ssyrk("U", "N", n, d, 1.0f, f, n, 0.0f, sf, n);
        blas.ssyrk("U", "T", m, d, 1.0f, t, d, 0.0f, st, m);
        mirror(sf, n);
        mirror(st, m);
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
        double sigma = formedProductSigma(f, t, q, d, n, m, options, solver, true);
        return Double.isFinite(sigma) && Double.isFinite(c) ? new double[] {sigma, c, Math.sqrt(bal2)} : null;
    }

    /** Smallest d for which float32-stored pairs take the single-precision Gram path ({@link #singleGramScores}). */
    static final int SINGLE_MIN = 512;

    /**
     * Whether {@link #fullMatrixScores} tries single precision first: both matrices are held as floats (float32
     * storage, so their entries are exact in single precision), the Gram path applies and d ≥ {@link #SINGLE_MIN}.
     */
    static boolean useSinglePath(WeightMatrix wf, WeightMatrix wt) {
        return wf.isSinglePrecision() && wt.isSinglePrecision() && wf.getRows() >= SINGLE_MIN
                && useGramPath(wf, wt);
    }

    /**
     * {σ₁(W_to W_from), c, ‖B − A‖_F} of a float32-stored pair with A = W_from W_fromᵀ, B = W_toᵀ W_to, C = AB and
     * P = W_to W_from formed in single precision ({@code ssyrk}, {@code sgemm}, about twice the speed of the double
     * products); the squares of the entries of C − Cᵀ and B − A and the norms are then summed in double (no
     * scaling needed: squares of float-range values cannot overflow or underflow a double). The inputs are exact in
     * single precision, so the only error is the rounding of the products: with u = 2⁻²⁴ ≈ 6·10⁻⁸, each entry of A,
     * B carries at most γ = n·u (resp. m·u) relative to the norms of its rows, and C one more d·u, so
     * ‖fl(C − Cᵀ) − (C − Cᵀ)‖_F ≲ 3·d·u·‖A‖_F‖B‖_F and the absolute error of c is at most about 3·d·u/√2
     * (worst case, ≈ 1.3·10⁻⁴ at d = 1024; in practice the errors add up like √d·u, ≈ 2·10⁻⁶): the order by which
     * rounding the weights themselves to float32 moves c, i.e. the precision the data carry. Where that would be a
     * large relative error (c &lt; {@link #SINGLE_TRUST} or ‖B − A‖_F &lt; {@link #SINGLE_TRUST}·√(‖A‖²+‖B‖²):
     * nearly aligned or balanced pairs, whose differences cancel) this returns null and the caller computes
     * everything in double, so such pairs stay exact to double rounding.
     * Products that overflow single precision (weights beyond about 10⁹) also return null. σ₁ comes without P
     * from the operator Fᵀ B F or T A Tᵀ (float Lanczos, refined in double) where {@link ProductSigma#prefersOperator}
     * estimates that cheaper (B5's and B7's pairs: 1.4× resp. 5–13× faster, measured), else from P, formed in single
     * precision, by float Lanczos with the leading value refined in double from the weights.
     */
    private static double @Nullable [] singleGramScores(WeightMatrix wf, WeightMatrix wt, AnalysisOptions options,
                                                        TruncatedSvd solver) {
        int d = wf.getRows();
        int n = wf.getColumns();
        int m = wt.getRows();
        float[] f = floats(wf);
        float[] t = floats(wt);
        BLAS blas = LinearAlgebraBackend.blas();
        float[] a = new float[d * d];
        float[] b = new float[d * d];
        // row-major F (d × n) is column-major Fᵀ (n × d, ld n): A = F Fᵀ = (Fᵀ)ᵀ Fᵀ is "T";
        // row-major W_to (m × d) is column-major W_toᵀ (d × m, ld d): B = W_toᵀ W_to = W_toᵀ (W_toᵀ)ᵀ is "N".
        blas.ssyrk("U", "T", d, n, 1.0f, f, Math.max(1, n), 0.0f, a, d);
        blas.ssyrk("U", "N", d, m, 1.0f, t, d, 0.0f, b, d);
        mirror(a, d);
        mirror(b, d);
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
            sigma = formedProductSigma(f, t, prod, d, n, m, options, solver, false);
        }
        return Double.isFinite(sigma) ? new double[] {sigma, c, balance} : null;
    }

    /**
     * σ₁(W_to W_from) of a float32 pair from the product P = W_to W_from formed in single precision ({@code sgemm},
     * into {@code buffer} when it is large enough; already there when {@code formed}): float Lanczos on P for large pairs, the leading value refined in
     * double from the weights ({@link ProductSigma#refine}), or the dense float32 SVD of P for small ones.
     */
    private static double formedProductSigma(float[] f, float[] t, float @Nullable [] buffer, int d, int n, int m,
                                             AnalysisOptions options, TruncatedSvd solver, boolean formed) {
        float[] p = buffer != null && buffer.length >= m * n ? buffer : new float[m * n];
        if (!formed) {
            // row-major P = W_to W_from (m × n) is column-major Pᵀ = W_fromᵀ W_toᵀ
            LinearAlgebraBackend.blas().sgemm("N", "N", n, m, d, 1.0f, f, Math.max(1, n), t, d, 0.0f, p,
                    Math.max(1, n));
        }
        WeightMatrix product = WeightMatrix.fromRowMajor(m, n, p.length == m * n ? p : Arrays.copyOf(p, m * n));
        if (Math.min(m, n) >= options.getFastTopKThreshold()) {
            Spectrum top = solver.top(product, 1, ElementType.FLOAT32);
            return ProductSigma.refine(f, t, d, n, m, top.rightVector(0));
        }
        return DenseSvd.singularValues(product, ElementType.FLOAT32).singularValue(0);
    }

    /**
     * Below this, c or the relative balancedness from single-precision products ({@link #singleGramScores}) is
     * recomputed in double. Rounding errors of the products add up like √d·u (≈ 2·10⁻⁶ at d = 1024; measured on
     * B5's Gaussian 1024 × 1024 pairs: within 1e-8 relative of the double figures at c ≈ 0.016), so a figure at
     * this threshold is still good to about 0.2%; smaller ones (nearly aligned or balanced pairs) are exact.
     */
    static final double SINGLE_TRUST = 1e-3;

    /**
     * The weights as a row-major float array for BLAS, which only reads it: float storage itself (no copy of
     * matrices that can be hundreds of megabytes), else a rounded copy.
     */
    private static float[] floats(WeightMatrix w) {
        float[] shared = w.sharedFloatStorage();
        return shared != null ? shared : w.toRowMajorFloatArray();
    }

    /**
     * Copies the column-major upper triangle of a k × k symmetric matrix (row-major lower) to the rest, in square
     * tiles so that the strided side stays in cache.
     */
    private static void mirror(float[] out, int k) {
        final int tile = 64;
        for (int j0 = 0; j0 < k; j0 += tile) {
            int j1 = Math.min(k, j0 + tile);
            for (int i0 = 0; i0 <= j0; i0 += tile) {
                int i1 = Math.min(k, i0 + tile);
                for (int j = j0; j < j1; j++) {
                    for (int i = i0; i < Math.min(i1, j); i++) {
                        out[i * k + j] = out[j * k + i];
                    }
                }
            }
        }
    }

    /**
     * ‖X‖_F of a float array, summed in double. No scaling is needed: a float squared lies within double's range
     * (at most about 1.2·10⁷⁷, at least about 2·10⁻⁹⁰ when nonzero), and so does a sum of up to 2³¹ of them.
     */
    private static double frobenius(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    /** Σ_{i<j} (X_ij − X_ji)² of a row-major k × k float matrix, in double, in square tiles (cache-friendly). */
    private static double skewSquares(float[] x, int k) {
        final int tile = 64;
        double s = 0;
        for (int i0 = 0; i0 < k; i0 += tile) {
            int i1 = Math.min(k, i0 + tile);
            for (int j0 = i0; j0 < k; j0 += tile) {
                int j1 = Math.min(k, j0 + tile);
                for (int i = i0; i < i1; i++) {
                    for (int j = Math.max(j0, i + 1); j < j1; j++) {
                        double y = (double) x[i * k + j] - x[j * k + i];
                        s += y * y;
                    }
                }
            }
        }
        return s;
    }

    /**
     * Below this, a difference of traces (relative to its terms) is recomputed exactly: a trusted c² ≥ 1e-4 carries a
     * relative error of at most about k·ε/1e-4 ≈ 4e-9 for sums of k ≤ 2·10⁴ terms, c half of it.
     */
    static final double TRUST = 1e-4;

    private static double square(double x) {
        return x * x;
    }

    /**
     * {‖AB − BA‖_F, ‖B − A‖_F} exactly, without any d × d matrix: with P = Qᵀ W_to (n × d), AB = F P, so row block
     * I of AB − BA is F[I,:] P[:, J] − (F[J,:] P[:, I])ᵀ, and of B − A it is W_to[:, I]ᵀ W_to[:, J] − F[I,:] F[J,:]ᵀ;
     * only blocks J ≥ I are formed (off-diagonal ones counted twice). Cost about 2nd² flops per norm.
     */
    static double[] exactBlocks(double[] f, double[] t, double[] q, int d, int n, int m, boolean wantComm,
                                boolean wantBal) {
        double[] p = wantComm ? new double[n * d + d] : null;
        if (p != null) {
            gemm(true, false, n, d, m, 1.0, q, 0, n, t, 0, d, 0.0, p, 0, d);
        }
        double[] c1 = wantComm ? new double[BLOCK * d] : null;
        double[] c2 = wantComm ? new double[BLOCK * d] : null;
        double[] e = wantBal ? new double[BLOCK * d] : null;
        double[] comm = {0, 1};
        double[] bal = {0, 1};
        for (int i0 = 0; i0 < d; i0 += BLOCK) {
            int b = Math.min(BLOCK, d - i0);
            int w = d - i0;
            if (wantComm) {
                // c1 = F[I,:] P[:, i0:] (b × w); c2 = F[i0:, :] P[:, I] (w × b)
                gemm(false, false, b, w, n, 1.0, f, i0 * n, n, p, i0, d, 0.0, c1, 0, w);
                gemm(false, false, w, b, n, 1.0, f, i0 * n, n, p, i0, d, 0.0, c2, 0, b);
            }
            if (wantBal) {
                // e = W_to[:, I]ᵀ W_to[:, i0:] − F[I,:] F[i0:, :]ᵀ (b × w)
                gemm(true, false, b, w, m, 1.0, t, i0, d, t, i0, d, 0.0, e, 0, w);
                gemm(false, true, b, w, n, -1.0, f, i0 * n, n, f, i0 * n, n, 1.0, e, 0, w);
            }
            for (int r = 0; r < b; r++) {
                for (int col = 0; col < w; col++) {
                    double weight = col < b ? 1.0 : 2.0;
                    if (wantComm) {
                        accumulate(comm, c1[r * w + col] - c2[col * b + r], weight);
                    }
                    if (wantBal) {
                        accumulate(bal, e[r * w + col], weight);
                    }
                }
            }
        }
        return new double[] {comm[0] * Math.sqrt(comm[1]), bal[0] * Math.sqrt(bal[1])};
    }

    /**
     * The full symmetric k × k Gram matrix of a row-major array {@code x}: {@code XᵀX} when {@code transposed}
     * (x holds X as rows × k), else {@code X Xᵀ} (x holds X as k × rows).
     */
    private static void syrk(double[] x, int k, int rows, boolean transposed, double[] out) {
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

    /** σ₁(W_to W_from) on the Gram path (A and B at hand); see {@link #fullMatrixScores}. */
    private static double productSigma(double[] f, double[] t, double[] a, double[] b, int d, int n, int m,
                                       AnalysisOptions options) {
        boolean direct = (long) m * n <= (long) d * d || (long) m * n * d <= 1L << 30;
        if (!direct) {
            double[] l = a.clone();
            double[] r = b.clone();
            if (cholesky(l, d) && cholesky(r, d)) {
                // l: lower L with A = L Lᵀ (row-major); r: lower R' with B = R' R'ᵀ, so R = R'ᵀ and RL = R'ᵀ L.
                double[] rl = new double[d * d];
                gemm(true, false, d, d, d, 1.0, r, 0, d, l, 0, d, 0.0, rl, 0, d);
                return topSigma(WeightMatrix.fromRowMajor(d, d, rl), options);
            }
        }
        double[] pr = new double[m * n];
        gemm(false, false, m, n, d, 1.0, t, 0, d, f, 0, n, 0.0, pr, 0, n);
        return topSigma(WeightMatrix.fromRowMajor(m, n, pr), options);
    }

    /**
     * In place: the lower Cholesky factor of a symmetric positive definite row-major matrix (upper part zeroed);
     * false when LAPACK finds it not positive definite.
     */
    private static boolean cholesky(double[] x, int k) {
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

    private static double topSigma(WeightMatrix p, AnalysisOptions options) {
        int r = Math.min(p.getRows(), p.getColumns());
        if (r == 0) {
            return 0;
        }
        if (r >= options.getFastTopKThreshold()) {
            return TruncatedSvd.withDefaults().top(p, 1, ElementType.FLOAT64).singularValue(0);
        }
        return DenseSvd.singularValues(p).singularValue(0);
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

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }
}
