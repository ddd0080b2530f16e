package dev.invariance.deepnet;

import dev.invariance.network.WeightMatrix;

/**
 * An independent check of top singular values and vectors for the trainer's tests: power iteration on WᵀW in
 * plain loops (no BLAS, no LAPACK, nothing shared with the analyzer).
 */
final class PowerIteration {
    final double sigma;
    final double[] left;
    final double[] right;

    private PowerIteration(double sigma, double[] left, double[] right) {
        this.sigma = sigma;
        this.left = left;
        this.right = right;
    }

    static PowerIteration top(WeightMatrix w) {
        int m = w.getRows();
        int n = w.getColumns();
        double[] v = new double[n];
        for (int j = 0; j < n; j++) {
            v[j] = 1.0 + 0.01 * j;
        }
        normalize(v);
        double[] u = new double[m];
        for (int it = 0; it < 5000; it++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += w.get(i, j) * v[j];
                }
                u[i] = s;
            }
            normalize(u);
            double[] next = new double[n];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; i < m; i++) {
                    s += w.get(i, j) * u[i];
                }
                next[j] = s;
            }
            normalize(next);
            double change = 0;
            for (int j = 0; j < n; j++) {
                change = Math.max(change, Math.abs(next[j] - v[j]));
            }
            v = next;
            if (change < 1e-14) {
                break;
            }
        }
        double sigma = 0;
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += w.get(i, j) * v[j];
            }
            u[i] = s;
            sigma += s * s;
        }
        sigma = Math.sqrt(sigma);
        normalize(u);
        return new PowerIteration(sigma, u, v);
    }

    static double frobenius(WeightMatrix w) {
        double s = 0;
        for (double x : w.toRowMajorArray()) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    static double rank1Ratio(WeightMatrix w) {
        return top(w).sigma / frobenius(w);
    }

    static double absDot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return Math.abs(s);
    }

    private static void normalize(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        s = Math.sqrt(s);
        if (s > 0) {
            for (int i = 0; i < x.length; i++) {
                x[i] /= s;
            }
        }
    }
}
