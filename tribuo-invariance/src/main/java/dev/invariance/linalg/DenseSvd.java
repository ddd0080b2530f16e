package dev.invariance.linalg;

import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * Dense singular value decomposition {@code W = U diag(σ) Vᵀ} of a {@code W} (m × n, d_out × d_in) with LAPACK's
 * divide-and-conquer driver {@code ?gesdd}.
 *
 * <p>A row-major m × n array is the column-major storage of {@code Wᵀ} (n × m), so LAPACK is handed {@code Wᵀ}
 * without copying into another layout: {@code Wᵀ = V diag(σ) Uᵀ}, hence LAPACK's left factor is our V and its
 * right factor is our U. Singular values are the same for both.
 *
 * <p>Accuracy: LAPACK's backward-stable SVD gives {@code |σ̂_j − σ_j| ≤ p(m, n)·ε·σ_1} with ε the working
 * precision's machine epsilon (2.2e-16 for the double path, 1.19e-7 for the float path). The float path
 * ({@code sgesdd}) is used only when asked for and only for values, for weights that were stored as float32
 * anyway (their numerical-rank tolerance is at the float32 level, science.md 2.5).
 */
public final class DenseSvd {
    private DenseSvd() {
    }

    /**
     * All {@code min(m, n)} singular values of {@code w} in double precision ({@code dgesdd}, jobz = "N").
     * An empty (0 × n) matrix has none; an all-zero matrix has all zeros.
     *
     * @throws ArithmeticException if LAPACK reports that the iteration did not converge
     */
    public static Spectrum singularValues(WeightMatrix w) {
        return singularValues(w, ElementType.FLOAT64);
    }

    /**
     * All {@code min(m, n)} singular values of {@code w}, computed in single precision ({@code sgesdd}) when
     * {@code precision} is {@link ElementType#FLOAT32} (or narrower) and in double precision otherwise.
     * The float path is about twice as fast and its error, about {@code ε_32·σ_1}, is below the float32 storage
     * error of such weights.
     *
     * @throws ArithmeticException if LAPACK reports that the iteration did not converge
     */
    public static Spectrum singularValues(WeightMatrix w, ElementType precision) {
        int m = w.getRows();
        int n = w.getColumns();
        int r = Math.min(m, n);
        if (r == 0) {
            return new Spectrum(m, n, new double[0], true, new double[0][], new double[0][]);
        }
        double[] s = precision == ElementType.FLOAT64 ? valuesDouble(w) : valuesFloat(w);
        return new Spectrum(m, n, s, true, new double[0][], new double[0][]);
    }

    /**
     * All singular values and the leading {@code vectors} singular vector pairs, in double precision
     * ({@code dgesdd}, jobz = "S").
     *
     * @param vectors how many pairs (u_j, v_j) to keep, {@code 0 ≤ vectors ≤ min(m, n)}
     * @throws IllegalArgumentException if {@code vectors} is out of range
     * @throws ArithmeticException if LAPACK reports that the iteration did not converge
     */
    public static Spectrum decompose(WeightMatrix w, int vectors) {
        int m = w.getRows();
        int n = w.getColumns();
        int r = Math.min(m, n);
        if (vectors < 0 || vectors > r) {
            throw new IllegalArgumentException("asked for " + vectors + " singular vectors of a " + m + " x " + n
                    + " matrix (at most " + r + ")");
        }
        if (r == 0) {
            return new Spectrum(m, n, new double[0], true, new double[0][], new double[0][]);
        }
        if (vectors == 0) {
            return singularValues(w);
        }
        // LAPACK sees A = Wᵀ (n × m, column-major) = V diag(s) Uᵀ: its "U" (n × r) is our V, its "VT" (r × m) our Uᵀ.
        double[] a = w.toRowMajorArray();
        double[] s = new double[r];
        double[] lu = new double[n * r];
        double[] lvt = new double[r * m];
        int[] iwork = new int[8 * r];
        intW info = new intW(0);
        LAPACK lapack = LinearAlgebraBackend.lapack();
        double[] query = new double[1];
        lapack.dgesdd("S", n, m, a, n, s, lu, n, lvt, r, query, -1, iwork, info);
        checkInfo(info, "dgesdd");
        double[] work = new double[Math.max(1, (int) query[0])];
        lapack.dgesdd("S", n, m, a, n, s, lu, n, lvt, r, work, work.length, iwork, info);
        checkInfo(info, "dgesdd");
        double[][] left = new double[vectors][m];
        double[][] right = new double[vectors][n];
        for (int j = 0; j < vectors; j++) {
            System.arraycopy(lu, j * n, right[j], 0, n);
            for (int i = 0; i < m; i++) {
                left[j][i] = lvt[i * r + j];
            }
        }
        return new Spectrum(m, n, s, true, left, right);
    }

