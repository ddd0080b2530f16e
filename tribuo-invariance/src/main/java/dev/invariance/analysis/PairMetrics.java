package dev.invariance.analysis;

import org.jspecify.annotations.Nullable;

/**
 * Alignment and balancedness of two layers consecutive along the data flow, {@code W_from} (d × d_in) of layer
 * {@code producer} feeding {@code W_to} (d_out × d) of layer {@code consumer}, science.md 2.6, 2.7 and 2.9 (in the
 * formulas below "from" is the producer and "to" the consumer). Every score is NaN (undefined) when either matrix
 * is zero. A score that was not computed is {@code null} (Kotlin: {@code Double?}), never a number: in the top-k
 * spectrum mode the scores that need both full matrices (weighted alignment, commutator, balancedness; null
 * together), and the matched-vector and subspace scores when k is unknown or above the subspace rank limit.
 * The JSON keys stay {@code from}/{@code to}.
 *
 * @param producer             index of the producing layer
 * @param consumer             index of the consuming layer
 * @param producerName         name of layer {@code producer}
 * @param consumerName         name of layer {@code consumer}
 * @param viaResidual          whether the connection passes through a residual addition
 * @param adjacentAlignment    |v_toᵀ u_from| ∈ [0, 1]: u_from = top left singular vector of W_from, v_to = top right
 *                             singular vector of W_to (Ji &amp; Telgarsky)
 * @param weightedAlignment    ‖W_to W_from‖₂ / (‖W_to‖₂ ‖W_from‖₂) ∈ [0, 1], meaningful even when σ₁ is repeated;
 *                             null: not computed
 * @param commutatorScore      c = ‖AB − BA‖_F / (√2 ‖A‖_F ‖B‖_F), A = W_from W_fromᵀ, B = W_toᵀ W_to; 0 iff the pair
 *                             is aligned in the sense of Radhakrishnan et al.; null: not computed
 * @param commutatorAlignment  1 − c; null: not computed
 * @param balancedness         ‖W_toᵀ W_to − W_from W_fromᵀ‖_F (0 for a balanced pair; conserved by gradient flow in
 *                             linear networks); null: not computed
 * @param matchedRank          k = min(relative rank of W_from, of W_to) at the options' δ (default 1e-2); null when
 *                             a partial spectrum cannot settle it
 * @param matchedVectorScore   (1/k) Σ_j max_l |M_jl| with M = V_to[:, :k]ᵀ U_from[:, :k]; NaN when k = 0; null
 *                             (not computed) when k is unknown or above the options' subspace rank limit
 * @param matchedIsPermutation whether the row-wise argmax of |M| is a permutation (false when k = 0); null exactly
 *                             when {@code matchedVectorScore} is
 * @param subspaceScore        ‖Π_{U_from,k} Π_{V_to,k}‖_F² / k = ‖M‖_F²/k ∈ [0, 1] (mean squared cosine of the
 *                             principal angles); NaN or null as {@code matchedVectorScore}
 */
public record PairMetrics(int producer, int consumer, String producerName, String consumerName, boolean viaResidual,
                          double adjacentAlignment, @Nullable Double weightedAlignment, @Nullable Double commutatorScore,
                          @Nullable Double commutatorAlignment, @Nullable Double balancedness,
                          @Nullable Integer matchedRank, @Nullable Double matchedVectorScore,
                          @Nullable Boolean matchedIsPermutation, @Nullable Double subspaceScore) {
    /** Checks that the figures computed together are given together. */
    public PairMetrics {
        boolean full = balancedness != null;
        if ((weightedAlignment != null) != full || (commutatorScore != null) != full
                || (commutatorAlignment != null) != full) {
            throw new IllegalArgumentException("pair " + producerName + " -> " + consumerName + ": the weighted "
                    + "alignment, commutator and balancedness come from both full matrices; give all four or none");
        }
        boolean matched = matchedVectorScore != null;
        if ((subspaceScore != null) != matched || (matchedIsPermutation != null) != matched) {
            throw new IllegalArgumentException("pair " + producerName + " -> " + consumerName + ": the matched-vector "
                    + "score, its permutation flag and the subspace score come from one matrix M; give all three or none");
        }
    }

    /** Whether the scores that need both full matrices were computed (not in the top-k spectrum mode). */
    public boolean hasFullMatrixScores() {
        return balancedness != null;
    }
}
