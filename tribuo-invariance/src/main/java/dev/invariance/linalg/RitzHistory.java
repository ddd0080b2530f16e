package dev.invariance.linalg;

/**
 * The leading Ritz values at the last four checks, and from them an estimate of how far each still is from
 * its limit. In a growing (nested) Krylov space the i-th Ritz value increases monotonically towards λ_i;
 * near convergence it does so geometrically, θ_i(s) ≈ λ_i − E·ρ^s. Fitting ρ and E to the two latest
 * increments (checks p₁ and p₂ steps apart) gives the remaining error {@code E·ρ^{s₂}} — an a-posteriori
 * estimate (as used by many eigensolvers), not a bound; it is only trusted while the increments shrink.
 *
 * <p>{@link #cautiousRemaining} fits ρ to each of the last two pairs of increments and takes the slower: for a
 * sequence whose steps alternate between two kinds (the whole and the half steps of {@link LeftRitz}), one pair may
 * contract far faster than the other.
 */
final class RitzHistory {
    private static final int KEPT = 4;
    private final int[] steps = new int[KEPT];
    private final double[][] values = new double[KEPT][];
    private int count;

    /** Whether three checks are known ({@link #rate} and {@link #remaining} can answer). */
    boolean isComplete() {
        return count >= 3;
    }

    void add(int step, double[] v) {
        for (int j = 0; j + 1 < KEPT; j++) {
            steps[j] = steps[j + 1];
            values[j] = values[j + 1];
        }
        steps[KEPT - 1] = step;
        values[KEPT - 1] = v;
        count = Math.min(KEPT, count + 1);
    }

    /** Estimated per-step contraction ρ of the error of value i, NaN when unknown or not contracting. */
    double rate(int i) {
        return count < 3 ? Double.NaN : rate(i, KEPT - 3);
    }

    /** ρ fitted to the increments of checks {@code from}, {@code from + 1}, {@code from + 2}. */
    private double rate(int i, int from) {
        double d1 = values[from + 1][i] - values[from][i];
        double d2 = values[from + 2][i] - values[from + 1][i];
        int p1 = steps[from + 1] - steps[from];
        int p2 = steps[from + 2] - steps[from + 1];
        if (!(d1 > 0) || !(d2 > 0)) {
            return Double.NaN;
        }
        double target = d2 / d1;
        if (target >= (double) p2 / p1) {
            return Double.NaN; // not (yet) converging geometrically
        }
        // d2/d1 = ρ^{p1}(1 − ρ^{p2})/(1 − ρ^{p1}), increasing in ρ on (0, 1): bisection
        double lo = 0;
        double hi = 1;
        for (int it = 0; it < 60; it++) {
            double mid = 0.5 * (lo + hi);
            double f = Math.pow(mid, p1) * (1 - Math.pow(mid, p2)) / (1 - Math.pow(mid, p1));
            if (f < target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** Estimated distance of Ritz value i from its limit (infinite when unknown). */
    double remaining(int i) {
        if (count < 3) {
            return Double.POSITIVE_INFINITY;
        }
        return remaining(i, rate(i));
    }

    /**
     * As {@link #remaining}, with the slower of the contractions fitted to the last and to the previous three checks
     * (infinite until four are known, or while either pair does not contract).
     */
    double cautiousRemaining(int i) {
        if (count < KEPT) {
            return Double.POSITIVE_INFINITY;
        }
        double latest = rate(i, KEPT - 3);
        double previous = rate(i, KEPT - 4);
        if (stagnated(i)) {
            return 0.0;
        }
        if (Double.isNaN(latest) || Double.isNaN(previous)) {
            return Double.POSITIVE_INFINITY;
        }
        return remaining(i, Math.max(latest, previous));
    }

    /** The last increment of value i extrapolated at contraction rho (NaN rho: infinite). */
    private double remaining(int i, double rho) {
        if (stagnated(i)) {
            return 0.0; // stagnated at rounding level for two rounds
        }
        if (Double.isNaN(rho)) {
            return Double.POSITIVE_INFINITY;
        }
        double d2 = values[KEPT - 1][i] - values[KEPT - 2][i];
        double q = Math.pow(rho, steps[KEPT - 1] - steps[KEPT - 2]);
        return d2 * q / (1 - q);
    }

    /** Whether value i has not grown over the last two increments (converged to rounding level). */
    private boolean stagnated(int i) {
        return values[KEPT - 1][i] - values[KEPT - 2][i] <= 0 && values[KEPT - 2][i] - values[KEPT - 3][i] <= 0;
    }
}
