package dev.invariance.linalg;

/**
 * The leading Ritz values at the last three checks, and from them an estimate of how far each still is from
 * its limit. In a growing (nested) Krylov space the i-th Ritz value increases monotonically towards λ_i;
 * near convergence it does so geometrically, θ_i(s) ≈ λ_i − E·ρ^s. Fitting ρ and E to the two latest
 * increments (checks p₁ and p₂ steps apart) gives the remaining error {@code E·ρ^{s₂}} — an a-posteriori
 * estimate (as used by many eigensolvers), not a bound; it is only trusted while the increments shrink.
 */
final class RitzHistory {
    private final int[] steps = new int[3];
    private final double[][] values = new double[3][];
    private int count;

    boolean isComplete() {
        return count == 3;
    }

    void add(int step, double[] v) {
        steps[0] = steps[1];
        steps[1] = steps[2];
        values[0] = values[1];
        values[1] = values[2];
        steps[2] = step;
        values[2] = v;
        count = Math.min(3, count + 1);
    }

    /** Estimated per-step contraction ρ of the error of value i, NaN when unknown or not contracting. */
    double rate(int i) {
        if (count < 3) {
            return Double.NaN;
        }
        double d1 = values[1][i] - values[0][i];
        double d2 = values[2][i] - values[1][i];
        int p1 = steps[1] - steps[0];
        int p2 = steps[2] - steps[1];
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
        double d2 = values[2][i] - values[1][i];
        if (d2 <= 0 && values[1][i] - values[0][i] <= 0) {
            return 0.0; // stagnated at rounding level for two rounds
        }
        double rho = rate(i);
        if (Double.isNaN(rho)) {
            return Double.POSITIVE_INFINITY;
        }
        double q = Math.pow(rho, steps[2] - steps[1]);
        return d2 * q / (1 - q);
    }
}
