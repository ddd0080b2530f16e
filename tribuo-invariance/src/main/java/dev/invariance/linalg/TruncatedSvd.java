package dev.invariance.linalg;

import dev.invariance.linalg.internal.RowMajorBlas;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.invariance.network.WeightPanels;
import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.invariance.linalg.KrylovBlocks.*;

/**
 * The leading k singular triplets (σ_j, u_j, v_j) of a large {@code W} (m × n, d_out × d_in) by block Lanczos
 * with full reorthogonalisation on the smaller Gram matrix ({@code G = WᵀW} when n ≤ m, else {@code WWᵀ}).
 *
 * <p>Algorithm: starting from a random orthonormal block V_1 (b columns), each step computes
 * {@code Z = G V_j = Wᵀ(W V_j)}, orthogonalises Z against every previous block twice (classical Gram–Schmidt
 * twice) and orthonormalises it into V_{j+1} = Z R⁻¹. The projected matrix {@code H = VᵀGV} is assembled from the
 * orthogonalisation coefficients, and its eigenpairs (θ_i, s_i) are Ritz pairs of G with residual
 * {@code ‖G x_i − θ_i x_i‖ = ‖R s_i,last‖} (x_i = V s_i). Finally each singular value is recomputed in double
 * precision as {@code σ_i = ‖W x_i‖} (the weights times double vectors, summed in double), a Rayleigh quotient
 * whose error is quadratic in the angle between x_i and the true singular vector, and the other-side vector is
 * {@code W x_i / σ_i}.
 *
 * <p>Two paths share this scheme:
 * <ul>
 *   <li>{@link ElementType#FLOAT64}: everything in double; stops when, for each of the k leading Ritz values,
 *       {@code min(‖r_i‖, ‖r_i‖²/δ_i) ≤ 2·tol·θ_i}, with δ_i the distance to the nearest other Ritz value (the
 *       standard Kato–Temple/Weyl bounds on |λ_i − θ_i|; a relative error e in λ is e/2 in σ).</li>
 *   <li>{@link ElementType#FLOAT32} (and narrower), the fast path for large float32 weights: the basis is stored
 *       in float32 and the products with W ({@link WeightMatrix#toRowMajorFloatArray()}, exact for float32
 *       weights) and the reorthogonalisation are single-precision sgemm calls; {@code Wᵀ(W X)} is formed in one
 *       pass over W, in cache-sized tiles split over the processors for thin blocks (b ≤ 32) and in row panels
 *       for wider ones; the b × b intra-block orthonormalisation is CholeskyQR2 in double
 *       (Gram–Schmidt with deflation when the block is nearly rank-deficient) and the projected problem is
 *       solved in double (LAPACK dsyevr). It stops when for each of the k leading values either the bound above
 *       or an a-posteriori estimate holds: in a growing Krylov space the Ritz values rise monotonically towards
 *       the eigenvalues, geometrically near convergence, so fitting that rate to the increments between the
 *       last three checks extrapolates the remaining error (never taken below ‖r_i‖²/θ_1, which the error of a
 *       Rayleigh quotient cannot undercut); the same fit schedules the next check, so that the
 *       projected problem is solved only a dozen times (at every step where solving it costs under 1 % of a product,
 *       as for the panels of large streamed layers). The final double-precision refinement makes the
 *       returned values independent of the float32 rounding of the iteration, up to the quadratic term.
 *       Where the operator keeps its passes' products (streamed layers, {@link PanelGramOperator}), each check
 *       also takes the half step ({@link LeftRitz}): the Ritz values of WWᵀ on W·span(V), which H and the last R
 *       determine, lie between this step's and the next step's Ritz values of G; the run stops on them (their
 *       extrapolation taking the slower of the last two half steps' contractions), and the triplets are refined
 *       from the left vectors u_i = W V c_i, σ_i = ‖Wᵀu_i‖/‖u_i‖. On B8's and B7's layers about half stop one
 *       pass earlier that way.</li>
 * </ul>
 * Either way the iteration also stops when the basis spans the whole space (the result is then exact up to
 * rounding); if it reaches its size limit first, the dense SVD is used instead, so the result is always
 * accurate, only slower.
 *
 * <p>Accuracy: with the default tolerance 1e-7 the leading k singular values agree with a dense double SVD to a
 * relative error below 1e-6 (tested at 1e-6 on float32 Gaussian matrices of a few hundred rows and on clustered
 * and repeated spectra; on the 4096 × 4096 float32 Gaussian matrix of benchmark B4 the float path's largest
 * relative error over the top ten is about 3e-8). The stopping test extrapolates the convergence, an estimate and
 * not a bound, so the tolerance is set a tenth below the accuracy wanted: iterated to 1e-6, 2 of benchmark B7's 192
 * 1600-wide layers came out 2.4e-6 and 2.8e-6 off float64 LAPACK, at 1e-7 every layer within 1.5e-8. Singular
 * <em>vectors</em> satisfy {@code sin∠(x_i, v_i) ≲ ‖r_i‖/gap_i} (Davis–Kahan), gap_i being the distance from σ_i² to the rest of the
 * spectrum of G: when the gap is healthy (relative gap of a few per cent or more) they agree with the dense
 * SVD's to {@code |⟨u, u_dense⟩| ≥ 1 − 1e-8} (tested; typically 1 − 1e-12 or better), while for (nearly)
 * repeated σ_i only the spanned subspace is determined, as for any SVD. Deterministic: a fixed seed, OpenBLAS
 * thread count and processor count give identical results, parallel or not.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()} or use {@link #withDefaults()}.
 */
