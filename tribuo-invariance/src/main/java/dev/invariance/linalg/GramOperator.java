package dev.invariance.linalg;

import dev.invariance.linalg.internal.RowMajorBlas;
import dev.invariance.network.WeightMatrix;
import dev.ludovic.netlib.blas.BLAS;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.stream.IntStream;

/** Products with W, in float32 or float64, oriented so that the Gram matrix is the smaller one. */
final class GramOperator implements FloatBlockOperator {
    private final int m;
    private final int n;
    private final boolean transposed; // iterate on WWᵀ (m < n): the "right" space is W's row space
    // W in the precision of the products: exactly one of the two is set (float32 products, or float64 ones)
    private final float @Nullable [] single;
    private final double @Nullable [] dbl;
    // buffers made at the first product that needs them; per-call operator: used by one thread only
    private float @Nullable [] scratch;
    private float @Nullable [][] partials; // the tiled product's per-range sums of G X, and its y panels
    private float @Nullable [][] panels;
    private float @Nullable [] padded; // W with a spare row, for the panelled products of wide W (made when needed)
    /** Panel size for the panelled products, in floats (4 MiB of weights: well inside a shared L3). */
    private static final int PANEL_FLOATS = 1 << 20;
    /** Coordinates of a float basis widened to double at a time for the Ritz vectors (128 × 192 doubles: 192 KiB). */
    private static final int REFINE_ROWS = 128;
    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    /** Whether the tiled products may run parts on the common fork-join pool besides the calling thread. */
    private final boolean parallel;

    /**
     * @param useFloat products in float32 (W read as floats; exact for float32 weights), else in double
     * @param parallel whether the thin-block products may use the common fork-join pool besides the calling thread
     *                 (the result is the same either way)
     */
    @Override
    public long vectorMultiplyAdds() {
        return 2L * m * n;
    }

    GramOperator(WeightMatrix w, boolean useFloat, boolean parallel) {
        this.parallel = parallel;
        this.m = w.getRows();
        this.n = w.getColumns();
        this.transposed = m < n;
        if (useFloat) {
            // BLAS only reads the weights, so float storage is used in place (no copy of up to hundreds of MB)
            float[] shared = w.sharedFloatStorage();
            single = shared != null ? shared : w.toRowMajorFloatArray();
            dbl = null;
        } else {
            dbl = w.toRowMajorArray();
            single = null;
        }
    }

    /** Whether the products are in float32 (the operator was made with {@code useFloat}). */
    boolean isSinglePrecision() {
        return single != null;
    }

    /** W as floats, for the float32 products, which only an operator made with {@code useFloat} offers. */
    private float[] singleWeights() {
        if (single == null) {
            throw new IllegalStateException("a float32 product asked of a float64 Gram operator");
        }
        return single;
    }

    /** W as doubles, for the float64 products of an operator made without {@code useFloat}. */
    private double[] doubleWeights() {
        if (dbl == null) {
            throw new IllegalStateException("a float64 product asked of a float32 Gram operator");
        }
        return dbl;
    }

    @Override
    public int dimension() {
        return transposed ? m : n;
    }

    int other() {
        return transposed ? n : m;
    }

    /** Rows of x (b × dimension) → rows of A x (b × other), A = W or Wᵀ. */
    private void forward(boolean useT, double[] x, double[] y, int b) {
        // not transposed: y = x Wᵀ (b × m); transposed: y = x W (b × n)
        RowMajorBlas.gemm(false, !useT, b, useT ? n : m, useT ? m : n, 1.0, x, doubleWeights(), 0.0, y);
    }

    /**
     * Z = G X for the b rows of x (each of length {@link #dimension()}): G = WᵀW as Wᵀ(W X), or WWᵀ as
     * W(Wᵀ X) when transposed. Two BLAS products; a row-major W is the column-major storage of Wᵀ.
     */
    double[] applyGram(double[] x, int b) {
        int d = dimension();
        int o = other();
        BLAS blas = LinearAlgebraBackend.blas();
        String first = transposed ? "N" : "T";
        String second = transposed ? "T" : "N";
        float[] weights = single;
        if (weights != null) {
            float[] xf = new float[b * d];
            for (int i = 0; i < xf.length; i++) {
                xf[i] = (float) x[i];
            }
            float[] yf = new float[b * o];
            float[] zf = new float[b * d];
            blas.sgemm(first, "N", o, b, d, 1.0f, weights, n, xf, d, 0.0f, yf, o);
            blas.sgemm(second, "N", d, b, o, 1.0f, weights, n, yf, o, 0.0f, zf, d);
            double[] z = new double[b * d];
            for (int i = 0; i < z.length; i++) {
                z[i] = zf[i];
            }
            return z;
        }
        double[] y = new double[b * o];
        double[] z = new double[b * d];
        double[] wide = doubleWeights();
        blas.dgemm(first, "N", o, b, d, 1.0, wide, n, x, d, 0.0, y, o);
        blas.dgemm(second, "N", d, b, o, 1.0, wide, n, y, o, 0.0, z, d);
        return z;
    }

