package dev.invariance.analysis;

import java.util.List;

/**
 * The homogeneous hard-margin SVM {@code u* = argmin ‖u‖₂ s.t. y_n uᵀx_n ≥ 1} (no intercept), science.md 2.8, as
 * found by {@link HardMarginSvm}. Only an {@link SvmStatus#OPTIMAL} solution is the max-margin direction; the other
 * statuses keep the last iterate for inspection and say why in {@link #note()}.
 *
 * @param status          how the run ended
 * @param weights         u (u* when optimal) ∈ R^{d_0}
 * @param direction       û = u / ‖u‖ (NaN entries when u = 0)
 * @param margin          min_n y_n ûᵀx_n (equals γ* = 1/‖u*‖ when optimal)
 * @param supportVectors  number of examples with a positive weight in the solver's active set
 * @param epochs          passes over the data used
 * @param kktViolation    max(0, 1 − min_n y_n uᵀx_n) at exit (≤ the solver's tolerance when optimal)
 * @param note            why the solution is not optimal, or empty
 */
public record SvmSolution(SvmStatus status, List<Double> weights, List<Double> direction, double margin,
                          int supportVectors, int epochs, double kktViolation, String note) {
    /** Copies the lists. */
    public SvmSolution {
        weights = List.copyOf(weights);
        direction = List.copyOf(direction);
    }

    /** Whether this is the max-margin direction to the solver's tolerance. */
    public boolean isOptimal() {
        return status == SvmStatus.OPTIMAL;
    }
}
