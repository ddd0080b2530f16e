package dev.invariance.analysis;

import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.network.WeightMatrix;

import static dev.invariance.analysis.RowMajorKernels.cholesky;
import static dev.invariance.analysis.RowMajorKernels.gemm;
import static dev.invariance.analysis.RowMajorKernels.syrk;

/**
 * The full-matrix pair scores {σ₁(W_to W_from), c, ‖B − A‖_F} in double precision through the d × d Gram matrices,
 * for W_from (d × n) feeding W_to (m × d) with d ≤ n + m ({@link FullMatrixScores#useGramPath}):
 * A = W_from W_fromᵀ and B = W_toᵀ W_to by {@code dsyrk}, C = AB; the commutator score of science.md 2.7,
 * c = ‖AB − BA‖_F / (√2 ‖A‖_F ‖B‖_F), with AB − BA = C − Cᵀ (A and B are symmetric), and the balancedness of 2.9,
 * ‖B − A‖_F, are summed entry by entry ({@link SumOfSquares}), each entry formed before it is squared, so that an
 * aligned or balanced pair keeps its small figure instead of losing it to cancellation.
 */
final class GramPairScores {
    private GramPairScores() {
    }

    /**
     * {σ₁(W_to W_from), c, ‖B − A‖_F} from the row-major weights {@code f} (W_from, d × n) and {@code t} (W_to,
     * m × d, with d entries of padding after it: see {@link FullMatrixScores#doublePrecision}).
     */
    static double[] scores(double[] f, double[] t, int d, int n, int m, AnalysisOptions options) {
        double[] a = new double[d * d];
        double[] b = new double[d * d];
        syrk(f, d, n, false, a);
        syrk(t, d, m, true, b);
        double na = MatrixOps.frobenius(a);
        double nb = MatrixOps.frobenius(b);
        double[] bal = SumOfSquares.empty();
        for (int i = 0; i < d * d; i++) {
            SumOfSquares.accumulate(bal, b[i] - a[i], 1.0);
        }
        double c = Double.NaN;
        double[] prod = new double[d * d];
        if (na > 0 && nb > 0) {
            gemm(false, false, d, d, d, 1.0, a, 0, d, b, 0, d, 0.0, prod, 0, d);
            double[] comm = SumOfSquares.empty();
            for (int i = 0; i < d; i++) {
                for (int j = i + 1; j < d; j++) {
                    SumOfSquares.accumulate(comm, prod[i * d + j] - prod[j * d + i], 2.0);
                }
            }
            c = SumOfSquares.norm(comm) / (Math.sqrt(2.0) * na * nb);
        }
        prod = null;
        double sigma = productSigma(f, t, a, b, d, n, m, options);
        return new double[] {sigma, c, SumOfSquares.norm(bal)};
    }

    /**
     * σ₁(W_to W_from) with A and B at hand: from the m × n product when forming it costs no more than d³ (or is
     * small); otherwise as σ₁(R L) with A = L Lᵀ and B = RᵀR (Cholesky, d × d), since (RL)ᵀ(RL) = Lᵀ B L has the
     * eigenvalues of B A; if A or B is singular to working precision the product is formed after all.
     */
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
                return LeadingSingularValue.of(WeightMatrix.fromRowMajor(d, d, rl), options);
            }
        }
        double[] pr = new double[m * n];
        gemm(false, false, m, n, d, 1.0, t, 0, d, f, 0, n, 0.0, pr, 0, n);
        return LeadingSingularValue.of(WeightMatrix.fromRowMajor(m, n, pr), options);
    }
}
