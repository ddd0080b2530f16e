package dev.invariance.reproduction;

/** The outcome of one acceptance check of science.md section 3. */
public enum Verdict {
    /** The check is asserted and its criterion holds. */
    PASS,
    /** The check is asserted and its criterion does not hold. */
    FAIL,
    /** The check is "report only" in science.md: its figures are printed, never failing the run. */
    REPORTED,
    /** The check's precondition does not hold in this run (for example no stably active unit): not a pass. */
    NOT_APPLICABLE;

    /** Whether this verdict fails a reproduction: only {@link #FAIL} does. */
    public boolean isFailure() {
        return this == FAIL;
    }
}
