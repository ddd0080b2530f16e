package dev.invariance.analysis;

import org.apache.commons.math3.exception.TooManyIterationsException;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.linear.LinearConstraint;
import org.apache.commons.math3.optim.linear.LinearConstraintSet;
import org.apache.commons.math3.optim.linear.LinearObjectiveFunction;
import org.apache.commons.math3.optim.linear.NoFeasibleSolutionException;
import org.apache.commons.math3.optim.linear.NonNegativeConstraint;
import org.apache.commons.math3.optim.linear.Relationship;
import org.apache.commons.math3.optim.linear.SimplexSolver;
import org.apache.commons.math3.optim.linear.UnboundedSolutionException;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The l1 max-margin direction of a binary data set, the limit direction of depth-2 diagonal linear networks
 * (Yun, Krishnan &amp; Mobahi 2021; science.md 3.3, E3's target β₁): the linear program
 * <pre>
 *   β₁ = argmin ‖b‖₁  subject to  y_n x_nᵀ b ≥ 1  (n = 1..N), no intercept,
 * </pre>
 * solved over b = b⁺ − b⁻ with b⁺, b⁻ ≥ 0 (minimise Σ b⁺ + Σ b⁻) by Apache Commons Math's simplex solver, a
 * well-known implementation with Bland's rule against cycling. Its minimum ‖β₁‖₁ is 1/γ₁, where
 * γ₁ = max over ‖b‖₁ = 1 of min_n y_n x_nᵀ b is the largest l1-normalised margin — the l1 counterpart of the
 * hard-margin SVM ({@link HardMarginSvm}, which minimises ‖b‖₂). When no direction through the origin separates the data the program
 * is infeasible and the status is {@link SvmStatus#NOT_SEPARABLE}.
 *
 * <p>The simplex tableau holds about N·(2d + N) doubles: problems beyond {@link #MAX_TABLEAU_ENTRIES} are refused
 * before anything is allocated.
 */
public final class L1MaxMargin {
    /** The largest simplex tableau (N·(2d + N + 1) entries) solved: 1.6·10⁷ doubles, 128 MB. */
    public static final long MAX_TABLEAU_ENTRIES = 16_000_000L;
    /** Constraint and pivot tolerance of the simplex solver, relative to the data's scale (unit margins). */
    private static final double EPSILON = 1e-9;

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
        long entries = (long) n * (2L * d + n + 1);
        if (entries > MAX_TABLEAU_ENTRIES) {
            throw new IllegalArgumentException(n + " examples of dimension " + d + " need a simplex tableau of "
                    + entries + " entries, more than " + MAX_TABLEAU_ENTRIES);
        }
        double[] x = data.inputs().toRowMajorArray();
        for (double v : x) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("the inputs are not finite");
            }
        }
        double[] ones = new double[2 * d];
        Arrays.fill(ones, 1.0);
        List<LinearConstraint> constraints = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double y = data.labels().get(i);
            double[] row = new double[2 * d];
            for (int t = 0; t < d; t++) {
                row[t] = y * x[i * d + t];
                row[d + t] = -y * x[i * d + t];
            }
            constraints.add(new LinearConstraint(row, Relationship.GEQ, 1.0));
        }
        PointValuePair optimum;
        try {
            optimum = new SimplexSolver(EPSILON, 10, 1e-12).optimize(new MaxIter(maxIterations),
                    new LinearObjectiveFunction(ones, 0.0), new LinearConstraintSet(constraints), GoalType.MINIMIZE,
                    new NonNegativeConstraint(true));
        } catch (NoFeasibleSolutionException e) {
            return notFound(d, SvmStatus.NOT_SEPARABLE,
                    "no direction through the origin separates the data (the linear program is infeasible)");
        } catch (TooManyIterationsException e) {
            return notFound(d, SvmStatus.NOT_CONVERGED, "the simplex solver stopped after " + maxIterations
                    + " pivots");
        } catch (UnboundedSolutionException e) {
            // cannot happen: the objective is bounded below by 0
            throw new IllegalStateException("the l1 program is unbounded", e);
        }
        double[] p = optimum.getPoint();
        double[] b = new double[d];
        double l1 = 0;
        double l2 = 0;
        for (int t = 0; t < d; t++) {
            b[t] = p[t] - p[d + t];
            l1 += Math.abs(b[t]);
            l2 += b[t] * b[t];
        }
        l2 = Math.sqrt(l2);
        double minMargin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int t = 0; t < d; t++) {
                s += x[i * d + t] * b[t];
            }
            minMargin = Math.min(minMargin, data.labels().get(i) * s);
        }
        List<Double> weights = new ArrayList<>(d);
        List<Double> direction = new ArrayList<>(d);
        for (double v : b) {
            weights.add(v);
            direction.add(v / l2);
        }
        return new L1MarginSolution(SvmStatus.OPTIMAL, weights, direction, l1, minMargin, "");
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
