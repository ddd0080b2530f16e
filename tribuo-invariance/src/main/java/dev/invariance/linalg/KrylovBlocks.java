package dev.invariance.linalg;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

import java.util.SplittableRandom;

/**
 * Operations on blocks of Krylov vectors stored row by row (b vectors of length d): block Gram–Schmidt against a
 * basis, CholeskyQR2 and modified Gram–Schmidt orthonormalisation, the projected matrix's assembly, and the
 * vector kernels they share. Used by {@link TruncatedSvd} and its helpers.
 */
final class KrylovBlocks {
    private KrylovBlocks() {
    }

    /**
     * One classical Gram–Schmidt pass of the b rows of z against basis rows [from, from + rows), as two sgemm
     * calls: {@code c = V zᵀ}, {@code z −= cᵀ V}; adds the coefficients to rows [from, from + rows) of coeff.
     */
    static void project(float[] basis, int from, int rows, float[] z, int b, int d, float[] c,
                                double[] coeff) {
        BLAS blas = LinearAlgebraBackend.blas();
        // column-major views: z is Zᵀ (d × b), the basis rows are Vᵀ (d × rows), c is b × rows
        blas.sgemm("T", "N", b, rows, d, 1.0f, z, 0, d, basis, from * d, d, 0.0f, c, 0, b);
        blas.sgemm("N", "T", d, b, rows, -1.0f, basis, from * d, d, c, 0, b, 1.0f, z, 0, d);
        int off = from * b;
        for (int i = 0; i < rows * b; i++) {
            coeff[off + i] += c[i];
        }
    }

    /** Writes column block {@code start} of H (and its mirror) from the Gram–Schmidt coefficients. */
    static void assemble(double[] h, int cap, double[] coeff, int start, int size, int b) {
        for (int i = 0; i < size; i++) {
            for (int c = 0; c < b; c++) {
                double v = coeff[i * b + c];
                int col = start + c;
                if (i < start) {
                    h[i * cap + col] = v;
                    h[col * cap + i] = v;
                } else {
                    double mirror = coeff[col * b + (i - start)];
                    h[i * cap + col] = 0.5 * (v + mirror);
                }
            }
        }
    }

    /**
     * CholeskyQR2 in double: orthonormalises the b rows of z (b × d, row-major) through the Cholesky factor of
     * their b × b Gram matrix, twice (BLAS-3), writing the upper-triangular R with {@code zᵀ = Q R} into r in the
     * convention of {@link #orthonormalise(double[], int, int, float[], int, double[], SplittableRandom)}
     * ({@code r[j·b + i]}, j ≤ i). Returns false, leaving z partly transformed, when the block is too close to
     * rank-deficient for it (condition number above about 1e6); the caller then falls back to Gram–Schmidt with
     * deflation.
     */
    static boolean choleskyQr(double[] z, int b, int d, double[] r, double[] gram, double[] tmp) {
        BLAS blas = LinearAlgebraBackend.blas();
        LAPACK lapack = LinearAlgebraBackend.lapack();
        java.util.Arrays.fill(r, 0.0);
        for (int i = 0; i < b; i++) {
            r[i * b + i] = 1.0;
        }
        for (int pass = 0; pass < 2; pass++) {
            // z is the column-major d × b matrix Zᵀ; its Gram matrix Z Zᵀ (b × b) = U ᵀU with U upper (column-major)
            blas.dsyrk("U", "T", b, d, 1.0, z, d, 0.0, gram, b);
            double maxDiag = 0;
            for (int i = 0; i < b; i++) {
                maxDiag = Math.max(maxDiag, gram[i * b + i]);
            }
            intW info = new intW(0);
            lapack.dpotrf("U", b, gram, b, info);
            if (info.val != 0 || !(maxDiag > 0)) {
                return false;
            }
            for (int i = 0; i < b; i++) {
                if (!(gram[i * b + i] > 1e-6 * Math.sqrt(maxDiag))) {
                    return false;
                }
            }
            blas.dtrsm("R", "U", "N", "N", d, b, 1.0, gram, b, z, d); // Zᵀ ← Zᵀ U⁻¹
            // R ← U R (both upper); U(j, i) = gram[j + i·b] for j ≤ i, R(j, i) = r[j·b + i]
            for (int j = 0; j < b; j++) {
                for (int i = j; i < b; i++) {
                    double acc = 0;
                    for (int t = j; t <= i; t++) {
                        acc += gram[j + t * b] * r[t * b + i];
                    }
                    tmp[j * b + i] = acc;
                }
            }
            for (int j = 0; j < b; j++) {
                for (int i = j; i < b; i++) {
                    r[j * b + i] = tmp[j * b + i];
                }
            }
        }
        return true;
    }

