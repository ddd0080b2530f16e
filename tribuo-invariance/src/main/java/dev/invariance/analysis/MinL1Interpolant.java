package dev.invariance.analysis;

import dev.invariance.network.WeightMatrix;
import org.apache.commons.math3.optim.linear.Relationship;

import java.util.List;

/**
 * The minimum-l1-norm interpolant of an underdetermined regression, the small-initialisation limit of depth-2
 * diagonal linear networks trained with square loss (Woodworth et al. 2020; Yun, Krishnan &amp; Mobahi 2021;
 * science.md 3.3, check A3.3): the linear program
 * <pre>
 *   β_l1 = argmin ‖b‖₁  subject to  X b = y,  X ∈ R^{N × d} (row n is x_nᵀ), no intercept,
 * </pre>
 * solved over b = b⁺ − b⁻ with b⁺, b⁻ ≥ 0 (minimise Σ b⁺ + Σ b⁻ subject to X b⁺ − X b⁻ = y) by Apache Commons Math's
 * simplex solver, the program {@link L1MaxMargin} solves with equalities in place of its margin inequalities. The
 * program is bounded (‖b‖₁ ≥ 0); it is feasible exactly when y lies in the column space of X, which holds for
 * N ≤ d and X of full row rank.
 *
 * <p>The simplex tableau holds about N·(2d + N) doubles: problems beyond {@link #MAX_TABLEAU_ENTRIES} are refused
 * before anything is allocated.
 */
public final class MinL1Interpolant {
    /** The largest simplex tableau (N·(2d + N + 1) entries) solved: 1.6·10⁷ doubles, 128 MB. */
    public static final long MAX_TABLEAU_ENTRIES = L1Program.MAX_TABLEAU_ENTRIES;

    private final int maxIterations;

    private MinL1Interpolant(int maxIterations) {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be at least 1, got " + maxIterations);
        }
        this.maxIterations = maxIterations;
    }

    /** A solver with at most 100,000 simplex pivots. */
    public static MinL1Interpolant create() {
        return new MinL1Interpolant(100_000);
    }

    /** A solver with at most {@code maxIterations} simplex pivots. */
    public static MinL1Interpolant withMaxIterations(int maxIterations) {
        return new MinL1Interpolant(maxIterations);
    }

    /**
     * Solves argmin ‖b‖₁ subject to X b = y.
     *
     * @param inputs  X, N × d (row n is the example x_nᵀ)
     * @param targets y, one real target per row
     * @throws IllegalArgumentException with a one-line message when the sizes disagree, an input or target is not
     *                                  finite, the tableau would exceed {@link #MAX_TABLEAU_ENTRIES}, or no b
     *                                  satisfies X b = y (the program is infeasible)
     * @throws IllegalStateException    when the simplex solver runs out of pivots
     */
    public L1InterpolantSolution fit(WeightMatrix inputs, List<Double> targets) {
        int n = inputs.getRows();
        int d = inputs.getColumns();
        if (targets.size() != n) {
            throw new IllegalArgumentException(n + " examples but " + targets.size() + " targets");
        }
        double[] y = new double[n];
        double[] ones = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = targets.get(i);
            if (!Double.isFinite(y[i])) {
                throw new IllegalArgumentException("target " + i + " is not finite: " + y[i]);
            }
            ones[i] = 1.0;
        }
        double[] x = L1Program.checkedInputs(inputs);
        L1Program.Outcome outcome = L1Program.minimise(x, d, ones, Relationship.EQ, y, maxIterations);
        switch (outcome.kind()) {
            case INFEASIBLE -> throw new IllegalArgumentException("no b satisfies X b = y for these " + n
                    + " examples of dimension " + d + " (the linear program is infeasible: y is not in the column"
                    + " space of X)");
            case ITERATION_LIMIT -> throw new IllegalStateException("the simplex solver stopped after "
                    + maxIterations + " pivots");
            default -> {
            }
        }
        double[] b = outcome.solution();
        double l1 = 0;
        for (double v : b) {
            l1 += Math.abs(v);
        }
        double[] fitted = L1Program.products(x, n, d, b);
        double residual = 0;
        for (int i = 0; i < n; i++) {
            residual = Math.max(residual, Math.abs(fitted[i] - y[i]));
        }
        return new L1InterpolantSolution(L1Program.boxed(b), l1, residual);
    }
}
