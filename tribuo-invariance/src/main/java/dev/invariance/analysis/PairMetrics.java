package dev.invariance.analysis;

/**
 * Alignment and balancedness of two layers consecutive along the data flow, {@code W_from} (d × d_in) of layer
 * {@code producer} feeding {@code W_to} (d_out × d) of layer {@code consumer}, science.md 2.6, 2.7 and 2.9 (in the
 * formulas below "from" is the producer and "to" the consumer). Every score is NaN when either matrix is zero; in the
 * top-k spectrum mode the scores that need both full matrices (weighted alignment, commutator, balancedness) are
 * NaN too. The JSON keys stay {@code from}/{@code to}.
 *
 * @param producer             index of the producing layer
 * @param consumer             index of the consuming layer
 * @param producerName         name of layer {@code producer}
 * @param consumerName         name of layer {@code consumer}
 * @param viaResidual          whether the connection passes through a residual addition
 * @param adjacentAlignment    |v_toᵀ u_from| ∈ [0, 1]: u_from = top left singular vector of W_from, v_to = top right
 *                             singular vector of W_to (Ji &amp; Telgarsky)
 * @param weightedAlignment    ‖W_to W_from‖₂ / (‖W_to‖₂ ‖W_from‖₂) ∈ [0, 1], meaningful even when σ₁ is repeated
 * @param commutatorScore      c = ‖AB − BA‖_F / (√2 ‖A‖_F ‖B‖_F), A = W_from W_fromᵀ, B = W_toᵀ W_to; 0 iff the pair
 *                             is aligned in the sense of Radhakrishnan et al.
 * @param commutatorAlignment  1 − c
 * @param balancedness         ‖W_toᵀ W_to − W_from W_fromᵀ‖_F (0 for a balanced pair; conserved by gradient flow in
 *                             linear networks)
 * @param matchedRank          k = min(relative rank of W_from, of W_to) at the options' δ (default 1e-2)
 * @param matchedVectorScore   (1/k) Σ_j max_l |M_jl| with M = V_to[:, :k]ᵀ U_from[:, :k]; NaN when k = 0 or k is
 *                             above the options' subspace rank limit
 * @param matchedIsPermutation whether the row-wise argmax of |M| is a permutation (false when not computed)
 * @param subspaceScore        ‖Π_{U_from,k} Π_{V_to,k}‖_F² / k = ‖M‖_F²/k ∈ [0, 1] (mean squared cosine of the
 *                             principal angles); NaN when not computed
 */
public record PairMetrics(int producer, int consumer, String producerName, String consumerName, boolean viaResidual,
                          double adjacentAlignment, double weightedAlignment, double commutatorScore,
                          double commutatorAlignment, double balancedness, int matchedRank,
                          double matchedVectorScore, boolean matchedIsPermutation, double subspaceScore) {
}
