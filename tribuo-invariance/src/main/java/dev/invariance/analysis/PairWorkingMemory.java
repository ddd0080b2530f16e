package dev.invariance.analysis;

import dev.invariance.linalg.GramSvd;
import dev.invariance.linalg.TruncatedSvd;

/**
 * Bytes of working memory the full-matrix pair scores ({@link FullMatrixScores}) take for W_from (d × n) feeding
 * W_to (m × d), beyond the two stored matrices: what the memory plan ({@link MemoryPlan}) reserves for a pair.
 */
final class PairWorkingMemory {
    private PairWorkingMemory() {
    }

    /**
     * Bytes of working memory {@link FullMatrixScores#doublePrecision} takes beyond the two stored matrices: double
     * copies of both; on the Gram path A, B, AB (or two Cholesky factors and their product) and the m × n product
     * where σ₁ forms it; on the low-rank path Q and two more m × n products, S_f, S_t, QQᵀ and, for an exact
     * recomputation, P (n × d) and three b × d blocks.
     */
    static long doublePrecisionBytes(int d, int n, int m) {
        long copies = 8L * ((long) d * n + (long) m * d + d);
        if (d <= 512 || d <= n + m) {
            boolean direct = (long) m * n <= (long) d * d || (long) m * n * d <= 1L << 30;
            return copies + 8L * 3 * d * d + (direct ? 8L * m * n : 8L * 3 * d * d);
        }
        return copies + 8L * (3L * m * n + (long) n * n + 2L * m * m + (long) n * d
                + 3L * LowRankPairScores.BLOCK * d);
    }

    /**
     * Bytes of working memory {@link FullMatrixScores#singlePrecision} takes at its peak beyond the two stored
     * matrices (float32, used in place), or 0 when no single-precision path applies to these widths: on the Gram
     * path forming A and then B ({@link GramSvd#roundedGram}: in double, then rounded; a full-mode analysis usually
     * hands them over formed, but the plan does not count on it), the largest of A, B and AB together (d × d floats
     * each), A and B with the operator's float Lanczos, and the m × n product (in AB's buffer when it fits) with its
     * float Lanczos, A and B being dropped by then; on the low-rank path Q with S_f and then S_t being formed, then
     * Q, Q S_f, S_t Q (m × n), S_f, S_t and QQᵀ, and the Lanczos on Q.
     */
    static long singlePrecisionBytes(int d, int n, int m) {
        boolean gram = FullMatrixScores.singleGramPath(d, n, m);
        if (!gram && !FullMatrixScores.singleLowRankPath(d, n, m)) {
            return 0;
        }
        long limit = TruncatedSvd.DEFAULT_BASIS_LIMIT;
        long lanczos = 4L * (limit + 32) * Math.max(n, m) + 8L * limit * limit + 8L * 32 * (n + m);
        if (gram) {
            long square = 4L * d * d;
            long forming = Math.max(GramSvd.roundedGramBytes(d, n, true),
                    square + GramSvd.roundedGramBytes(m, d, false));
            long product = 4L * m * n > square ? square + 4L * m * n : square; // formed in AB's buffer when it fits
            // the m × n product is formed when the operator route is not preferred or does not converge
            return Math.max(forming, Math.max(3 * square, Math.max(2 * square, product) + lanczos)) + (1L << 20);
        }
        long q = 4L * m * n;
        long forming = q + Math.max(GramSvd.roundedGramBytes(d, n, false),
                4L * n * n + GramSvd.roundedGramBytes(m, d, true));
        return Math.max(forming, 4L * (3L * m * n + (long) n * n + 2L * m * m) + lanczos) + (1L << 20);
    }
}