public final class TruncatedSvd {
    /**
     * The default largest Krylov basis (vectors) before the dense SVD takes over; it also bounds the memory of a
     * float Lanczos run: (limit + block) × dimension floats of basis and limit² doubles of projected matrix.
     */
    public static final int DEFAULT_BASIS_LIMIT = 1200;
    private final int blockSize;
    private final double tolerance;
    private final int maxBasisSize;
    private final long seed;
    private final boolean parallel;
    private final PanelCache panelCache;

    private TruncatedSvd(Builder b) {
        this.blockSize = b.blockSize;
        this.tolerance = b.tolerance;
        this.maxBasisSize = b.maxBasisSize;
        this.seed = b.seed;
        this.parallel = b.parallel;
        this.panelCache = new PanelCache(b.panelCacheBytes);
    }

    private TruncatedSvd(TruncatedSvd like, boolean parallel) {
        this.blockSize = like.blockSize;
        this.tolerance = like.tolerance;
        this.maxBasisSize = like.maxBasisSize;
        this.seed = like.seed;
        this.parallel = parallel;
        this.panelCache = like.panelCache;
    }

    /**
     * This solver with its products on the calling thread ({@link Builder#parallel}{@code (false)}), sharing this
     * one's panel cache: for layers decomposed side by side, one per processor, beside layers that split their
     * products over the processors. The results are the same as this solver's.
     */
    public TruncatedSvd sequential() {
        return parallel ? new TruncatedSvd(this, false) : this;
    }

    /**
     * Default settings: block size 0 (meaning k + 6, at least 16), tolerance 1e-7, basis limit 1200, seed 1,
     * products parallel.
     */
    public static TruncatedSvd withDefaults() {
        return builder().build();
    }

    /** A builder starting from the defaults of {@link #withDefaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The Lanczos block size b (0: chosen from k). */
    public int getBlockSize() {
        return blockSize;
    }

    /** The requested relative accuracy of the singular values. */
    public double getTolerance() {
        return tolerance;
    }

    /** Whether the float32 block products may run on the common fork-join pool besides the calling thread. */
    public boolean isParallel() {
        return parallel;
    }

    /**
     * The leading {@code k} singular values and vector pairs of {@code w}. Products with W run in single
     * precision when {@code precision} is {@link ElementType#FLOAT32} or narrower (the weights are then assumed
     * to be exactly representable as floats, as they are when read from float32 storage), in double otherwise.
     * Small problems (where the Krylov basis would cover most of the space) go straight to {@link DenseSvd}.
     *
     * @param k how many triplets, {@code 0 ≤ k ≤ min(m, n)}
     * @throws IllegalArgumentException if k is out of range
     */
    public Spectrum top(WeightMatrix w, int k, ElementType precision) {
        int m = w.getRows();
        int n = w.getColumns();
        int r = Math.min(m, n);
        if (k < 0 || k > r) {
            throw new IllegalArgumentException("asked for the top " + k + " singular values of a " + m + " x " + n
                    + " matrix (at most " + r + ")");
        }
        if (k == 0) {
            return new Spectrum(m, n, new double[0], r == 0, new double[0][], new double[0][]);
        }
        int b = blockSize(k);
        if (r <= 4 * b) {
            return truncate(DenseSvd.decompose(w, k), k);
        }
        if (w.isZero()) {
            return zero(m, n, k);
        }
        GramOperator op = new GramOperator(w, precision != ElementType.FLOAT64, parallel);
        Spectrum s = op.isSinglePrecision() ? lanczosFloat(op, k, b, Math.min(maxBasisSize, r))
                : lanczos(op, k, b, Math.min(maxBasisSize, r));
        return s != null ? s : truncate(DenseSvd.decompose(w, k), k);
    }

