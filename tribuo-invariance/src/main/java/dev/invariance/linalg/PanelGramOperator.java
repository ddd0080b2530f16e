package dev.invariance.linalg;

import dev.invariance.network.WeightPanels;
import dev.ludovic.netlib.blas.BLAS;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The float32 Gram operator of a stored matrix S (p × q) read a panel at a time ({@link WeightPanels}): the block
 * Lanczos of {@link TruncatedSvd} runs on the smaller of {@code SᵀS} (q ≤ p) and {@code SSᵀ} (p &lt; q, "wide"), and
 * each product {@code Z = G X} is one pass over S in panels of {@code t} rows (or, when wide, {@code t} columns)
 * that fit, with a spare slice, {@value #PANEL_FLOATS} floats (1020 KiB, L2-resident): the panel A_r is decoded to
 * float32 from storage, then {@code y_r = A_r X} and at once {@code Z += A_rᵀ y_r} ({@link ThinProducts}), so
 * besides the Lanczos basis only one panel per processor is held, never S. The panels are split into one contiguous
 * range per processor, run on the common pool when {@code parallel} and one after another on the calling thread (with
 * one panel buffer) otherwise; the ranges' sums are added in range order, so the result depends on the processor
 * count only, not on {@code parallel}. The first pass also sums ‖S‖²_F in double.
 *
 * <p>Each pass also keeps its block's products {@code Y_j = A V_j} (the y_r of all panels, o × b floats, kept per
 * panel) and {@code Z_j = AᵀY_j} (the pass's result, d × b), as long as the basis has at most
 * {@value #STORED_PRODUCT_COLUMNS} vectors: then the refinement needs no pass over S, since for a Ritz vector
 * {@code x_i = V s_i} the product is {@code A x_i = Σ_j Y_j s_ij} (a Rayleigh quotient as before: σ_i = ‖A x_i‖/‖x_i‖,
 * summed in double; the only difference from a pass is the float32 rounding of the stored products, about 1e-7
 * relative per element and far less in the norm), and for the half step's left vectors ({@link LeftRitz})
 * {@code u_i = Σ_j Y_j c_ij} and {@code Aᵀu_i = Σ_j Z_j c_ij}, σ_i = ‖Aᵀu_i‖/‖u_i‖ ({@link #refineLeft}). A longer run
 * drops them and refines with one more pass over S, in double ({@link #refine}).
 *
 * <p>With a {@link PanelCache}, the first pass also keeps the decoded panels that fit the slabs the operator leased
 * (the same number of leading panels of each part's range, each at a fixed slot, so that the parts take about as long),
 * and every later pass, the refinement included, multiplies
 * those in place of decoding them again; the rest are decoded each pass. When every column panel of a wide S has a
 * slot, the first pass reads S in bands of whole rows instead and scatters them into the slots ({@link #fillByRows}):
 * a column panel is a short run of every row in storage, which costs a read call or a newly touched page per row
 * (B8's 4096 × 11008 float16 layers: 124 bytes a row), a band one long run. The floats are the same either way, and
 * so is the result. The column panels of a wide S that have no slot are read {@link #GROUP_PANELS} at a time
 * for the same reason, and multiplied in place in their group's buffer. {@link #close()} returns the slabs.
 *
 * <p>Everything here is in terms of S; {@link TruncatedSvd} maps the result onto {@code W = scale·S} or
 * {@code scale·Sᵀ}. One operator serves one Lanczos run on one thread (its parts run on the common pool).
 */
final class PanelGramOperator implements FloatBlockOperator, AutoCloseable {
    /**
     * Floats of one panel buffer, a decoded panel and its spare slice (1020 KiB). OpenBLAS packs the panel for each of
     * a pass's two products and the block X for the first, so taller panels spread X's packing over more rows:
     * measured on this project's machine (OpenBLAS 0.3.21, Haswell kernels, one core, both products of a pass with a
     * block of 16): 4096-wide panels of 30 rows 54–59 GFLOP/s, of 60 rows 63–68, of 120 rows 65–71; on whole B8 and B7
     * runs, 5 % and 10 % less wall time than with 508 KiB buffers. Buffers of half a G1 region or more are
     * "humongous" (each in old regions of its own, and with the heap's occupancy above G1's threshold each such
     * allocation starts a concurrent cycle), so they are lent by the {@link PanelCache} and reused from layer to
     * layer, not allocated per layer.
     */
    static final int PANEL_FLOATS = 255 << 10;
    /**
     * Column panels of a wide S that a pass reads at once where they are not cached: each row of S then gives one
     * run of GROUP_PANELS stripes instead of a run per stripe (B9's 4096 × 128,256 float16 layer: 62-column stripes
     * are 124 bytes of a 256 KB row, a TLB and cache miss each). Their panel buffer is GROUP_PANELS panels large.
     */
    static final int GROUP_PANELS = 8;
    /**
     * Most basis vectors whose products A·v the operator keeps for the refinement (o floats each): 12 blocks of 16,
     * where B8's layers converge within 9.
     */
    static final int STORED_PRODUCT_COLUMNS = 192;
    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    private final WeightPanels source;
    private final int p;
    private final int q;
    /** Whether the Gram matrix is SSᵀ (p &lt; q): panels are then column panels of S. */
    private final boolean wide;
    /** Rows (or, when wide, columns) of S per panel. */
    private final int width;
    private final int panels;
    private final int parts;
    private final boolean parallel;
    private final float[][] panelBuffers;
    private final float[][] yBuffers;
    private final float[][] zBuffers;
    private final double[] squares;
    private double sumOfSquares = Double.NaN;
    private final PanelCache cache;
    private final List<float[]> slabs;
    /**
     * Panels of each part's range that live in the slabs once the first pass has decoded them, its leading ones
     * ({@link #cacheSlot}): the same number for every part, so that the parts' passes take about as long.
     */
    private final int cachedPerPart;
    /** Panels per part (the last part may have fewer). */
    private final int perPart;
    private final int panelsPerSlab;
    private boolean filled;
    /**
     * A·V_j for the basis blocks V_j multiplied so far: per block, one array per panel (its t × b rows of the
     * product, column-major, t floats a column: small arrays, never humongous), the first {@link #storedColumns}
     * basis vectors in all; null once the basis outgrows {@link #STORED_PRODUCT_COLUMNS}.
     */
    private @Nullable List<float[][]> products = new ArrayList<>();
    /**
     * Z_j = AᵀY_j of the same blocks, one array per basis vector (d floats: never humongous); null with
     * {@link #products}.
     */
    private @Nullable List<float[]> gramProducts = new ArrayList<>();
    private int storedColumns;

    PanelGramOperator(WeightPanels source, boolean parallel) {
        this(source, parallel, new PanelCache(0));
    }

    /** An operator that keeps as many decoded panels as the slabs it can lease from {@code cache} now hold. */
    PanelGramOperator(WeightPanels source, boolean parallel, PanelCache cache) {
        this.source = source;
        this.p = source.storedRows();
        this.q = source.storedColumns();
        this.wide = p < q;
        int d = dimension();
        int o = other();
        this.width = panelWidth(d, o);
        this.panels = (o + width - 1) / width;
        this.parallel = parallel;
        this.parts = Math.max(1, Math.min(PROCESSORS, panels));
        this.panelBuffers = new float[parts][];
        this.yBuffers = new float[parts][];
        this.zBuffers = new float[parts][];
        this.squares = new double[parts];
        this.cache = cache;
        this.panelsPerSlab = PanelCache.SLAB_FLOATS / (width * d);
        this.perPart = (panels + parts - 1) / parts;
        // slots are per part (part · cachedPerPart + i): every panel has one once each part has perPart of them
        int wantedSlabs = panelsPerSlab == 0 ? 0 : (parts * perPart + panelsPerSlab - 1) / panelsPerSlab;
        this.slabs = cache.lease(wantedSlabs);
        this.cachedPerPart = Math.min(perPart, slabs.size() * panelsPerSlab / parts);
    }

    /** Gives the leased slabs back to the cache; the operator must not be used afterwards. */
    @Override
    public void close() {
        cache.release(slabs);
        slabs.clear();
        for (int part = 0; part < parts; part++) {
            float[] buffer = panelBuffers[part];
            if (buffer != null) {
                if (groupPanels() == 1) { // a group's larger buffer is let go: no other layer counts it
                    cache.giveBack(buffer);
                }
                panelBuffers[part] = null;
            }
        }
    }

    /**
     * Rows (or columns) of the outer dimension o per panel of d-long slices: t slices and a spare one fit
     * {@link #PANEL_FLOATS}.
     */
    static int panelWidth(int d, int o) {
        return Math.max(1, Math.min(o, PANEL_FLOATS / Math.max(1, d) - 1));
    }

    /**
     * Bytes of {@link PanelCache} slabs that hold every panel of a p × q stored matrix (whole panels per slab), 0 when
     * not even one panel fits a slab.
     */
    static long wholeCacheBytes(int p, int q) {
        int d = Math.min(p, q);
        int o = Math.max(p, q);
        int t = panelWidth(d, o);
        long perSlab = PanelCache.SLAB_FLOATS / ((long) t * d);
        if (perSlab == 0) {
            return 0;
        }
        long panels = (o + t - 1) / t;
        long parts = Math.max(1, Math.min(PROCESSORS, panels));
        long slots = parts * ((panels + parts - 1) / parts); // as the operator lays its slots out
        return (slots + perSlab - 1) / perSlab * 4L * PanelCache.SLAB_FLOATS;
    }

    /**
     * Bytes this operator holds besides the Lanczos run's own arrays, at most: a panel (for a wide S a group of
     * {@link #GROUP_PANELS}) with its spare slice per part running at once (every part when {@code parallel}, else
     * one), per part the panel's y and a partial Z; the refinement's double panel; and the stored products.
     */
    static long workingBytes(int p, int q, int b, boolean parallel) {
        int d = Math.min(p, q);
        int o = Math.max(p, q);
        int t = panelWidth(d, o);
        long panels = (o + t - 1) / t;
        long parts = Math.max(1, Math.min(PROCESSORS, panels));
        long group = p < q ? Math.min(GROUP_PANELS, (panels + parts - 1) / parts) : 1;
        long panel = 4L * (group * t * d + Math.max(group * t, d));
        long perPart = 4L * ((long) (t + 1) * b + (long) b * d + d);
        long stored = 4L * ((long) o + d) * STORED_PRODUCT_COLUMNS;
        return (parallel ? parts : 1) * panel + parts * perPart + 8L * ((long) t * d + Math.max(t, d)) + stored;
    }

    @Override
    public int dimension() {
        return wide ? p : q;
    }

    @Override
    public long vectorMultiplyAdds() {
        return 2L * p * q;
    }

    int other() {
        return wide ? q : p;
    }

    /** ‖S‖²_F, summed in double during the first product (NaN before it). */
    double sumOfSquares() {
        return sumOfSquares;
    }

    @Override
    public void applyGram(float[] x, int offset, int b, float[] z) {
        int d = dimension();
        boolean first = Double.isNaN(sumOfSquares);
        float[][] kept = keepProducts(offset / d, b);
        if (first && fillsByRows()) {
            forEachPart(this::fillByRows);
            filled = true; // the first pass multiplies the cached panels as the later ones do (and sums their squares)
        }
        forEachPart(part -> range(part, part * perPart, Math.min(panels, (part + 1) * perPart), x, offset, b, first,
                kept));
        System.arraycopy(zBuffers[0], 0, z, 0, b * d);
        for (int part = 1; part < parts; part++) {
            float[] s = zBuffers[part];
            for (int i = 0; i < b * d; i++) {
                z[i] += s[i];
            }
        }
        List<float[]> grams = gramProducts;
        if (kept != null && grams != null) {
            storedColumns += b;
            for (int t = 0; t < b; t++) { // z's column t (d floats from t·d) is G v_t
                grams.add(Arrays.copyOfRange(z, t * d, (t + 1) * d));
            }
        }
        if (first) {
            double sum = 0;
            for (double s : squares) {
                sum += s;
            }
            sumOfSquares = sum;
            filled = true;
            if (cachedPerPart > 0 && (!wide || cachedPerPart >= perPart)) {
                // the cached panels' pages are not read again: let the mapping go, so that only the uncached
                // panels' pages come back (without a cache it stays: re-mapping would fault every page in again).
                // A wide S's uncached column panels run through every row, so every page would come back: the
                // mapping stays unless all are cached.
                source.release();
            }
        }
    }

    /**
     * The array the products of the block of basis vectors {@code first … first + b − 1} go into (added to
     * {@link #products}), or null when they are not kept: the block does not extend the stored ones, or the basis has
     * outgrown {@link #STORED_PRODUCT_COLUMNS} (the stored products are then dropped).
     */
    private float @Nullable [][] keepProducts(int first, int b) {
        List<float[][]> stored = products;
        if (stored == null || first != storedColumns || first + b > STORED_PRODUCT_COLUMNS) {
            products = null;
            gramProducts = null;
            return null;
        }
        float[][] block = new float[panels][];
        stored.add(block);
        return block;
    }

    /**
     * zPart = Σ A_rᵀ (A_r X) over panels [from, to) of this part; each y_r goes into {@code kept[r]} (unless kept is
     * null).
     */
    private void range(int part, int from, int to, float[] x, int offset, int b, boolean first,
                       float @Nullable [][] kept) {
        int d = dimension();
        float[] panel = panelBuffer(part);
        float[] y = yBuffers[part];
        if (y == null || y.length < (width + 1) * b) {
            y = new float[(width + 1) * b];
            yBuffers[part] = y;
        }
        float[] zPart = zBuffers[part];
        if (zPart == null || zPart.length < b * d + d) {
            zPart = new float[b * d + d];
            zBuffers[part] = zPart;
        }
        if (from >= to) {
            Arrays.fill(zPart, 0, b * d, 0.0f);
            return;
        }
        double sum = 0;
        int group = groupPanels();
        int groupStart = from;
        int groupEnd = from; // the uncached column panels [groupStart, groupEnd) of a wide S now in the panel buffer
        int groupColumns = 0;
        for (int panelIndex = from; panelIndex < to; panelIndex++) {
            int r0 = panelIndex * width;
            int t = Math.min(width, other() - r0);
            int slot = cacheSlot(panelIndex);
            boolean inCache = slot >= 0;
            float[] a = inCache ? slab(slot) : panel;
            int aOff = inCache ? offset(slot) : 0;
            // A_r: t rows of A = S (row-major, lda q) or of A = Sᵀ (a column panel of S, read column-major, lda t, or
            // the width of its group when read with the next ones)
            int lda = wide ? t : q;
            if (!inCache && wide) {
                if (panelIndex >= groupEnd) {
                    groupStart = panelIndex;
                    groupEnd = Math.min(to, panelIndex + group);
                    groupColumns = Math.min(q, groupEnd * width) - r0;
                    source.read(0, p, r0, groupColumns, panel, 0);
                }
                aOff = (panelIndex - groupStart) * width;
                lda = groupColumns;
            } else if (!inCache || !filled) {
                decode(r0, t, a, aOff);
            }
            if (first) {
                sum += sumOfSquares(a, aOff, wide ? p : t, wide ? t : d, wide ? lda : d);
            }
            ThinProducts.multiplyPanel(a, aOff, lda, !wide, t, d, x, offset, d, b, 0.0f, y, 0, t);
            if (kept != null) {
                kept[panelIndex] = Arrays.copyOf(y, t * b);
            }
            ThinProducts.multiplyPanel(a, aOff, lda, wide, d, t, y, 0, t, b, panelIndex == from ? 0.0f : 1.0f,
                    zPart, 0, d);
        }
        squares[part] = sum;
    }

    /**
     * y_i = Σ_c (A v_c) s_ic for the k leading Ritz vectors, in double, a panel's rows at a time: the panel's stored
     * products of every block widened to double side by side (t × size) and multiplied with dgemm by the Ritz
     * coefficients (size × k).
     */
    private void fromStoredProducts(List<float[][]> stored, int size, double[] coefficients, int k, double[] y) {
        int o = other();
        BLAS blas = LinearAlgebraBackend.blas();
        double[] wide = new double[width * size];
        for (int panelIndex = 0; panelIndex < panels; panelIndex++) {
            int r0 = panelIndex * width;
            int t = Math.min(width, o - r0);
            int c0 = 0;
            for (float[][] block : stored) {
                if (c0 >= size) {
                    break;
                }
                float[] rows = block[panelIndex];
                int b = Math.min(rows.length / t, size - c0);
                for (int i = 0, at = c0 * t, end = b * t; i < end; i++) {
                    wide[at + i] = rows[i];
                }
                c0 += b;
            }
            blas.dgemm("N", "N", t, k, size, 1.0, wide, 0, t, coefficients, 0, size, 0.0, y, r0, o);
        }
    }

    /** Runs {@code work} for every part: on the common pool when {@code parallel}, else one after another. */
    private void forEachPart(IntConsumer work) {
        if (!parallel || parts == 1) {
            for (int part = 0; part < parts; part++) {
                work.accept(part);
            }
        } else {
            IntStream.range(0, parts).parallel().forEach(work);
        }
    }

    /** The panel buffer of {@code part} (one after another, the parts share one). */
    private float[] panelBuffer(int part) {
        int buffer = parallel ? part : 0;
        float[] panel = panelBuffers[buffer];
        if (panel == null) {
            panel = cache.borrow(bufferFloats(groupPanels() * width, dimension()));
            panelBuffers[buffer] = panel;
        }
        return panel;
    }

    /**
     * Floats of a panel buffer for {@code columns} slices of length d, with a spare slice (the products' bounds are
     * checked for a whole leading dimension past the last slice).
     */
    private static int bufferFloats(int columns, int d) {
        return columns * d + Math.max(columns, d);
    }

    /**
     * Column panels of a wide S read at once when they are not cached ({@link #GROUP_PANELS} unless a part has fewer
     * uncached ones; 1 otherwise).
     */
    private int groupPanels() {
        return wide && cachedPerPart < perPart ? Math.min(GROUP_PANELS, perPart - cachedPerPart) : 1;
    }

    /** Whole rows of S that fit a panel buffer, read at once by {@link #fillByRows}. */
    private int rowsPerBand() {
        return bufferFloats(width, dimension()) / q;
    }

    /**
     * Whether the first pass fills the cache in bands of whole rows ({@link #fillByRows}) instead of panel by panel:
     * for a wide S whose column panels all have a cache slot. A column panel is a short piece of every row of S, in
     * storage one short run per row (a read call or a newly touched page each); whole rows are one long run.
     */
    private boolean fillsByRows() {
        return wide && cachedPerPart >= perPart && rowsPerBand() >= 1;
    }

    /**
     * Part {@code part}'s share of the bands of whole rows of a wide S: each band is read into the part's panel buffer
     * and its rows are scattered into every column panel's cache slot (a p × t row-major tile), the same floats as
     * {@link #decode} would give panel by panel. The parts' bands are disjoint, so are the slots' rows they write.
     */
    private void fillByRows(int part) {
        float[] band = panelBuffer(part);
        int rowsPerBand = rowsPerBand();
        int bands = (p + rowsPerBand - 1) / rowsPerBand;
        int bandsPerPart = (bands + parts - 1) / parts;
        for (int bandIndex = part * bandsPerPart, end = Math.min(bands, (part + 1) * bandsPerPart); bandIndex < end;
             bandIndex++) {
            int i0 = bandIndex * rowsPerBand;
            int m = Math.min(rowsPerBand, p - i0);
            source.read(i0, m, 0, q, band, 0);
            for (int panelIndex = 0; panelIndex < panels; panelIndex++) {
                int c0 = panelIndex * width;
                int t = Math.min(width, q - c0);
                int slot = cacheSlot(panelIndex);
                float[] slab = slab(slot);
                int at = offset(slot) + i0 * t;
                for (int i = 0; i < m; i++) {
                    System.arraycopy(band, i * q + c0, slab, at + i * t, t);
                }
            }
        }
    }

    /** Where panel {@code panelIndex} lives in the cache (its slot), or −1 when it is decoded at every pass. */
    private int cacheSlot(int panelIndex) {
        int part = panelIndex / perPart;
        int within = panelIndex - part * perPart;
        return within < cachedPerPart ? part * cachedPerPart + within : -1;
    }

    /** The slab that holds cache slot {@code slot}. */
    private float[] slab(int slot) {
        return slabs.get(slot / panelsPerSlab);
    }

    /** Where cache slot {@code slot} starts in its slab. */
    private int offset(int slot) {
        return (slot % panelsPerSlab) * width * dimension();
    }

    /**
     * Σ a² over a rows × columns tile at {@code a[from …]} with row stride {@code stride}, in double: the same sum, to
     * the bit, as {@link #sumOfSquares(float[], int, int)} of the tile's elements laid end to end.
     */
    private static double sumOfSquares(float[] a, int from, int rows, int columns, int stride) {
        if (stride == columns || rows <= 1) {
            return sumOfSquares(a, from, rows * columns);
        }
        long main = ((long) rows * columns) & ~3L; // element k goes to partial sum k mod 4 below this, to the first after
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        long k = 0;
        for (int i = 0; i < rows; i++) {
            int at = from + i * stride;
            int j = 0;
            while (j < columns) {
                if ((k & 3) == 0 && j + 4 <= columns) {
                    s0 += (double) a[at + j] * a[at + j];
                    s1 += (double) a[at + j + 1] * a[at + j + 1];
                    s2 += (double) a[at + j + 2] * a[at + j + 2];
                    s3 += (double) a[at + j + 3] * a[at + j + 3];
                    j += 4;
                    k += 4;
                    continue;
                }
                double v = (double) a[at + j] * a[at + j];
                switch (k < main ? (int) (k & 3) : 0) {
                    case 0 -> s0 += v;
                    case 1 -> s1 += v;
                    case 2 -> s2 += v;
                    default -> s3 += v;
                }
                j++;
                k++;
            }
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ a[i]² over [from, from + n) in double, in four interleaved partial sums (the loop then pipelines). */
    private static double sumOfSquares(float[] a, int from, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = from;
        for (int end = from + (n & ~3); i < end; i += 4) {
            s0 += (double) a[i] * a[i];
            s1 += (double) a[i + 1] * a[i + 1];
            s2 += (double) a[i + 2] * a[i + 2];
            s3 += (double) a[i + 3] * a[i + 3];
        }
        for (int end = from + n; i < end; i++) {
            s0 += (double) a[i] * a[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Slices [r0, r0 + t) of the outer dimension: rows of S, or (wide) its columns, as a p × t row-major tile at
     * {@code panel[at …]}.
     */
    private void decode(int r0, int t, float[] panel, int at) {
        if (wide) {
            source.read(0, p, r0, t, panel, at);
        } else {
            source.read(r0, t, 0, q, panel, at);
        }
    }

    @Override
    public boolean refinesLeft(int size) {
        return products != null && gramProducts != null && storedColumns >= size;
    }

    /**
     * The half step's triplets from the stored products: {@code u_i = Σ_c (A v_c) c_ic} ({@link #fromStoredProducts})
     * and {@code Aᵀu_i = Σ_c (G v_c) c_ic}, both in double; σ_i = ‖Aᵀu_i‖/‖u_i‖.
     */
    @Override
    public Spectrum refineLeft(LeftRitz left, int k) {
        List<float[][]> stored = products;
        List<float[]> grams = gramProducts;
        if (stored == null || grams == null || storedColumns < left.size) {
            throw new IllegalStateException("the products of " + left.size + " basis vectors were not kept");
        }
        int d = dimension();
        int o = other();
        int size = left.size;
        double[] u = new double[k * o + o];
        fromStoredProducts(stored, size, left.coefficients, k, u);
        double[] x = new double[k * d];
        for (int c = 0; c < size; c++) {
            float[] g = grams.get(c);
            for (int i = 0; i < k; i++) {
                double coefficient = left.coefficients[i * size + c];
                for (int j = 0, at = i * d; j < d; j++) {
                    x[at + j] += coefficient * g[j];
                }
            }
        }
        products = null;
        gramProducts = null;
        return GramOperator.triplets(x, u, true, k, d, o, p, q, wide);
    }

    /**
     * Ritz vectors x_i = V s_i, then y_i = A x_i: from the stored products when they cover the basis
     * ({@code y_i = Σ_c (A v_c) s_ic}, summed in double), else in double in one more pass over S (each panel widened
     * to double and multiplied with dgemm, sums in double); σ_i = ‖y_i‖/‖x_i‖: the spectrum of S.
     */
    @Override
    public Spectrum refine(float[] basis, Ritz ritz, int k) {
        int d = dimension();
        int o = other();
        double[] x = GramOperator.ritzVectors(basis, ritz, k, d);
        double[] y = new double[k * o + o];
        List<float[][]> stored = products;
        if (stored != null && storedColumns >= ritz.size) {
            fromStoredProducts(stored, ritz.size, ritz.vectors, k, y);
            products = null;
            gramProducts = null;
            return GramOperator.triplets(x, y, k, d, o, p, q, wide);
        }
        float[] panel = panelBuffers[0] != null ? panelBuffers[0] : new float[width * d + Math.max(width, d)];
        double[] buffer = new double[width * d + Math.max(width, d)];
        BLAS blas = LinearAlgebraBackend.blas();
        for (int r0 = 0; r0 < o; r0 += width) {
            int t = Math.min(width, o - r0);
            int panelIndex = r0 / width;
            int slot = filled ? cacheSlot(panelIndex) : -1;
            boolean inCache = slot >= 0;
            float[] a = inCache ? slab(slot) : panel;
            int aOff = inCache ? offset(slot) : 0;
            if (!inCache) {
                decode(r0, t, panel, 0);
            }
            for (int i = 0, end = t * d; i < end; i++) {
                buffer[i] = a[aOff + i];
            }
            if (!wide) {
                // y[i, r0 + u] = Σ_j S[r0 + u, j] x[i, j]
                blas.dgemm("T", "N", t, k, q, 1.0, buffer, 0, q, x, 0, d, 0.0, y, r0, o);
            } else {
                // y[i, r0 + u] = Σ_j S[j, r0 + u] x[i, j], the panel p × t row-major being Sᵀ's block column-major
                blas.dgemm("N", "N", t, k, p, 1.0, buffer, 0, t, x, 0, d, 0.0, y, r0, o);
            }
        }
        return GramOperator.triplets(x, y, k, d, o, p, q, wide);
    }
}
