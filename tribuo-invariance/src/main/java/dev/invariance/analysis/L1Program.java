package dev.invariance.analysis;

import dev.invariance.network.WeightMatrix;
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
 * The linear program both l1 solvers share ({@link L1MaxMargin}, {@link MinL1Interpolant}):
 * <pre>
 *   minimise ‖b‖₁  subject to  a_nᵀ b (≥ or =) c_n  (n = 1..N),
 * </pre>
 * solved over b = b⁺ − b⁻ with b⁺, b⁻ ≥ 0 (minimise Σ b⁺ + Σ b⁻, constraint rows (a_n, −a_n)) by Apache Commons
 * Math's simplex solver. Checks the tableau size (about N·(2d + N + 1) doubles) before allocating anything.
 */
final class L1Program {
    /** The largest simplex tableau (N·(2d + N + 1) entries) solved: 1.6·10⁷ doubles, 128 MB. */
    static final long MAX_TABLEAU_ENTRIES = 16_000_000L;
    /** Constraint and pivot tolerance of the simplex solver, relative to the data's scale. */
    private static final double EPSILON = 1e-9;

    /** How a solve ended: {@link #solution} is b when {@code kind} is OPTIMAL, else empty. */
    record Outcome(Kind kind, double[] solution) {
    }

    /** The end of a solve. */
    enum Kind { OPTIMAL, INFEASIBLE, ITERATION_LIMIT }

    private L1Program() {
    }

    /**
     * The inputs as a row-major N × d array, after refusing a tableau beyond {@link #MAX_TABLEAU_ENTRIES} (before
     * copying anything) and non-finite entries.
     *
     * @throws IllegalArgumentException naming the sizes, or saying the inputs are not finite
     */
    static double[] checkedInputs(WeightMatrix inputs) {
        int n = inputs.getRows();
        int d = inputs.getColumns();
        long entries = (long) n * (2L * d + n + 1);
        if (entries > MAX_TABLEAU_ENTRIES) {
            throw new IllegalArgumentException(n + " examples of dimension " + d + " need a simplex tableau of "
                    + entries + " entries, more than " + MAX_TABLEAU_ENTRIES);
        }
        double[] x = inputs.toRowMajorArray();
        for (double v : x) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("the inputs are not finite");
            }
        }
        return x;
    }

    /**
     * Minimises ‖b‖₁ subject to {@code (sign_n · x_n)ᵀ b relationship rhs_n} for every row x_n of the row-major
     * N × d array {@code x}.
     *
     * @param x             the rows x_n, row-major N × d
     * @param d             the dimension of b
     * @param signs         a factor per row (y_n for margins, 1 for equalities)
     * @param relationship  GEQ or EQ
     * @param rhs           the right-hand sides c_n
     * @param maxIterations the pivot budget
     */
    static Outcome minimise(double[] x, int d, double[] signs, Relationship relationship, double[] rhs,
                            int maxIterations) {
        int n = rhs.length;
        double[] ones = new double[2 * d];
        Arrays.fill(ones, 1.0);
        List<LinearConstraint> constraints = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] row = new double[2 * d];
            for (int t = 0; t < d; t++) {
                row[t] = signs[i] * x[i * d + t];
                row[d + t] = -signs[i] * x[i * d + t];
            }
            constraints.add(new LinearConstraint(row, relationship, rhs[i]));
        }
        PointValuePair optimum;
        try {
            optimum = new SimplexSolver(EPSILON, 10, 1e-12).optimize(new MaxIter(maxIterations),
                    new LinearObjectiveFunction(ones, 0.0), new LinearConstraintSet(constraints), GoalType.MINIMIZE,
                    new NonNegativeConstraint(true));
        } catch (NoFeasibleSolutionException e) {
            return new Outcome(Kind.INFEASIBLE, new double[0]);
        } catch (TooManyIterationsException e) {
            return new Outcome(Kind.ITERATION_LIMIT, new double[0]);
        } catch (UnboundedSolutionException e) {
            // cannot happen: the objective is bounded below by 0
            throw new IllegalStateException("the l1 program is unbounded", e);
        }
        double[] p = optimum.getPoint();
        double[] b = new double[d];
        for (int t = 0; t < d; t++) {
            b[t] = p[t] - p[d + t];
        }
        return new Outcome(Kind.OPTIMAL, b);
    }

    /** x_nᵀ b for every row of the row-major N × d array {@code x}. */
    static double[] products(double[] x, int n, int d, double[] b) {
        double[] out = new double[n];
        for (int i = 0; i < out.length; i++) {
            double s = 0;
            for (int t = 0; t < d; t++) {
                s += x[i * d + t] * b[t];
            }
            out[i] = s;
        }
        return out;
    }

    /** The values as a list. */
    static List<Double> boxed(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return out;
    }
}