    /**
     * The leading {@code k} singular triplets of a layer's {@code W} read a panel at a time from where it is stored,
     * and ‖W‖_F, without a copy of W on the heap: block Lanczos on the Gram matrix of the stored matrix S (float32
     * products in one pass over S per block, {@link PanelGramOperator}), each singular value refined in double as
     * for {@link #top(WeightMatrix, int, ElementType)}, and the result mapped onto {@code W = scale·S} or
     * {@code scale·Sᵀ} ({@link WeightPanels}): σ(W) = |scale|·σ(S), the sides swapped for a transpose, the left
     * vectors negated for a negative scale. Heap use is the Krylov basis and a few panels
     * ({@link #streamedWorkingBytes}), whatever the size of W, besides the panel cache this solver was built with
     * ({@link Builder#panelCacheBytes}), which keeps decoded panels between passes. Matrices too small for Lanczos ({@link #streams} false)
     * are gathered into memory (they are small in one dimension) and decomposed densely; if the iteration does not
     * converge within the basis limit, W is gathered and decomposed densely when it fits half of the free heap.
     *
     * @param k how many triplets, {@code 1 ≤ k ≤ min(m, n)}
     * @throws IllegalArgumentException if k is out of range or the weights are float64 (whose products are double)
     * @throws IllegalStateException    if the iteration does not converge and W does not fit the heap
     */
    public Streamed top(WeightPanels w, int k) {
        int p = w.storedRows();
        int q = w.storedColumns();
        int r = Math.min(p, q);
        if (k < 1 || k > r) {
            throw new IllegalArgumentException("asked for the top " + k + " singular values of a " + p + " x " + q
                    + " matrix (1 to " + r + ")");
        }
        if (w.getElementType() == ElementType.FLOAT64) {
            throw new IllegalArgumentException("float64 weights are decomposed in memory, not from panels");
        }
        int b = blockSize(k);
        if (!streams(p, q, k)) {
            WeightMatrix s = gather(w);
            return onLayer(w, top(s, k, ElementType.FLOAT32), s.frobeniusNorm());
        }
        Spectrum s;
        double frobenius;
        try (PanelGramOperator op = new PanelGramOperator(w, parallel, panelCache)) {
            s = lanczosFloat(op, k, b, Math.min(maxBasisSize, r));
            frobenius = Math.sqrt(op.sumOfSquares());
        }
        if (frobenius == 0) {
            return onLayer(w, zero(p, q, k), 0.0);
        }
        if (s == null) {
            long need = 4L * p * q + DenseSvd.decomposeBytes(p, q, k);
            Runtime rt = Runtime.getRuntime();
            if (need > (rt.maxMemory() - rt.totalMemory() + rt.freeMemory()) / 2) {
                throw new IllegalStateException("the top-" + k + " iteration on a " + w.outputWidth() + " x "
                        + w.inputWidth() + " layer did not converge within " + Math.min(maxBasisSize, r)
                        + " basis vectors, and the layer is too large to decompose in memory");
            }
            s = truncate(DenseSvd.decompose(gather(w), k), k);
        }
        return onLayer(w, s, frobenius);
    }

    /** Triplets of W and ‖W‖_F, as {@link #top(WeightPanels, int)} gives them. */
    public record Streamed(Spectrum spectrum, double frobenius) {
    }

    /**
     * Whether {@link #top(WeightPanels, int)} runs block Lanczos from panels for a p × q stored matrix (true), or
     * gathers the matrix, small in one dimension, into memory (min(p, q) ≤ 4 blocks).
     */
    public boolean streams(int p, int q, int k) {
        return Math.min(p, q) > 4L * blockSize(k);
    }

