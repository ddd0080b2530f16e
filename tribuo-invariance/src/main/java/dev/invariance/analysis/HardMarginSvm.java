package dev.invariance.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Homogeneous hard-margin SVM by dual coordinate ascent (the C = ∞ case of Hsieh et al. 2008, the algorithm
 * inside LIBLINEAR, here without LIBLINEAR's bias feature): maximise {@code D(a) = Σ a_n − ½‖Σ a_n y_n x_n‖²}
 * over {@code a ≥ 0}. With {@code u = Σ a_n y_n x_n}, the exact maximiser of D along coordinate n is
 * {@code a_n ← max(0, a_n + (1 − y_n uᵀx_n)/‖x_n‖²)}. The primal solution is u* = u at the optimum
 * (science.md 2.8). Iterates until the KKT conditions hold to {@code tolerance}: {@code |1 − y_n uᵀx_n| ≤ tol} when
 * {@code a_n > 0} and {@code y_n uᵀx_n ≥ 1 − tol} when {@code a_n = 0}.
 *
 * <p>Tribuo's LibLinear trainer is not used because it appends a bias feature (an intercept) and solves a
 * soft-margin problem; this solver is the exact homogeneous hard-margin problem.
 */
public final class HardMarginSvm {
    private final double tolerance;
    private final int maxEpochs;

    private HardMarginSvm(double tolerance, int maxEpochs) {
        this.tolerance = tolerance;
        this.maxEpochs = maxEpochs;
    }

    /** KKT tolerance 1e-10, at most 1,000,000 epochs. */
    public static HardMarginSvm create() {
        return new HardMarginSvm(1e-10, 1_000_000);
    }

    /** A solver with the given KKT tolerance (on the functional margins, which are 1 at the support vectors). */
    public static HardMarginSvm withTolerance(double tolerance, int maxEpochs) {
        if (!(tolerance > 0) || maxEpochs < 1) {
            throw new IllegalArgumentException("need tolerance > 0 and maxEpochs >= 1, got " + tolerance + ", " + maxEpochs);
        }
        return new HardMarginSvm(tolerance, maxEpochs);
    }

    /**
     * Solves the SVM on {@code data}.
     *
     * @throws IllegalArgumentException if the data are not linearly separable through the origin (certified when
     *                                  ‖Σ a_n y_n x_n‖ < 1e-5·max‖x_n‖·Σ a_n, which bounds γ* below 1e-5·max‖x_n‖)
     *                                  or an example is the zero vector
     * @throws ArithmeticException      if the tolerance is not reached within the epoch limit
     */
    public SvmSolution fit(LabelledData data) {
        int n = data.size();
        int d = data.dimension();
        double[][] x = new double[n][];
        double[] y = new double[n];
        double[] q = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = data.inputs().getRow(i);
            y[i] = data.labels().get(i);
            q[i] = AlignmentMeasures.dot(x[i], x[i]);
            if (!(q[i] > 0)) {
                throw new IllegalArgumentException("example " + i + " is the zero vector: no homogeneous margin exists");
            }
        }
        double maxNorm = 0;
        for (double v : q) {
            maxNorm = Math.max(maxNorm, Math.sqrt(v));
        }
        double[] a = new double[n];
        double[] u = new double[d];
        double violation = Double.POSITIVE_INFINITY;
        int epoch = 0;
        while (epoch < maxEpochs) {
            epoch++;
            violation = 0;
            for (int i = 0; i < n; i++) {
                double g = 1.0 - y[i] * AlignmentMeasures.dot(u, x[i]); // ∂D/∂a_i
                double pg = a[i] > 0 ? Math.abs(g) : Math.max(g, 0.0);
                violation = Math.max(violation, pg);
                double next = Math.max(0.0, a[i] + g / q[i]);
                double step = (next - a[i]) * y[i];
                if (step != 0) {
                    for (int t = 0; t < d; t++) {
                        u[t] += step * x[i][t];
                    }
                    a[i] = next;
                }
            }
            double sumA = 0;
            for (double v : a) {
                sumA += v;
            }
            // For separable data ‖u‖ ≥ ûᵀu = Σ a_n y_n ûᵀx_n ≥ γ*·Σa, so a tiny ‖u‖/Σa certifies γ* ≈ 0.
            if (!Double.isFinite(sumA) || Math.sqrt(AlignmentMeasures.dot(u, u)) < 1e-5 * maxNorm * sumA) {
                throw new IllegalArgumentException("data are not linearly separable through the origin"
                        + " (margin below 1e-5 of the largest example norm)");
            }
            if (violation <= tolerance) {
                break;
            }
        }
        if (violation > tolerance) {
            throw new ArithmeticException("hard-margin SVM did not reach KKT tolerance " + tolerance + " in "
                    + maxEpochs + " epochs (violation " + violation + ")");
        }
        double norm = Math.sqrt(AlignmentMeasures.dot(u, u));
        double margin = Double.POSITIVE_INFINITY;
        int support = 0;
        for (int i = 0; i < n; i++) {
            margin = Math.min(margin, y[i] * AlignmentMeasures.dot(u, x[i]) / norm);
            if (a[i] > 0) {
                support++;
            }
        }
        List<Double> weights = new ArrayList<>(d);
        List<Double> direction = new ArrayList<>(d);
        for (double v : u) {
            weights.add(v);
            direction.add(v / norm);
        }
        return new SvmSolution(weights, direction, margin, support, epoch, violation);
    }
}
