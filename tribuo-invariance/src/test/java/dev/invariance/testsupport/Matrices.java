package dev.invariance.testsupport;

import dev.invariance.network.WeightMatrix;

import java.util.SplittableRandom;

/**
 * Test matrices with a known singular value decomposition, built from explicit plane rotations so that the
 * expected figures never come from the code under test.
 */
public final class Matrices {
    private Matrices() {
    }

    /**
     * The d × d orthogonal matrix {@code G(0,1,θ₀) G(1,2,θ₁) … G(d−2,d−1,θ_{d−2})} (Givens rotations in consecutive
     * coordinate planes), with angles {@code θ_i = base + 0.37 i}. Row-major.
     */
    public static double[][] rotation(int d, double base) {
        double[][] q = identity(d);
        for (int p = 0; p + 1 < d; p++) {
            double c = Math.cos(base + 0.37 * p);
            double s = Math.sin(base + 0.37 * p);
            // q ← q · G where G acts on columns p, p+1
            for (int i = 0; i < d; i++) {
                double a = q[i][p];
                double b = q[i][p + 1];
                q[i][p] = c * a - s * b;
                q[i][p + 1] = s * a + c * b;
            }
        }
        return q;
    }

    /** The d × d identity. */
    public static double[][] identity(int d) {
        double[][] q = new double[d][d];
        for (int i = 0; i < d; i++) {
            q[i][i] = 1.0;
        }
        return q;
    }

    /** {@code U diag(s) Vᵀ} for U (m × m) and V (n × n) orthogonal, s of length ≤ min(m, n). */
    public static WeightMatrix compose(double[][] u, double[] s, double[][] v) {
        int m = u.length;
        int n = v.length;
        double[][] w = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int t = 0; t < s.length; t++) {
                    acc += u[i][t] * s[t] * v[j][t];
                }
                w[i][j] = acc;
            }
        }
        return WeightMatrix.fromRows(w);
    }

    /** Column t of a row-major square matrix. */
    public static double[] column(double[][] q, int t) {
        double[] c = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            c[i] = q[i][t];
        }
        return c;
    }

    /** An m × n matrix of standard normal entries from a seeded generator (Box–Muller). */
    public static WeightMatrix gaussian(int m, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[m * n];
        for (int i = 0; i < v.length; i++) {
            v[i] = normal(random);
        }
        return WeightMatrix.fromRowMajor(m, n, v);
    }

    /** One standard normal draw. */
    public static double normal(SplittableRandom random) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /**
     * An m × n matrix of float32 entries: the draws of {@link #gaussian} rounded to float, held in float storage (as
     * weights read from a float32 file are).
     */
    public static WeightMatrix gaussianFloat32(int m, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[m * n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) normal(random);
        }
        return WeightMatrix.fromRowMajor(m, n, v);
    }

    /** A random d × d orthogonal matrix (Gram–Schmidt on a Gaussian matrix), row-major. */
    public static double[][] randomOrthogonal(int d, long seed) {
        double[][] cols = orthonormalColumns(d, d, seed);
        double[][] q = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int c = 0; c < d; c++) {
                q[i][c] = cols[c][i];
            }
        }
        return q;
    }

    /**
     * k ≤ d orthonormal vectors of length d, as {@code q[c][i]}: seeded Gaussian vectors orthogonalised by modified
     * Gram–Schmidt, twice.
     */
    public static double[][] orthonormalColumns(int d, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] cols = new double[k][d];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < d; i++) {
                cols[c][i] = normal(random);
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < c; p++) {
                    double dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += cols[c][i] * cols[p][i];
                    }
                    for (int i = 0; i < d; i++) {
                        cols[c][i] -= dot * cols[p][i];
                    }
                }
            }
            double nrm = 0;
            for (int i = 0; i < d; i++) {
                nrm += cols[c][i] * cols[c][i];
            }
            nrm = Math.sqrt(nrm);
            for (int i = 0; i < d; i++) {
                cols[c][i] /= nrm;
            }
        }
        return cols;
    }

    /** |aᵀb|. */
    public static double absDot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return Math.abs(s);
    }
}
