package dev.invariance.analysis;

import java.util.List;

/**
 * The minimum-l1-norm interpolant {@code β_l1 = argmin ‖b‖₁ s.t. X b = y} found by {@link MinL1Interpolant}.
 *
 * @param weights     β_l1 ∈ R^d
 * @param l1Norm      ‖β_l1‖₁, the program's minimum
 * @param maxResidual max_n |x_nᵀ β_l1 − y_n|, 0 up to the solver's tolerance
 */
public record L1InterpolantSolution(List<Double> weights, double l1Norm, double maxResidual) {
    /** Copies the list. */
    public L1InterpolantSolution {
        weights = List.copyOf(weights);
    }
}