    /**
     * Bytes of heap {@link #decompose}{@code (w, vectors)} allocates for an m × n {@code w} besides w itself: LAPACK's
     * copy of W, its m × r and r × n factors, its workspace (as LAPACK's workspace query states it) and the kept
     * vectors. With {@code vectors} 0, those of {@link #singularValues(WeightMatrix)}.
     */
    public static long decomposeBytes(int m, int n, int vectors) {
        long r = Math.min(m, n);
        if (r == 0) {
            return 0;
        }
        if (vectors == 0) {
            return valuesBytes(m, n, ElementType.FLOAT64);
        }
        double[] query = new double[1];
        double[] one = new double[1];
        LinearAlgebraBackend.lapack().dgesdd("S", n, m, one, n, one, one, n, one, (int) r, query, -1, new int[1],
                new intW(0));
        return 8L * m * n + 8L * r * ((long) m + n) + 8L * (long) query[0] + 40L * r + 8L * vectors * ((long) m + n);
    }

    /**
     * Bytes of heap {@link #singularValues(WeightMatrix, ElementType)} allocates for an m × n {@code w} besides w
     * itself: LAPACK's copy of W (floats or doubles) and its workspace (as LAPACK's workspace query states it).
     */
    public static long valuesBytes(int m, int n, ElementType precision) {
        long r = Math.min(m, n);
        if (r == 0) {
            return 0;
        }
        boolean dbl = precision == ElementType.FLOAT64;
        long entry = dbl ? 8 : 4;
        long work;
        if (dbl) {
            double[] query = new double[1];
            double[] one = new double[1];
            LinearAlgebraBackend.lapack().dgesdd("N", n, m, one, n, one, one, 1, one, 1, query, -1, new int[1],
                    new intW(0));
            work = (long) query[0];
        } else {
            float[] query = new float[1];
            float[] one = new float[1];
            LinearAlgebraBackend.lapack().sgesdd("N", n, m, one, n, one, one, 1, one, 1, query, -1, new int[1],
                    new intW(0));
            work = (long) query[0];
        }
        return entry * ((long) m * n + work + r) + 48L * r;
    }

    private static double[] valuesDouble(WeightMatrix w) {
        int m = w.getRows();
        int n = w.getColumns();
        int r = Math.min(m, n);
        double[] a = w.toRowMajorArray();
        double[] s = new double[r];
        int[] iwork = new int[8 * r];
        intW info = new intW(0);
        LAPACK lapack = LinearAlgebraBackend.lapack();
        double[] query = new double[1];
        double[] none = new double[1];
        lapack.dgesdd("N", n, m, a, n, s, none, 1, none, 1, query, -1, iwork, info);
        checkInfo(info, "dgesdd");
        double[] work = new double[Math.max(1, (int) query[0])];
        lapack.dgesdd("N", n, m, a, n, s, none, 1, none, 1, work, work.length, iwork, info);
        checkInfo(info, "dgesdd");
        return s;
    }

    private static double[] valuesFloat(WeightMatrix w) {
        int m = w.getRows();
        int n = w.getColumns();
        int r = Math.min(m, n);
        float[] a = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                a[i * n + j] = (float) w.get(i, j);
            }
        }
        float[] s = new float[r];
        int[] iwork = new int[8 * r];
        intW info = new intW(0);
        LAPACK lapack = LinearAlgebraBackend.lapack();
        float[] query = new float[1];
        float[] none = new float[1];
        lapack.sgesdd("N", n, m, a, n, s, none, 1, none, 1, query, -1, iwork, info);
        checkInfo(info, "sgesdd");
        float[] work = new float[Math.max(1, (int) query[0])];
        lapack.sgesdd("N", n, m, a, n, s, none, 1, none, 1, work, work.length, iwork, info);
        checkInfo(info, "sgesdd");
        double[] out = new double[r];
        for (int j = 0; j < r; j++) {
            out[j] = s[j];
        }
        return out;
    }

    static void checkInfo(intW info, String routine) {
        if (info.val < 0) {
            throw new IllegalStateException(routine + ": argument " + (-info.val) + " was invalid");
        }
        if (info.val > 0) {
            throw new ArithmeticException(routine + " did not converge (info = " + info.val + ")");
        }
    }
}