    /**
     * Bytes of heap {@link #top(WeightPanels, int)} allocates at the peak for a p × q stored matrix (as
     * {@link #workingBytes} for weights held as floats, plus the operator's panels; for a matrix that is gathered,
     * the float copy and the dense SVD's workspace).
     */
    public long streamedWorkingBytes(int p, int q, int k) {
        if (!streams(p, q, k)) {
            return 4L * p * q + workingBytes(p, q, k, ElementType.FLOAT32, true);
        }
        return workingBytes(p, q, k, ElementType.FLOAT32, true)
                + PanelGramOperator.workingBytes(p, q, blockSize(k), parallel);
    }

    /**
     * Bytes of panel cache that {@link #top(WeightPanels, int)} fills to keep every decoded panel of a streamed p × q
     * stored matrix (0 when its panels cannot be cached).
     */
    public long wholeCacheBytes(int p, int q, int k) {
        return streams(p, q, k) ? PanelGramOperator.wholeCacheBytes(p, q) : 0;
    }

    /** S whole, as floats. */
    private static WeightMatrix gather(WeightPanels w) {
        int p = w.storedRows();
        int q = w.storedColumns();
        return WeightMatrix.fillRowMajor(p, q, out -> w.read(0, p, 0, q, out));
    }

    /** The triplets of S mapped onto W = scale·S or scale·Sᵀ, with ‖W‖_F = |scale|·‖S‖_F. */
    private static Streamed onLayer(WeightPanels w, Spectrum s, double frobeniusOfS) {
        double scale = w.getScale();
        double size = Math.abs(scale);
        int k = s.getValueCount();
        double[] values = new double[k];
        double[][] left = new double[k][];
        double[][] right = new double[k][];
        for (int j = 0; j < k; j++) {
            values[j] = size * s.singularValue(j);
            double[] u = w.isTransposed() ? s.rightVector(j) : s.leftVector(j);
            if (scale < 0) {
                for (int i = 0; i < u.length; i++) {
                    u[i] = -u[i];
                }
            }
            left[j] = u;
            right[j] = w.isTransposed() ? s.leftVector(j) : s.rightVector(j);
        }
        Spectrum mapped = new Spectrum(w.outputWidth(), w.inputWidth(), values, s.isComplete(), left, right);
        return new Streamed(mapped, size * frobeniusOfS);
    }

    private int blockSize(int k) {
        return blockSize > 0 ? blockSize : Math.max(16, k + 6);
    }

    /**
     * The leading k triplets of an m × n zero matrix: σ_j = 0 with the unit vectors e_j on both sides, as LAPACK's
     * SVD of a zero matrix gives them, without its m × n copy and factors.
     */
    private static Spectrum zero(int m, int n, int k) {
        double[][] left = new double[k][m];
        double[][] right = new double[k][n];
        for (int j = 0; j < k; j++) {
            left[j][j] = 1.0;
            right[j][j] = 1.0;
        }
        return new Spectrum(m, n, new double[k], k == Math.min(m, n), left, right);
    }

    /**
     * Bytes of heap {@link #top}{@code (w, k, precision)} allocates at the peak for an m × n {@code w} besides w
     * itself, when the iteration converges within the basis limit (otherwise the dense SVD it falls back to takes
     * {@link DenseSvd#decomposeBytes}): the products' copy of W when W is not held in the precision of the products
     * ({@code storedAsFloats} tells how it is held), the Krylov basis, the projected matrix and its eigenvectors,
     * the block products' buffers and the refinement's double copy of the basis.
     */
    public long workingBytes(int m, int n, int k, ElementType precision, boolean storedAsFloats) {
        long r = Math.min(m, n);
        if (k == 0 || r == 0) {
            return 0;
        }
        int b = blockSize(k);
        if (r <= 4L * b) {
            return DenseSvd.decomposeBytes(m, n, k);
        }
        long d = r;
        long o = Math.max(m, n);
        int maxBlocks = Math.max(2, (int) Math.min(maxBasisSize, r) / b);
        long cap = (long) maxBlocks * b;
        long projected = 8L * cap * cap;
        long ritz = 8L * (2 * cap * cap + 30 * cap);
        long refine = 8L * (cap * d + k * cap + 2 * (k + 1) * (d + o) + k * (d + o)) + (4L << 20);
        long iteration;
        if (precision != ElementType.FLOAT64) {
            long weights = storedAsFloats ? 0 : 4L * m * n;
            long products;
            if (b <= ThinProducts.MAX_BLOCK) {
                long parts = Runtime.getRuntime().availableProcessors();
                products = parts * 4L * ((b + 1) * d + (long) ThinProducts.tileRows(b, (int) d) * b);
            } else {
                products = 4L * b * o + (m < n ? 4L * ((long) m * n + n) : 0);
            }
            iteration = weights + products + 4L * (cap + b) * d + projected + 4L * ((b + 1) * d + cap * b)
                    + 8L * (cap * b + 2L * b * d);
        } else {
            iteration = 8L * m * n + 8L * (cap + b) * d + projected + 8L * (3L * b * d + b * o + 2 * cap * b);
        }
        return iteration + Math.max(ritz, refine);
    }