    static void narrow(double[] src, float[] dst, int offset) {
        for (int i = 0; i < src.length; i++) {
            dst[offset + i] = (float) src[i];
        }
    }

    /** Removes from row {@code off} of z (length d) its components along a basis' first rows. */
    @FunctionalInterface
    private interface BasisSweep {
        void removeFrom(double[] z, int off);
    }

    /**
     * As {@link #orthonormalise(double[], int, int, double[], int, double[], SplittableRandom)} with a float32
     * basis (only touched when a row vanishes); a row counts as vanished below 1e-6 of its norm, float precision.
     */
    static void orthonormalise(double[] z, int b, int d, float[] basis, int basisRows, double[] r,
                               SplittableRandom random) {
        orthonormalise(z, b, d, r, random, 1e-6, (v, off) -> {
            for (int row = 0; row < basisRows; row++) {
                double dot = 0;
                for (int t = 0; t < d; t++) {
                    dot += v[off + t] * basis[row * d + t];
                }
                for (int t = 0; t < d; t++) {
                    v[off + t] -= dot * basis[row * d + t];
                }
            }
        });
    }

    /**
     * Orthonormalises the b rows of {@code z} (each of length d) against basis rows [0, basisRows) and among
     * themselves (modified Gram–Schmidt, twice), writing the b × b upper-triangular factor R with
     * {@code zᵀ = Q R} into {@code r}. A row that vanishes (below 1e-10 of its norm) is replaced by a random vector
     * orthogonal to everything (with a zero row in R), keeping the basis orthonormal.
     */
    static void orthonormalise(double[] z, int b, int d, double[] basis, int basisRows, double[] r,
                               SplittableRandom random) {
        orthonormalise(z, b, d, r, random, 1e-10, (v, off) -> {
            for (int row = 0; row < basisRows; row++) {
                axpy(-dot(v, off, basis, row * d, d), basis, row * d, v, off, d);
            }
        });
    }

    private static void orthonormalise(double[] z, int b, int d, double[] r, SplittableRandom random,
                                       double vanishing, BasisSweep sweep) {
        java.util.Arrays.fill(r, 0.0);
        for (int i = 0; i < b; i++) {
            int off = i * d;
            double before = norm(z, off, d);
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < i; j++) {
                    double dot = dot(z, off, z, j * d, d);
                    r[j * b + i] += dot;
                    axpy(-dot, z, j * d, z, off, d);
                }
            }
            double nrm = norm(z, off, d);
            if (nrm <= vanishing * Math.max(before, Double.MIN_NORMAL) || nrm == 0.0) {
                // Deflation: the block lost rank; continue with a fresh direction (its R entry stays 0).
                for (int t = 0; t < d; t++) {
                    z[off + t] = gaussian(random);
                }
                for (int pass = 0; pass < 2; pass++) {
                    sweep.removeFrom(z, off);
                    for (int j = 0; j < i; j++) {
                        axpy(-dot(z, off, z, j * d, d), z, j * d, z, off, d);
                    }
                }
                double fresh = norm(z, off, d);
                scale(1.0 / fresh, z, off, d);
            } else {
                r[i * b + i] = nrm;
                scale(1.0 / nrm, z, off, d);
            }
        }
    }

    /** A random b × d block with orthonormal rows: the Lanczos starting block. */
    static double[] randomOrthonormalBlock(int b, int d, SplittableRandom random) {
        double[] block = new double[b * d];
        for (int i = 0; i < block.length; i++) {
            block[i] = gaussian(random);
        }
        orthonormalise(block, b, d, new double[0], 0, new double[b * b], random);
        return block;
    }

    static double gaussian(SplittableRandom random) {
        // Box-Muller; only the distribution's rotation invariance matters here.
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    static double dot(double[] a, int ao, double[] b, int bo, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < len; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    static double norm(double[] a, int off, int len) {
        return Math.sqrt(dot(a, off, a, off, len));
    }

    static void axpy(double alpha, double[] x, int xo, double[] y, int yo, int len) {
        for (int i = 0; i < len; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }

    static void scale(double alpha, double[] x, int off, int len) {
        for (int i = 0; i < len; i++) {
            x[off + i] *= alpha;
        }
    }
}
