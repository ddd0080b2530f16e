package dev.invariance.linalg;

import dev.ludovic.netlib.blas.BLAS;

/**
 * σ₁(T F), the spectral norm of the product of a float32-stored pair F (d × n, the producer W_from) and T
 * (m × d, the consumer W_to), without forming the m × n product when the d × d Gram matrices A = F Fᵀ and
 * B = TᵀT are at hand: σ₁(T F)² = λ_max(Fᵀ B F) (n × n) = λ_max(T A Tᵀ) (m × m), both operators being
 * (T F)ᵀ(T F) resp. (T F)(T F)ᵀ. The float32 block Lanczos of {@link TruncatedSvd} runs on the smaller of the two,
 * applying it to blocks of b vectors as three products (F X, B·(F X), Fᵀ·(B F X); cost about
 * 2(2d·min(m, n) + d²) flops per vector; in {@link ThinProducts} tiles on the calling thread for b ≤ 32), and the
 * largest Ritz value is refined in double as σ₁ = ‖T (F x)‖/‖x‖ for its Ritz vector x (float weights widened,
 * products summed in double): a Rayleigh quotient, whose error is quadratic in the angle between x and the
 * singular vector, so the result is independent of the float32 rounding of the iteration up to that quadratic
 * term (with TruncatedSvd's tolerance 1e-7, relative error of σ₁ well below 1e-6).
 *
 * <p>Which route is cheaper ({@link #prefersOperator}): forming P = T F costs 2mnd flops in one large sgemm and
 * then each Lanczos vector 4mn (PᵀP X as two products with P); the operator route forms nothing and costs
 * 4d·min(m, n) + 2d² per vector. The Lanczos iteration is the same on both routes (the same operator, so the same
 * number of vectors K), so the operator route wins when
 * {@code K·(4d·min(m, n) + 2d²) < 2mnd/η + 4Kmn}, with K ≈ {@link #EXPECTED_VECTORS} (a top-1 block Lanczos
 * with 16-vector blocks converged after 6–11 blocks on the benchmark pairs) and η = {@link #LARGE_GEMM_SPEEDUP},
 * the measured advantage in flop rate of one large square sgemm over products with 16-column blocks. Measured in
 * isolation (OpenBLAS, 2 threads), σ₁ by the operator against forming P and running the Lanczos on it: B5's
 * 1024 × 1024 pairs 43–48 against 58–73 ms; B7's d = 1600 pairs into 6400 resp. 4800 outputs 57–63 against
 * 430–438 ms and 48–59 against 320–346 ms, and 6400 inputs into 4800 outputs 96–122 against 1308–1371 ms.
 * Stateless: thread-safe.
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because the analysis
 * package's pair scores call it with their float arrays; it may change without notice.
 */
public final class ProductSigma {
    /**
     * Expected number of operator applications (vectors) of a top-1 float Lanczos with blocks of 16: measured
     * 176 on benchmark B5's pairs (1024 × 1024 Gaussian) and 96–112 on B7's (GPT-2-XL-shaped, low rank plus
     * noise); rounded up, which favours forming the product.
     */
    static final int EXPECTED_VECTORS = 256;
    /**
     * Flop-rate advantage of one large sgemm over the operator's products with 16-column blocks, reorthogonalisation
     * included: measured about 3 (OpenBLAS, 2 cores; 1024³ sgemm at about 86 GFLOP/s against 25 GFLOP/s).
     */
    static final double LARGE_GEMM_SPEEDUP = 3.0;

    private ProductSigma() {
    }

    /**
     * Estimated flops of σ₁(T F) by forming P = T F (m × n) and running the Lanczos on it:
     * {@code 2mnd/η + 4·K·mn} (the product weighted by its higher flop rate η), K = {@link #EXPECTED_VECTORS}.
     */
    public static double productCost(int d, int n, int m) {
        return 2.0 * m * n * d / LARGE_GEMM_SPEEDUP + 4.0 * EXPECTED_VECTORS * (double) m * n;
    }

    /** Estimated flops of σ₁(T F) through the Gram operator: {@code K·(4d·min(m, n) + 2d²)}. */
    public static double operatorCost(int d, int n, int m) {
        return EXPECTED_VECTORS * (4.0 * d * Math.min(m, n) + 2.0 * d * (double) d);
    }

