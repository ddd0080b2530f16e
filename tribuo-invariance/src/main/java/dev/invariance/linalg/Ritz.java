package dev.invariance.linalg;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/** Eigen-decomposition of the projected matrix: the Ritz values and vectors, largest first. */
final class Ritz {
    final int size;
    final int k;
    final double[] values;   // the largest min(size, k + 1), descending
    final double[] vectors;  // column-major size × values.length, column i ↔ values[i]

    private Ritz(int size, int k, double[] values, double[] vectors) {
        this.size = size;
        this.k = k;
        this.values = values;
        this.vectors = vectors;
    }

    /** The top min(size, k + 1) eigenpairs of the leading size × size block of h (LAPACK dsyevr). */
    static Ritz of(double[] h, int cap, int size, int k) {
        double[] a = new double[size * size];
        for (int i = 0; i < size; i++) {
            System.arraycopy(h, i * cap, a, i * size, size); // symmetric: row-major = column-major
        }
        int count = Math.min(size, k + 1);
        double[] w = new double[size];
        double[] z = new double[size * size]; // netlib checks the full ldz × n extent
        int[] support = new int[2 * size]; // netlib checks 2·n entries
        intW found = new intW(0);
        intW info = new intW(0);
        LAPACK lapack = LinearAlgebraBackend.lapack();
        double[] wq = new double[1];
        int[] iq = new int[1];
        int il = size - count + 1;
        lapack.dsyevr("V", "I", "U", size, a, size, 0.0, 0.0, il, size, 0.0, found, w, z, size, support,
                wq, -1, iq, -1, info);
        DenseSvd.checkInfo(info, "dsyevr");
        double[] work = new double[(int) wq[0]];
        int[] iwork = new int[iq[0]];
        lapack.dsyevr("V", "I", "U", size, a, size, 0.0, 0.0, il, size, 0.0, found, w, z, size, support,
                work, work.length, iwork, iwork.length, info);
        DenseSvd.checkInfo(info, "dsyevr");
        // LAPACK returns ascending order; reverse to descending.
        double[] values = new double[count];
        double[] vectors = new double[size * count];
        for (int i = 0; i < count; i++) {
            int src = count - 1 - i;
            values[i] = w[src];
            System.arraycopy(z, src * size, vectors, i * size, size);
        }
        return new Ritz(size, k, values, vectors);
    }

    /** The residual norm ‖G x_i − θ_i x_i‖ = ‖R s_i,last‖. */
    double residual(int i, double[] lastR, int b) {
        int lastStart = size - b;
        double res2 = 0;
        for (int row = 0; row < b; row++) {
            double acc = 0;
            for (int c = row; c < b; c++) {
                acc += lastR[row * b + c] * vectors[i * size + lastStart + c];
            }
            res2 += acc * acc;
        }
        return Math.sqrt(res2);
    }

    /** The bound min(‖r_i‖, ‖r_i‖²/δ_i) on |λ_i − θ_i| (δ_i: distance to the nearest other Ritz value). */
    double bound(int i, double[] lastR, int b) {
        double theta = values[i];
        double res = residual(i, lastR, b);
        double res2 = res * res;
        double gap = Double.POSITIVE_INFINITY;
        if (i > 0) {
            gap = Math.min(gap, values[i - 1] - theta);
        }
        if (i + 1 < values.length) {
            gap = Math.min(gap, theta - values[i + 1]);
        }
        return gap > 0 ? Math.min(res, res2 / gap) : res;
    }

    /** Whether every one of the k leading Ritz values is within {@code 2·tolerance·θ_i} by {@link #bound}. */
    boolean converged(double[] lastR, int b, double tolerance) {
        for (int i = 0; i < k; i++) {
            double theta = values[i];
            if (!(theta > 0)) {
                return true; // G has (numerically) rank < i: the remaining values are zero
            }
            if (bound(i, lastR, b) > 2.0 * tolerance * theta) {
                return false;
            }
        }
        return true;
    }
}
