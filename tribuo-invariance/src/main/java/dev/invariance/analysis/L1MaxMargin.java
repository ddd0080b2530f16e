package dev.invariance.analysis;

import org.apache.commons.math3.optim.linear.Relationship;

import java.util.ArrayList;
import java.util.List;

/**
 * The l1 max-margin direction of a binary data set, the limit direction of depth-2 diagonal linear networks
 * (Yun, Krishnan &amp; Mobahi 2021; science.md 3.3, E3's target β₁): the linear program
 * <pre>
 *   β₁ = argmin ‖b‖₁  subject to  y_n x_nᵀ b ≥ 1  (n = 1..N), no intercept,
 * </pre>
 * solved over b = b⁺ − b⁻ with b⁺, b⁻ ≥ 0 (minimise Σ b⁺ + Σ b⁻) by Apache Commons Math's simplex solver, a
 * well-known implementation with Bland's rule against cycling (the program {@link MinL1Interpolant} shares). Its
 * minimum ‖β₁‖₁ is 1/γ₁, where γ₁ = max over ‖b‖₁ = 1 of min_n y_n x_nᵀ b is the largest l1-normalised margin —
 * the l1 counterpart of the hard-margin SVM ({@link HardMarginSvm}, which minimises ‖b‖₂). When no direction through the origin separates the data the program
 * is infeasible and the status is {@link SvmStatus#NOT_SEPARABLE}.
 *
 * <p>The simplex tableau holds about N·(2d + N) doubles: problems beyond {@link #MAX_TABLEAU_ENTRIES} are refused
 * before anything is allocated.
 */
public final class L1MaxMargin {
    /** The largest simplex tableau (N·(2d + N + 1) entries) solved: 1.6·10⁷ doubles, 128 MB. */
    public static final long MAX_TABLEAU_ENTRIES = L1Program.MAX_TABLEAU_ENTRIES;

    private final int maxIterations;

    private L1MaxMargin(int maxIterations) {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be at least 1, got " + maxIterations);
        }
        this.maxIterations = maxIterations;
    }

    /** A solver with at most 100,000 simplex pivots. */
    public static L1MaxMargin create() {
        return new L1MaxMargin(100_000);
    }

    /** A solver with at most {@code maxIterations} simplex pivots. */
    public static L1MaxMargin withMaxIterations(int maxIterations) {
        return new L1MaxMargin(maxIterations);
    }

    /**
     * Solves the program on {@code data}; never throws for data that are not separable (see the status).
     *
     * @throws IllegalArgumentException when the tableau would exceed {@link #MAX_TABLEAU_ENTRIES} or an input is not
     *                                  finite
     */
    public L1MarginSolution fit(LabelledData data) {
        int n = data.size();
        int d = data.dimension();
        double[] x = L1Program.checkedInputs(data.inputs());
        double[] y = new double[n];
        double[] ones = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = data.labels().get(i);
            ones[i] = 1.0;
        }
        L1Program.Outcome outcome = L1Program.minimise(x, d, y, Relationship.GEQ, ones, maxIterations);
        switch (outcome.kind()) {
            case INFEASIBLE -> {
                return notFound(d, SvmStatus.NOT_SEPARABLE,
                        "no direction through the origin separates the data (the linear program is infeasible)");
            }
            case ITERATION_LIMIT -> {
                return notFound(d, SvmStatus.NOT_CONVERGED, "the simplex solver stopped after " + maxIterations
                        + " pivots");
            }
            default -> {
            }
        }
        double[] b = outcome.solution();
        double l1 = 0;
        double l2 = 0;
        for (double v : b) {
            l1 += Math.abs(v);
            l2 += v * v;
        }
        l2 = Math.sqrt(l2);
        double[] scores = L1Program.products(x, n, d, b);
        double minMargin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            minMargin = Math.min(minMargin, y[i] * scores[i]);
        }
        double[] direction = new double[d];
        for (int t = 0; t < d; t++) {
            direction[t] = b[t] / l2;
        }
        return new L1MarginSolution(SvmStatus.OPTIMAL, L1Program.boxed(b), L1Program.boxed(direction), l1, minMargin,
                "");
    }

    private static L1MarginSolution notFound(int d, SvmStatus status, String note) {
        List<Double> zeros = new ArrayList<>(d);
        List<Double> nans = new ArrayList<>(d);
        for (int t = 0; t < d; t++) {
            zeros.add(0.0);
            nans.add(Double.NaN);
        }
        return new L1MarginSolution(status, zeros, nans, Double.NaN, Double.NaN, note);
    }
}