    /**
     * Whether the operator route ({@link #top}) is estimated cheaper than forming T F: {@link #operatorCost} below
     * {@link #productCost}, and the operator's dimension min(m, n) large enough for a block Lanczos (above 64).
     */
    public static boolean prefersOperator(int d, int n, int m) {
        return Math.min(m, n) > 64 && operatorCost(d, n, m) < productCost(d, n, m);
    }

    /**
     * σ₁(T F) through the smaller of the operators Fᵀ B F (n ≤ m) and T A Tᵀ (m &lt; n), refined in double; NaN
     * when the Lanczos reaches its basis limit without converging (the caller then forms the product).
     *
     * @param f F (d × n), row-major float32
     * @param t T (m × d), row-major float32
     * @param a A = F Fᵀ (d × d, symmetric, all entries), used when m &lt; n
     * @param b B = TᵀT (d × d, symmetric, all entries), used when n ≤ m
     */
    public static double top(float[] f, float[] t, float[] a, float[] b, int d, int n, int m) {
        int dim = Math.min(m, n);
        if (dim == 0 || d == 0) {
            return 0;
        }
        ProductOperator op = new ProductOperator(f, t, n <= m ? b : a, d, n, m);
        TruncatedSvd solver = TruncatedSvd.withDefaults();
        int block = 16;
        if (dim <= 4 * block) {
            return Double.NaN;
        }
        Spectrum s = solver.lanczosFloat(op, 1, block, Math.min(TruncatedSvd.DEFAULT_BASIS_LIMIT, dim));
        return s == null ? Double.NaN : s.singularValue(0);
    }

    /**
     * σ = ‖T F x‖/‖x‖ for an approximate right singular vector x ∈ R^n of T F, with the float32 weights widened to
     * double and every product summed in double (about 2d(m + n) flops): the double-precision refinement of a σ₁
     * found in single precision, whose error is quadratic in the angle between x and the singular vector.
     *
     * @param f F (d × n), row-major float32
     * @param t T (m × d), row-major float32
     * @param x a nonzero vector of length n
     */
    public static double refine(float[] f, float[] t, int d, int n, int m, double[] x) {
        if (x.length != n) {
            throw new IllegalArgumentException("vector of length " + x.length + " for a product with " + n
                    + " columns");
        }
        return rayleigh(f, t, d, n, m, x, true)[0][0];
    }

    /**
     * σ = ‖T F x‖/‖x‖ for x ∈ R^n ({@code right}), or ‖Fᵀ Tᵀ x‖/‖x‖ for x ∈ R^m, with the float32 weights widened to
     * double and every product summed in double: the double-precision Rayleigh quotient of a (Ritz) vector.
     * Returns {σ, y} where y = (T F x)/‖T F x‖ resp. (Fᵀ Tᵀ x)/‖…‖ is the other-side unit vector.
     */
    static double[][] rayleigh(float[] f, float[] t, int d, int n, int m, double[] x, boolean right) {
        double[] mid = new double[d];
        double[] out;
        if (right) {
            for (int i = 0; i < d; i++) {
                mid[i] = dot(f, i * n, x, n);
            }
            out = new double[m];
            for (int r = 0; r < m; r++) {
                out[r] = dot(t, r * d, mid, d);
            }
        } else {
            for (int r = 0; r < m; r++) {
                double xr = x[r];
                int row = r * d;
                for (int i = 0; i < d; i++) {
                    mid[i] += xr * t[row + i];
                }
            }
            out = new double[n];
            for (int i = 0; i < d; i++) {
                double yi = mid[i];
                int row = i * n;
                for (int j = 0; j < n; j++) {
                    out[j] += yi * f[row + j];
                }
            }
        }
        double nx = KrylovBlocks.norm(x, 0, x.length);
        double no = KrylovBlocks.norm(out, 0, out.length);
        if (no > 0) {
            KrylovBlocks.scale(1.0 / no, out, 0, out.length);
        }
        return new double[][] {{nx > 0 ? no / nx : 0.0}, out};
    }