    private static Spectrum truncate(Spectrum full, int k) {
        double[] values = new double[k];
        double[][] left = new double[k][];
        double[][] right = new double[k][];
        for (int j = 0; j < k; j++) {
            values[j] = full.singularValue(j);
            left[j] = full.leftVector(j);
            right[j] = full.rightVector(j);
        }
        return new Spectrum(full.getRows(), full.getColumns(), values, k == Math.min(full.getRows(), full.getColumns()),
                left, right);
    }

    /** Returns null when the basis limit is reached without convergence. */
    private @Nullable Spectrum lanczos(GramOperator op, int k, int b, int limit) {
        int d = op.dimension();
        int maxBlocks = Math.max(2, limit / b);
        int cap = maxBlocks * b;
        double[] basis = new double[(cap + b) * d]; // rows are orthonormal basis vectors
        double[] h = new double[cap * cap];         // projected Gram matrix, row-major cap × cap
        SplittableRandom random = new SplittableRandom(seed);
        System.arraycopy(randomOrthonormalBlock(b, d, random), 0, basis, 0, b * d);
        double[] lastR = new double[b * b];
        int size;
        int lastCheck = -1;
        for (int step = 0; step < maxBlocks; step++) {
            int start = step * b;
            double[] current = new double[b * d];
            System.arraycopy(basis, start * d, current, 0, b * d);
            double[] z = op.applyGram(current, b);
            size = start + b;
            // Two passes of classical Gram-Schmidt against the whole basis; the coefficients are column block
            // `step` of H = VᵀGV.
            double[] coeff = new double[size * b];
            for (int pass = 0; pass < 2; pass++) {
                double[] c = new double[size * b];
                RowMajorBlas.gemm(false, true, size, b, d, 1.0, basis, z, 0.0, c);
                RowMajorBlas.gemm(true, false, b, d, size, -1.0, c, basis, 1.0, z);
                for (int i = 0; i < c.length; i++) {
                    coeff[i] += c[i];
                }
            }
            assemble(h, cap, coeff, start, size, b);
            boolean exhausted = size + b > d; // no room for another full block
            if (!exhausted) {
                orthonormalise(z, b, d, basis, size, lastR, random);
                System.arraycopy(z, 0, basis, size * d, b * d);
            }
            boolean due = step - lastCheck >= Math.max(1, step / 8);
            if ((size >= k + b && due) || exhausted) {
                lastCheck = step;
                Ritz ritz = Ritz.of(h, cap, size, k);
                if (size == d || (!exhausted && ritz.converged(lastR, b, tolerance))) {
                    return op.refine(basis, ritz, k);
                }
                if (exhausted) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * Single-precision block Lanczos: the basis, the products with W and the reorthogonalisation are float32 and
     * run as BLAS-3 calls (sgemm); the b × b intra-block orthonormalisation and everything on the projected
     * matrix are double. Returns null when the basis limit is reached without convergence. Also serves other
     * float32 operators of this package (the product Gram operators of {@link ProductSigma}).
     */
    @Nullable
    Spectrum lanczosFloat(FloatBlockOperator op, int k, int b, int limit) {
        int d = op.dimension();
        int maxBlocks = Math.max(2, limit / b);
        // The arrays start with room for INITIAL_BLOCKS blocks and double as the basis grows (most runs converge
        // within a few dozen blocks; allocating for the limit at once would churn the heap with tens of megabytes
        // per layer)
        int blocks = Math.min(maxBlocks, INITIAL_BLOCKS);
        int cap = blocks * b;
        float[] basis = new float[(cap + b) * d]; // rows are orthonormal basis vectors
        double[] h = new double[cap * cap];       // projected Gram matrix, row-major cap × cap
        SplittableRandom random = new SplittableRandom(seed);
        narrow(randomOrthonormalBlock(b, d, random), basis, 0);
        double[] lastR = new double[b * b];
        float[] z = new float[b * d + d]; // a spare column: the tiled products write z whole (ThinProducts)
        float[] c = new float[cap * b];
        double[] coeff = new double[cap * b];
        double[] wide = new double[b * d];
        double[] gram = new double[b * b];
        double[] rTmp = new double[b * b];
        int nextCheck = -1;
        RitzHistory history = new RitzHistory();
        for (int step = 0; step < maxBlocks; step++) {
            if (step == blocks) {
                int grown = Math.min(maxBlocks, 2 * blocks);
                int wider = grown * b;
                basis = Arrays.copyOf(basis, (wider + b) * d);
                double[] hw = new double[wider * wider];
                for (int i = 0; i < cap; i++) {
                    System.arraycopy(h, i * cap, hw, i * wider, cap);
                }
                h = hw;
                c = new float[wider * b];
                coeff = new double[wider * b];
                blocks = grown;
                cap = wider;
            }
            int start = step * b;
            int size = start + b;
            op.applyGram(basis, start * d, b, z);
            // Block Gram-Schmidt as sgemm: once against the last two blocks (which carry all of Z's components in
            // exact arithmetic: the block three-term recurrence), then once against the whole basis (removing the
            // rounding-level components along older blocks, and a second pass for the recent ones, where the
            // cancellation happened). The accumulated coefficients are column block `step` of H = VᵀGV.
            java.util.Arrays.fill(coeff, 0, size * b, 0.0);
            int recent = Math.max(0, start - b);
            project(basis, recent, size - recent, z, b, d, c, coeff);
            project(basis, 0, size, z, b, d, c, coeff);
            assemble(h, cap, coeff, start, size, b);
            boolean exhausted = size + b > d; // no room for another full block
            if (!exhausted) {
                for (int i = 0; i < b * d; i++) {
                    wide[i] = z[i];
                }
                if (!choleskyQr(wide, b, d, lastR, gram, rTmp)) {
                    for (int i = 0; i < b * d; i++) {
                        wide[i] = z[i];
                    }
                    orthonormalise(wide, b, d, basis, size, lastR, random);
                }
                narrow(wide, basis, size * d);
            }
            if (size >= k + b && nextCheck < 0) {
                nextCheck = step;
            }
            if ((nextCheck >= 0 && step >= nextCheck) || exhausted) {
                Ritz ritz = Ritz.of(h, cap, size, k);
                // the history counts half steps: the Ritz values of G after `step + 1` products at 2·step, those of
                // the half step (LeftRitz) at 2·step + 1; both are one monotone sequence towards the λ_i
                history.add(2 * step, ritz.values);
                LeftRitz left = !exhausted && size < d && op.refinesLeft(size)
                        ? LeftRitz.of(h, cap, size, lastR, b, k) : null;
                double[] latest = ritz.values;
                if (left != null) {
                    history.add(2 * step + 1, left.values);
                    latest = left.values;
                }
                boolean done = size == d;
                int wait = Math.max(1, step / 3);
                if (!done && !exhausted) {
                    double worst = 0;
                    int needed = 0;
                    for (int i = 0; i < k; i++) {
                        double theta = latest[i];
                        if (!(theta > 0)) {
                            break; // G has (numerically) rank < i: the remaining values are zero
                        }
                        double allowed = 2.0 * tolerance * theta;
                        // The extrapolated estimate is trusted only where the residual allows it: the Rayleigh
                        // quotient error is at least about ‖r_i‖²/‖G‖ (no eigenvalue is farther than ‖G‖ ≈ θ_1).
                        // The half step has no residual of its own (that would take the next product); it lies
                        // between θ_i and λ_i, so the bound on λ_i − θ_i holds for it too, and its extrapolation
                        // takes the slower of the last two half steps' contractions.
                        double extrapolated;
                        if (left != null) {
                            extrapolated = history.cautiousRemaining(i);
                        } else {
                            double res = ritz.residual(i, lastR, b);
                            extrapolated = Math.max(history.remaining(i), res * res / ritz.values[0]);
                        }
                        double estimate = Math.min(ritz.bound(i, lastR, b), extrapolated);
                        worst = Math.max(worst, estimate / allowed);
                        if (estimate > allowed) {
                            double rate = history.rate(i);
                            // the history counts half steps: the steps needed are half of its count
                            needed = Math.max(needed, rate > 0 && rate < 1
                                    ? (int) Math.ceil(0.5 * Math.log(allowed / estimate) / Math.log(rate)) : wait);
                        }
                    }
                    done = worst <= 1.0;
                    if (history.isComplete() && worst < 1e3) {
                        // Convergence speeds up as the Krylov space grows, so the fitted rate overestimates the
                        // steps still needed: look again after about half of them, at most step/6 later.
                        wait = Math.max(1, Math.min(Math.max(2, step / 6), (int) Math.ceil(0.5 * needed)));
                    }
                    if (checkCosts(size, left != null) * 100 <= (double) op.vectorMultiplyAdds() * b) {
                        // the projected problem costs little beside a product: look at every step (each step
                        // saved is a pass over W, and the last steps typically gain several digits each)
                        wait = 1;
                    }
                }
                nextCheck = step + wait;
                if (done) {
                    return left != null ? op.refineLeft(left, k) : op.refine(basis, ritz, k);
                }
                if (exhausted) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * Multiply-adds of one solve of a size × size projected problem for its k leading pairs (dsyevr: the reduction to
     * tridiagonal form, 2/3·size³, and the back-transformation), taken as 2·size³; with the half step
     * ({@link LeftRitz}: all of H's eigenpairs, a second problem and the coefficients), three times that.
     */
    private static double checkCosts(int size, boolean halfStep) {
        return (halfStep ? 6.0 : 2.0) * size * size * size;
    }

    /** Blocks the float Lanczos arrays hold at first; they double as the basis grows. */
    private static final int INITIAL_BLOCKS = 16;

    /** Mutable builder for {@link TruncatedSvd}; setters return the builder. */
    public static final class Builder {
        private int blockSize = 0;
        private double tolerance = 1e-7;
        private int maxBasisSize = DEFAULT_BASIS_LIMIT;
        private long seed = 1L;
        private boolean parallel = true;
        private long panelCacheBytes = 0;

        private Builder() {
        }

        /**
         * Heap (bytes, default 0) that {@link #top(WeightPanels, int)} may fill with a streamed layer's panels decoded
         * to float32, so that the later passes of its iteration multiply them instead of decoding them again
         * (shared by the layers decomposed at the same time, reused from layer to layer, allocated as first needed in
         * slabs of about 8 MiB; the part of a layer that does not fit is decoded every pass). Results do not depend
         * on it. This is on top of {@link #streamedWorkingBytes}: the caller reserves it out of its memory budget.
         */
        public Builder panelCacheBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("panel cache must be >= 0 bytes, got " + bytes);
            }
            this.panelCacheBytes = bytes;
            return this;
        }

        /** Lanczos block size b ≥ 1, or 0 to use {@code max(16, k + 6)}. */
        public Builder blockSize(int blockSize) {
            if (blockSize < 0) {
                throw new IllegalArgumentException("block size must be >= 0, got " + blockSize);
            }
            this.blockSize = blockSize;
            return this;
        }

        /** Target relative accuracy of the singular values, in (0, 1). */
        public Builder tolerance(double tolerance) {
            if (!(tolerance > 0 && tolerance < 1)) {
                throw new IllegalArgumentException("tolerance must be in (0, 1), got " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /** Largest Krylov basis before falling back to the dense SVD (at least 2 blocks). */
        public Builder maxBasisSize(int maxBasisSize) {
            if (maxBasisSize < 2) {
                throw new IllegalArgumentException("basis size must be >= 2, got " + maxBasisSize);
            }
            this.maxBasisSize = maxBasisSize;
            return this;
        }

        /** Seed of the random starting block (results are deterministic for a fixed seed and thread count). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Whether the float32 products with thin blocks (b ≤ 32) may split their work over the common fork–join
         * pool besides the calling thread (default true). Turn it off where every processor already runs a task of
         * its own (the analysis engine does, for its layers and pairs): the results are identical either way.
         */
        public Builder parallel(boolean parallel) {
            this.parallel = parallel;
            return this;
        }

        /** The immutable solver. */
        public TruncatedSvd build() {
            return new TruncatedSvd(this);
        }
    }
}