    /**
     * z = G X for the b rows of X stored in {@code x} from {@code offset} (each of length {@link #dimension()}),
     * all in float32, in one pass over W. Thin blocks (b ≤ {@value ThinProducts#MAX_BLOCK}) run as
     * {@link #tiled tiles} on all processors; wider ones as two multi-threaded sgemm calls per row panel
     * ({@link #panelled}).
     */
    @Override
    public void applyGram(float[] x, int offset, int b, float[] z) {
        if (b <= ThinProducts.MAX_BLOCK) {
            tiled(x, offset, b, z);
        } else {
            panelled(x, offset, b, z);
        }
    }

    /**
     * The wide-block product: W in row panels of p rows (of Wᵀ when transposed) that stay cache-resident between
     * two sgemm calls, y_p = A_p X, then z += A_pᵀ y_p; OpenBLAS threads each call.
     */
    private void panelled(float[] x, int offset, int b, float[] z) {
        int d = dimension();
        int o = other();
        BLAS blas = LinearAlgebraBackend.blas();
        String first = transposed ? "N" : "T";
        String second = transposed ? "T" : "N";
        float[] y = scratch;
        if (y == null || y.length < b * o) {
            y = new float[b * o];
            scratch = y;
        }
        // When transposed the panels are column panels (offset r0, leading dimension n); netlib's argument check
        // wants a whole leading dimension after the last panel's start, so wide W is copied once with a spare row.
        float[] a = singleWeights();
        if (transposed) {
            float[] spare = padded;
            if (spare == null) {
                spare = Arrays.copyOf(a, m * n + n);
                padded = spare;
            }
            a = spare;
        }
        int p = Math.max(32, Math.min(o, PANEL_FLOATS / Math.max(1, d)));
        for (int r0 = 0; r0 < o; r0 += p) {
            int rows = Math.min(p, o - r0);
            int start = transposed ? r0 : r0 * n;
            blas.sgemm(first, "N", rows, b, d, 1.0f, a, start, n, x, offset, d, 0.0f, y, 0, rows);
            blas.sgemm(second, "N", d, b, rows, 1.0f, a, start, n, y, 0, rows, r0 == 0 ? 0.0f : 1.0f,
                    z, 0, d);
        }
    }

    /**
     * The thin-block product in {@link ThinProducts} tiles: the rows of A (A = W, or Wᵀ when transposed) are split
     * into one contiguous range per processor, each range walking its rows r at a time, y_r = A_r X and at once
     * (still in cache) z_range += A_rᵀ y_r, run on the common fork-join pool with the caller taking part (or one
     * after the other on the calling thread when not {@code parallel}); the ranges' sums are then added in range
     * order, so the result depends on the processor count, not on the scheduling. Measured on B4's 4096² float32
     * matrix (two vCPUs, OpenBLAS 0.3.21): 12 ms per 16-vector block against 18–23 ms for {@link #panelled}
     * (docs/performance.md).
     */
    private void tiled(float[] x, int offset, int b, float[] z) {
        int d = dimension();
        int o = other();
        int rowsPerTile = ThinProducts.tileRows(b, d);
        int tiles = (o + rowsPerTile - 1) / rowsPerTile;
        int parts = Math.max(1, Math.min(PROCESSORS, tiles));
        int perPart = (tiles + parts - 1) / parts * rowsPerTile;
        float[][] sums = partials;
        float[][] ys = panels;
        if (sums == null || ys == null || sums.length != parts || sums[0].length < b * d + d) {
            sums = new float[parts][b * d + d]; // + d: a leading dimension after the last column, for netlib
            ys = new float[parts][rowsPerTile * b];
        } else if (ys[0].length < rowsPerTile * b) {
            ys = new float[parts][rowsPerTile * b];
        }
        partials = sums;
        panels = ys;
        float[] a = singleWeights();
        if (!parallel || parts == 1) {
            for (int part = 0; part < parts; part++) {
                tileRange(a, x, offset, b, Math.min(o, part * perPart), Math.min(o, (part + 1) * perPart), rowsPerTile,
                        sums[part], ys[part]);
            }
        } else {
            float[][] zParts = sums;
            float[][] yParts = ys;
            IntStream.range(0, parts).parallel().forEach(part -> tileRange(a, x, offset, b,
                    Math.min(o, part * perPart), Math.min(o, (part + 1) * perPart), rowsPerTile, zParts[part],
                    yParts[part]));
        }
        System.arraycopy(sums[0], 0, z, 0, b * d);
        for (int part = 1; part < parts; part++) {
            float[] s = sums[part];
            for (int i = 0; i < b * d; i++) {
                z[i] += s[i];
            }
        }
    }

