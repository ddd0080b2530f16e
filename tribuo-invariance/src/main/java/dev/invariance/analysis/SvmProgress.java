package dev.invariance.analysis;

/**
 * Progress of a {@link HardMarginSvm} run, reported after each pass over the data (a SAM interface: a Kotlin or
 * Java lambda).
 */
@FunctionalInterface
public interface SvmProgress {
    /**
     * @param epoch        passes over the data so far
     * @param activeSize   size of the solver's active set (the support-vector candidates)
     * @param size         all examples
     * @param violation    the current KKT violation max |PG| (the run stops when it is ≤ the tolerance)
     * @param elapsedNanos time since the run started
     */
    void onEpoch(int epoch, int activeSize, int size, double violation, long elapsedNanos);
}
