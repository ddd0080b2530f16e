package dev.invariance.analysis;

import java.util.List;

/**
 * The l1 max-margin solution {@code β₁ = argmin ‖b‖₁ s.t. y_n x_nᵀ b ≥ 1} found by {@link L1MaxMargin}. Only an
 * {@link SvmStatus#OPTIMAL} solution is β₁; otherwise the weights are zero, the direction NaN and {@link #note()}
 * says why.
 *
 * @param status         how the solve ended
 * @param weights        β₁ ∈ R^{d_0}
 * @param direction      β₁ / ‖β₁‖₂, to compare with a predictor's direction by cosine
 * @param l1Norm         ‖β₁‖₁, the program's minimum
 * @param functionalMargin min_n y_n x_nᵀ β₁ (1 up to the solver's tolerance when optimal)
 * @param note           why the solution is not optimal, or empty
 */
public record L1MarginSolution(SvmStatus status, List<Double> weights, List<Double> direction, double l1Norm,
                               double functionalMargin, String note) {
    /** Copies the lists. */
    public L1MarginSolution {
        weights = List.copyOf(weights);
        direction = List.copyOf(direction);
    }

    /** Whether this is β₁ to the solver's tolerance. */
    public boolean isOptimal() {
        return status == SvmStatus.OPTIMAL;
    }
}