    /** Σ_j a[off + j]·x[j] over j &lt; len, float entries widened, in four partial sums (instruction parallelism). */
    private static double dot(float[] a, int off, double[] x, int len) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < len; j += 4) {
            s0 += a[off + j] * x[j];
            s1 += a[off + j + 1] * x[j + 1];
            s2 += a[off + j + 2] * x[j + 2];
            s3 += a[off + j + 3] * x[j + 3];
        }
        for (; j < len; j++) {
            s0 += a[off + j] * x[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Fᵀ B F (on R^n) or T A Tᵀ (on R^m) applied to float32 blocks; one thread, scratch reused. */
    private static final class ProductOperator implements FloatBlockOperator {
        private final float[] f;
        private final float[] t;
        private final float[] gram;
        private final int d;
        private final int n;
        private final int m;
        private final boolean right; // Fᵀ B F on R^n
        private float[] y = new float[0];
        private float[] w = new float[0];

        ProductOperator(float[] f, float[] t, float[] gram, int d, int n, int m) {
            this.f = f;
            this.t = t;
            this.gram = gram;
            this.d = d;
            this.n = n;
            this.m = m;
            this.right = n <= m;
        }

        @Override
        public int dimension() {
            return right ? n : m;
        }

        @Override
        public void applyGram(float[] x, int offset, int b, float[] z) {
            if (y.length < b * d + d) {
                y = new float[b * d + d]; // + d: a leading dimension after the last column, for netlib's check
                w = new float[b * d + d];
            }
            int dim = dimension();
            // Blocks are column-major dim × b (rows of the row-major b × dim block); row-major F (d × n) read
            // row-major is F, read column-major Fᵀ; row-major T (m × d) likewise T or Tᵀ.
            if (b <= ThinProducts.MAX_BLOCK) {
                if (right) {
                    ThinProducts.multiply(f, 0, n, true, d, n, x, offset, n, b, 0.0f, y, 0, d);     // Y = F X
                } else {
                    ThinProducts.multiply(t, 0, d, false, d, m, x, offset, m, b, 0.0f, y, 0, d);    // Y = Tᵀ X
                }
                ThinProducts.multiply(gram, 0, d, true, d, d, y, 0, d, b, 0.0f, w, 0, d);           // W = G Y
                if (right) {
                    ThinProducts.multiply(f, 0, n, false, n, d, w, 0, d, b, 0.0f, z, 0, dim);       // Z = Fᵀ W
                } else {
                    ThinProducts.multiply(t, 0, d, true, m, d, w, 0, d, b, 0.0f, z, 0, dim);        // Z = T W
                }
                return;
            }
            BLAS blas = LinearAlgebraBackend.blas();
            if (right) {
                blas.sgemm("T", "N", d, b, n, 1.0f, f, 0, n, x, offset, n, 0.0f, y, 0, d);   // Y = F X
                blas.sgemm("N", "N", d, b, d, 1.0f, gram, 0, d, y, 0, d, 0.0f, w, 0, d);    // W = B Y
                blas.sgemm("N", "N", n, b, d, 1.0f, f, 0, n, w, 0, d, 0.0f, z, 0, n);       // Z = Fᵀ W
            } else {
                blas.sgemm("N", "N", d, b, m, 1.0f, t, 0, d, x, offset, m, 0.0f, y, 0, d);  // Y = Tᵀ X
                blas.sgemm("N", "N", d, b, d, 1.0f, gram, 0, d, y, 0, d, 0.0f, w, 0, d);    // W = A Y
                blas.sgemm("T", "N", m, b, d, 1.0f, t, 0, d, w, 0, d, 0.0f, z, 0, m);       // Z = T W
            }
        }

        @Override
        public Spectrum refine(float[] basis, Ritz ritz, int k) {
            int dim = dimension();
            int size = ritz.size;
            double[] values = new double[k];
            double[][] left = new double[k][];
            double[][] rightVectors = new double[k][];
            for (int i = 0; i < k; i++) {
                double[] x = new double[dim];
                for (int j = 0; j < size; j++) {
                    double s = ritz.vectors[i * size + j];
                    int row = j * dim;
                    for (int c = 0; c < dim; c++) {
                        x[c] += s * basis[row + c];
                    }
                }
                double[][] q = rayleigh(f, t, d, n, m, x, right);
                KrylovBlocks.scale(1.0 / KrylovBlocks.norm(x, 0, dim), x, 0, dim);
                values[i] = q[0][0];
                rightVectors[i] = right ? x : q[1];
                left[i] = right ? q[1] : x;
            }
            return new Spectrum(m, n, values, false, left, rightVectors);
        }
    }
}