    /**
     * zPart = Σ_r A_rᵀ (A_r X) over the rows [from, to) of A, r rows at a time. Row-major W ({@code w}) serves as
     * A = W (row-major, leading dimension n) and as Wᵀ (the same storage read column-major).
     */
    private void tileRange(float[] w, float[] x, int offset, int b, int from, int to, int rowsPerTile, float[] zPart,
                           float[] y) {
        int d = dimension();
        if (from >= to) {
            Arrays.fill(zPart, 0, b * d, 0.0f);
            return;
        }
        for (int r0 = from; r0 < to; r0 += rowsPerTile) {
            int rows = Math.min(rowsPerTile, to - r0);
            // A_r = rows [r0, r0 + rows) of A: row-major W from row r0, or column-major Wᵀ from column r0
            int start = transposed ? r0 : r0 * n;
            ThinProducts.multiply(w, start, n, !transposed, rows, d, x, offset, d, b, 0.0f, y, 0, rows);
            ThinProducts.multiply(w, start, n, transposed, d, rows, y, 0, rows, b, r0 == from ? 0.0f : 1.0f,
                    zPart, 0, d);
        }
    }

    /** As {@link #refine(double[], Ritz, int)} for a float32 basis (Ritz vectors formed in double). */
    @Override
    public Spectrum refine(float[] basis, Ritz ritz, int k) {
        return fromRitzVectors(ritzVectors(basis, ritz, k, dimension()), k);
    }

    /** Ritz vectors x_i = V s_i, then σ_i = ‖A x_i‖ and the other-side vector A x_i / σ_i, in double. */
    Spectrum refine(double[] basis, Ritz ritz, int k) {
        return fromRitzVectors(ritzVectors(basis, ritz, k, dimension()), k);
    }

    /** σ_i = ‖A x_i‖/‖x_i‖ and the other-side vector A x_i / σ_i of the k Ritz vectors (rows of x), in double. */
    private Spectrum fromRitzVectors(double[] x, int k) {
        int d = dimension();
        int o = other();
        double[] y = new double[k * o + o];
        float[] weights = single;
        if (weights != null) {
            exactForward(weights, x, y, k);
        } else {
            forward(transposed, x, y, k);
        }
        return triplets(x, y, k, d, o, m, n, transposed);
    }

    /**
     * The Ritz vectors x_i = V s_i (k rows of length d, in double) of a double basis, with one row of padding: the
     * products that read x at row offsets with its full leading dimension need it after the offset (netlib's argument
     * check).
     */
    static double[] ritzVectors(double[] basis, Ritz ritz, int k, int d) {
        int size = ritz.size;
        double[] s = new double[k * size];
        for (int i = 0; i < k; i++) {
            System.arraycopy(ritz.vectors, i * size, s, i * size, size);
        }
        double[] x = new double[k * d + d];
        RowMajorBlas.gemm(false, false, k, d, size, 1.0, s, basis, 0.0, x);
        return x;
    }

    /**
     * As {@link #ritzVectors(double[], Ritz, int, int)} for a float32 basis, {@value #REFINE_ROWS} coordinates at a
     * time: the basis is widened to double a slice at a time, so that no double copy of it is allocated (for a large
     * layer that copy was a humongous array in a small heap, every layer).
     */
    static double[] ritzVectors(float[] basis, Ritz ritz, int k, int d) {
        int size = ritz.size;
        double[] x = new double[k * d + d];
        double[] wide = new double[Math.min(REFINE_ROWS, d) * size];
        BLAS blas = LinearAlgebraBackend.blas();
        for (int j0 = 0; j0 < d; j0 += REFINE_ROWS) {
            int rows = Math.min(REFINE_ROWS, d - j0);
            for (int c = 0; c < size; c++) { // column c of the d × size column-major V, rows [j0, j0 + rows)
                for (int u = 0; u < rows; u++) {
                    wide[c * rows + u] = basis[c * d + j0 + u];
                }
            }
            blas.dgemm("N", "N", rows, k, size, 1.0, wide, 0, rows, ritz.vectors, 0, size, 0.0, x, j0, d);
        }
        return x;
    }

