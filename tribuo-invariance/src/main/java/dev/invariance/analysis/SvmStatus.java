package dev.invariance.analysis;

/** How a {@link HardMarginSvm} run ended. */
public enum SvmStatus {
    /** The KKT conditions hold to the solver's tolerance: the direction is the max-margin direction. */
    OPTIMAL,
    /**
     * No direction through the origin separates the data with a normalised margin of at least the solver's
     * separability floor (science.md 2.8 needs separable data): the soft-margin optimum with the solver's large
     * box bound C still leaves examples inside the margin, which certifies γ* &lt; 1/√C (or no separation at all).
     */
    NOT_SEPARABLE,
    /** The time or epoch limit was reached before the KKT tolerance: the last iterate is only an approximation. */
    NOT_CONVERGED
}
