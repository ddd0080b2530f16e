package dev.invariance.linalg;

import dev.ludovic.netlib.lapack.LAPACK;
import org.jspecify.annotations.Nullable;
import org.netlib.util.intW;

/**
 * The half step of a block Lanczos run on G = AᵀA: Ritz values of AAᵀ on the left space {@code U = A·span(V)}, which
 * the products of the passes already made determine, one half step ahead of the Ritz values of G on span(V).
 *
 * <p>After m block products the run has an orthonormal basis V (size = m·b vectors), the projected matrix
 * {@code H = VᵀGV} and the last residual's triangular factor R, with {@code G V = V H + Q R E_mᵀ} (Q the next block,
 * E_m the last b columns of the identity), so the extended matrix {@code Ĥ = [H; R E_mᵀ]} gives
 * {@code (GV)ᵀ(GV) = ĤᵀĤ = H² + E_m RᵀR E_mᵀ}. For u = A V c: {@code ‖u‖² = cᵀHc} and {@code ‖Aᵀu‖² = ‖GVc‖² =
 * cᵀĤᵀĤc}, so the Ritz values μ of AAᵀ on U solve {@code ĤᵀĤ c = μ H c}. With H = S Θ Sᵀ and c = S Θ^{-1/2} g this
 * is the symmetric problem {@code (Θ + FᵀF) g = μ g}, {@code F = R S_last Θ^{-1/2}} (S_last: S's last b rows). By the
 * Cauchy–Schwarz inequality, for every v, {@code ‖Av‖²/‖v‖² ≤ ‖AᵀAv‖²/‖Av‖² ≤ ‖A w‖²/‖w‖²} with w = AᵀAv, so by
 * the min–max theorem μ_i lies between the i-th Ritz value of G on span(V) and the i-th one after the next block
 * product: a half step of the same monotone sequence towards λ_i(G), for the price of two small eigenproblems. Near
 * convergence a half step gains about as many digits as a whole one took before (B8's layers: values 1e-5 from
 * σ after 7 blocks of 16, 1e-7 from the half step), so a run often stops one pass over the weights earlier.
 *
 * <p>Directions of H with θ_j below {@value #KEPT_FRACTION}·θ_max are left out (float32 rounding in H, about 1e-7·θ_max,
 * would be amplified by Θ^{-1/2}); U then shrinks to a subspace that still holds A times the leading Ritz vectors of
 * G, so both bounds above still hold.
 *
 * <p>{@link #values} are μ_1 ≥ … (estimates of σ_i²); {@link #coefficients} holds c_i column by column (size rows), the
 * left Ritz vector being {@code u_i = A V c_i} (unit norm in exact arithmetic) and {@code Aᵀu_i = G V c_i}.
 */
final class LeftRitz {
    /** Smallest eigenvalue of H, relative to its largest, whose direction takes part. */
    static final double KEPT_FRACTION = 1e-6;

    final int size;
    final double[] values;       // the largest min(kept, k + 1), descending
    final double[] coefficients; // column-major size × values.length

    private LeftRitz(int size, double[] values, double[] coefficients) {
        this.size = size;
        this.values = values;
        this.coefficients = coefficients;
    }

    /**
     * The half step from the leading size × size block of {@code h} (row stride {@code cap}) and the last residual's
     * upper triangular factor {@code lastR} (b × b, row-major, residual coefficients {@code R·s_last}), or null when
     * fewer than k directions of H are kept (G numerically of rank below k on the basis).
     */
    static @Nullable LeftRitz of(double[] h, int cap, int size, double[] lastR, int b, int k) {
        double[] theta = new double[size];
        double[] s = new double[size * size]; // column-major eigenvectors, ascending θ
        eigen(copy(h, cap, size), size, size, theta, s);
        double top = theta[size - 1];
        if (!(top > 0)) {
            return null;
        }
        int first = size;
        while (first > 0 && theta[first - 1] >= KEPT_FRACTION * top) {
            first--;
        }
        int r = size - first;
        if (r < k) {
            return null;
        }
        // P = S_r Θ_r^{-1/2} (size × r, column-major), F = R · P_last (b × r)
        double[] p = new double[size * r];
        for (int j = 0; j < r; j++) {
            int src = first + j;
            double scale = 1.0 / Math.sqrt(theta[src]);
            for (int i = 0; i < size; i++) {
                p[j * size + i] = s[src * size + i] * scale;
            }
        }
        int last = size - b;
        double[] f = new double[b * r];
        for (int j = 0; j < r; j++) {
            for (int row = 0; row < b; row++) {
                double acc = 0;
                for (int c = row; c < b; c++) {
                    acc += lastR[row * b + c] * p[j * size + last + c];
                }
                f[j * b + row] = acc;
            }
        }
        double[] m = new double[r * r]; // Θ_r + FᵀF, symmetric
        for (int j = 0; j < r; j++) {
            for (int i = 0; i <= j; i++) {
                double acc = 0;
                for (int row = 0; row < b; row++) {
                    acc += f[i * b + row] * f[j * b + row];
                }
                m[j * r + i] = acc;
                m[i * r + j] = acc;
            }
            m[j * r + j] += theta[first + j];
        }
        int count = Math.min(r, k + 1);
        double[] mu = new double[r];
        double[] g = new double[r * count];
        eigen(m, r, count, mu, g);
        double[] values = new double[count];
        double[] coefficients = new double[size * count];
        for (int i = 0; i < count; i++) {
            int src = count - 1 - i; // LAPACK's ascending order, reversed
            values[i] = mu[src];
            for (int j = 0; j < r; j++) {
                double gj = g[src * r + j];
                for (int t = 0; t < size; t++) {
                    coefficients[i * size + t] += p[j * size + t] * gj;
                }
            }
        }
        return new LeftRitz(size, values, coefficients);
    }

    private static double[] copy(double[] h, int cap, int size) {
        double[] a = new double[size * size];
        for (int i = 0; i < size; i++) {
            System.arraycopy(h, i * cap, a, i * size, size); // symmetric: row-major = column-major
        }
        return a;
    }

    /**
     * The {@code count} largest eigenpairs of the symmetric n × n {@code a} (destroyed), ascending: values into
     * {@code w[0 … count)}, vectors into the columns of {@code z} (n × count). LAPACK dsyevr.
     */
    private static void eigen(double[] a, int n, int count, double[] w, double[] z) {
        double[] vectors = new double[n * n]; // netlib checks the full ldz × n extent
        int[] support = new int[2 * n];
        intW found = new intW(0);
        intW info = new intW(0);
        LAPACK lapack = LinearAlgebraBackend.lapack();
        double[] wq = new double[1];
        int[] iq = new int[1];
        String range = count == n ? "A" : "I";
        int il = n - count + 1;
        lapack.dsyevr("V", range, "U", n, a, n, 0.0, 0.0, il, n, 0.0, found, w, vectors, n, support, wq, -1, iq, -1,
                info);
        DenseSvd.checkInfo(info, "dsyevr");
        double[] work = new double[(int) wq[0]];
        int[] iwork = new int[iq[0]];
        lapack.dsyevr("V", range, "U", n, a, n, 0.0, 0.0, il, n, 0.0, found, w, vectors, n, support, work,
                work.length, iwork, iwork.length, info);
        DenseSvd.checkInfo(info, "dsyevr");
        System.arraycopy(vectors, 0, z, 0, n * count);
    }
}