    /**
     * The triplets of an m × n matrix A from its Ritz vectors x_i (rows of {@code x}, length d) and y_i = A x_i (rows
     * of {@code y}, length o): σ_i = ‖y_i‖/‖x_i‖ and the two unit vectors, sorted by σ descending. When
     * {@code transposed} the Gram matrix was WWᵀ, so the x_i are left vectors (in R^m), else right ones (in R^n).
     */
    static Spectrum triplets(double[] x, double[] y, int k, int d, int o, int m, int n, boolean transposed) {
        return triplets(x, y, false, k, d, o, m, n, transposed);
    }

    /**
     * As {@link #triplets(double[], double[], int, int, int, int, int, boolean)}, or, when {@code fromLeft}, from
     * the half step's vectors: y_i = A V c_i (length o) and x_i = Aᵀy_i (length d), σ_i = ‖x_i‖/‖y_i‖. Either way
     * the unit vectors are x_i/‖x_i‖ and y_i/‖y_i‖, with A x̂_i = σ_i ŷ_i at convergence.
     */
    static Spectrum triplets(double[] x, double[] y, boolean fromLeft, int k, int d, int o, int m, int n,
                             boolean transposed) {
        double[] values = new double[k];
        double[][] xs = new double[k][d];
        double[][] ys = new double[k][o];
        for (int i = 0; i < k; i++) {
            double nx = KrylovBlocks.norm(x, i * d, d);
            double ny = KrylovBlocks.norm(y, i * o, o);
            double sigma = fromLeft ? (ny > 0 ? nx / ny : 0.0) : ny / nx;
            values[i] = sigma;
            double toUnit = 1.0 / nx;
            for (int t = 0; t < d; t++) {
                xs[i][t] = x[i * d + t] * toUnit;
            }
            double yNorm = fromLeft ? ny : sigma * nx;
            for (int t = 0; t < o; t++) {
                ys[i][t] = sigma > 0 ? y[i * o + t] / yNorm : 0.0;
            }
        }
        // Rayleigh quotients can reorder nearly equal values; keep the descending contract.
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (p, q) -> Double.compare(values[q], values[p]));
        double[] sorted = new double[k];
        double[][] left = new double[k][];
        double[][] right = new double[k][];
        for (int i = 0; i < k; i++) {
            int src = order[i];
            sorted[i] = values[src];
            // right vectors live in R^n, left in R^m
            right[i] = transposed ? ys[src] : xs[src];
            left[i] = transposed ? xs[src] : ys[src];
        }
        return new Spectrum(m, n, sorted, k == Math.min(m, n), left, right);
    }

    /**
     * y = A x for the k rows of x with the float weights widened to double and products summed in double:
     * W is converted panel by panel (a few hundred kB, cache-resident) and multiplied with dgemm.
     */
    private void exactForward(float[] w, double[] x, double[] y, int k) {
        int d = dimension();
        int o = other();
        BLAS blas = LinearAlgebraBackend.blas();
        int panel = Math.max(1, Math.min(m, (1 << 19) / Math.max(1, n)));
        double[] buffer = new double[panel * n];
        double[] part = transposed ? new double[k * n] : null;
        for (int r0 = 0; r0 < m; r0 += panel) {
            int rows = Math.min(panel, m - r0);
            for (int t = 0; t < rows * n; t++) {
                buffer[t] = w[r0 * n + t];
            }
            if (!transposed) {
                // y[i, r0 + t] = Σ_j W[r0 + t, j] x[i, j]: column-major (rows × k) block at row offset r0 of y (o × k)
                blas.dgemm("T", "N", rows, k, n, 1.0, buffer, 0, n, x, 0, d, 0.0, y, r0, o);
            } else {
                // y[i, :] += Σ_{t} x[i, r0 + t] W[r0 + t, :]
                blas.dgemm("N", "N", n, k, rows, 1.0, buffer, 0, n, x, r0, d, 1.0, y, 0, o);
            }
        }
    }
}
