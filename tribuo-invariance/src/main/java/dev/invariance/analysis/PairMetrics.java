package dev.invariance.analysis;

/**
 * Alignment and balancedness of two layers consecutive along the data flow, {@code W_from} (d × d_in) feeding
 * {@code W_to} (d_out × d), science.md 2.6, 2.7 and 2.9. Every score is NaN when either matrix is zero.
 *
 * @param from                 index of the producing layer
 * @param to                   index of the consuming layer
 * @param fromName             name of layer {@code from}
 * @param toName               name of layer {@code to}
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
public record PairMetrics(int from, int to, String fromName, String toName, boolean viaResidual,
                          double adjacentAlignment, double weightedAlignment, double commutatorScore,
                          double commutatorAlignment, double balancedness, int matchedRank,
                          double matchedVectorScore, boolean matchedIsPermutation, double subspaceScore) {
}
