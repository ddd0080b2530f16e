package dev.invariance.analysis;

import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.network.WeightMatrix;

import static dev.invariance.analysis.RowMajorKernels.gemm;
import static dev.invariance.analysis.RowMajorKernels.syrk;
import static dev.invariance.analysis.SumOfSquares.square;

/**
 * The full-matrix pair scores {σ₁(W_to W_from), c, ‖B − A‖_F} in double precision for W_from = F (d × n) feeding
 * W_to (m × d) with d &gt; n + m, through low-rank factors, never forming a d × d matrix. With A = F Fᵀ,
 * B = W_toᵀ W_to, Q = W_to F (m × n), G = Qᵀ, S_f = FᵀF and S_t = W_to W_toᵀ: ‖A‖_F = ‖S_f‖_F, ‖B‖_F = ‖S_t‖_F,
 * ‖AB‖_F² = ⟨S_f G, G S_t⟩, tr((AB)²) = ‖GGᵀ‖_F² and tr(AB) = ‖G‖_F², so the commutator score of science.md 2.7 is
 * c² = (‖AB‖² − tr((AB)²)) / (‖A‖²‖B‖²) and the balancedness of 2.9 is ‖B − A‖² = ‖A‖² + ‖B‖² − 2‖G‖², from n × n
 * and m × m matrices. These differences lose about log₁₀(1/c²) digits, so a result below {@link #TRUST} (relative
 * to the terms) is recomputed exactly in row blocks of AB − BA and B − A ({@link #exactBlocks}).
 */
final class LowRankPairScores {
    /** Rows per block of the exact recomputation (b × d double buffers). */
    static final int BLOCK = 256;

    /**
     * Below this, a difference of traces (relative to its terms) is recomputed exactly: a trusted c² ≥ 1e-4 carries a
     * relative error of at most about k·ε/1e-4 ≈ 4e-9 for sums of k ≤ 2·10⁴ terms, c half of it.
     */
    static final double TRUST = 1e-4;

    private LowRankPairScores() {
    }

    /**
     * {σ₁(W_to W_from), c, ‖B − A‖_F} from the row-major weights {@code f} (W_from, d × n) and {@code t} (W_to,
     * m × d, with d entries of padding after it: see {@link FullMatrixScores#doublePrecision}); σ₁ from the formed
     * m × n product Q.
     */
    static double[] scores(double[] f, double[] t, int d, int n, int m, AnalysisOptions options) {
        double[] q = new double[m * n];
        gemm(false, false, m, n, d, 1.0, t, 0, d, f, 0, n, 0.0, q, 0, n); // Q = W_to W_from = Gᵀ
        double sigma = LeadingSingularValue.of(WeightMatrix.fromRowMajor(m, n, q), options);
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
     * {‖AB − BA‖_F, ‖B − A‖_F} exactly, without any d × d matrix: with P = Qᵀ W_to (n × d), AB = F P, so row block
     * I of AB − BA is F[I,:] P[:, J] − (F[J,:] P[:, I])ᵀ, and of B − A it is W_to[:, I]ᵀ W_to[:, J] − F[I,:] F[J,:]ᵀ;
     * only blocks J ≥ I are formed (off-diagonal ones counted twice). Cost about 2nd² flops per norm.
     */
    static double[] exactBlocks(double[] f, double[] t, double[] q, int d, int n, int m, boolean wantComm,
                                boolean wantBal) {
        // empty when not wanted: never read then
        double[] p = wantComm ? new double[n * d + d] : new double[0];
        if (wantComm) {
            gemm(true, false, n, d, m, 1.0, q, 0, n, t, 0, d, 0.0, p, 0, d);
        }
        double[] c1 = wantComm ? new double[BLOCK * d] : new double[0];
        double[] c2 = wantComm ? new double[BLOCK * d] : new double[0];
        double[] e = wantBal ? new double[BLOCK * d] : new double[0];
        double[] comm = SumOfSquares.empty();
        double[] bal = SumOfSquares.empty();
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
                        SumOfSquares.accumulate(comm, c1[r * w + col] - c2[col * b + r], weight);
                    }
                    if (wantBal) {
                        SumOfSquares.accumulate(bal, e[r * w + col], weight);
                    }
                }
            }
        }
        return new double[] {SumOfSquares.norm(comm), SumOfSquares.norm(bal)};
    }
}
