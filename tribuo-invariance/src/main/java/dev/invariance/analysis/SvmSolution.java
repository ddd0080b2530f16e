package dev.invariance.analysis;

import java.util.List;

/**
 * The homogeneous hard-margin SVM {@code u* = argmin ‖u‖₂ s.t. y_n uᵀx_n ≥ 1} (no intercept), science.md 2.8.
 *
 * @param weights         u* ∈ R^{d_0}
 * @param direction       û = u* / ‖u*‖
 * @param margin          γ* = min_n y_n ûᵀx_n (equals 1/‖u*‖ at the optimum)
 * @param supportVectors  number of examples with a positive dual variable
 * @param epochs          passes of coordinate ascent used
 * @param kktViolation    the largest violation of the optimality conditions at exit (≤ the solver's tolerance)
 */
public record SvmSolution(List<Double> weights, List<Double> direction, double margin, int supportVectors,
                          int epochs, double kktViolation) {
    /** Copies the lists. */
    public SvmSolution {
        weights = List.copyOf(weights);
        direction = List.copyOf(direction);
    }
}
