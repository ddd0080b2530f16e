package dev.invariance.linalg;

import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Accuracy of the float32 path of {@link TruncatedSvd} (float basis, sgemm products and reorthogonalisation,
 * CholeskyQR2, Ritz-value extrapolation stopping, double refinement) against {@link DenseSvd} in double precision
 * on the same float-representable matrix. No timing assertions.
 */
class TruncatedSvdFloatPathTest {

    @Test
    void topTenOfFloat32GaussianMatricesMatchTheDenseSvdToOnePartPerMillion() {
        for (int[] shape : new int[][]{{400, 300}, {300, 420}, {350, 350}}) {
            WeightMatrix w = roundedToFloat(Matrices.gaussian(shape[0], shape[1], 17 + shape[0]));
            Spectrum dense = DenseSvd.singularValues(w);
            Spectrum top = TruncatedSvd.withDefaults().top(w, 10, ElementType.FLOAT32);
            assertEquals(10, top.getValueCount());
            assertEquals(10, top.getVectorCount());
            assertValuesWithin(dense, top, 10, 1e-6, shape[0] + "x" + shape[1]);
        }
    }

    @Test
    void theSameTripletsComeOutWhetherTheProductsRunOnTheCommonPoolOrOnTheCallingThread() {
        WeightMatrix w = roundedToFloat(Matrices.gaussian(700, 520, 41));
        Spectrum pooled = TruncatedSvd.builder().parallel(true).build().top(w, 10, ElementType.FLOAT32);
        Spectrum serial = TruncatedSvd.builder().parallel(false).build().top(w, 10, ElementType.FLOAT32);
        assertArrayEquals(pooled.singularValueArray(), serial.singularValueArray(), 0.0);
        for (int j = 0; j < 10; j++) {
            assertArrayEquals(pooled.rightVector(j), serial.rightVector(j), 0.0);
            assertArrayEquals(pooled.leftVector(j), serial.leftVector(j), 0.0);
        }
        assertValuesWithin(DenseSvd.singularValues(w), serial, 10, 1e-6, "serial products");
    }

    @Test
    void clusteredSpectrumIsResolvedToOnePartPerMillion() {
        // σ = 5, 5 − 1e-4, …, 5 − 5e-4 (a cluster of six, relative spacing 2e-5), then 4, 3.99, … and a decaying tail
        int d = 260;
        double[] s = new double[d];
        for (int j = 0; j < d; j++) {
            s[j] = j < 6 ? 5.0 - 1e-4 * j : j < 12 ? 4.0 - 0.01 * (j - 6) : 3.0 * Math.pow(0.99, j - 12);
        }
        WeightMatrix w = roundedToFloat(Matrices.compose(Matrices.randomOrthogonal(d, 3), s,
                Matrices.randomOrthogonal(d, 4)));
        Spectrum dense = DenseSvd.singularValues(w);
        Spectrum top = TruncatedSvd.withDefaults().top(w, 10, ElementType.FLOAT32);
        assertValuesWithin(dense, top, 10, 1e-6, "clustered");
    }

    @Test
    void exactlyRepeatedValuesAreFoundWithTheirMultiplicity() {
        int d = 240;
        double[] s = new double[d];
        for (int j = 0; j < d; j++) {
            s[j] = j < 4 ? 3.0 : 2.0 * Math.pow(0.98, j);
        }
        WeightMatrix w = roundedToFloat(Matrices.compose(Matrices.randomOrthogonal(d, 8), s,
                Matrices.randomOrthogonal(d, 9)));
        Spectrum dense = DenseSvd.singularValues(w);
        Spectrum top = TruncatedSvd.withDefaults().top(w, 6, ElementType.FLOAT32);
        assertValuesWithin(dense, top, 6, 1e-6, "repeated");
    }

    @Test
    void topVectorsAgreeWithTheDenseSvdWhenTheGapIsHealthy() {
        // Gaussian noise (σ_max ≈ 2√300 ≈ 35) plus a planted rank-3 signal 120 u₁v₁ᵀ + 90 u₂v₂ᵀ + 70 u₃v₃ᵀ:
        // relative gaps of 20 % or more between the top three values.
        int m = 320;
        int n = 300;
        double[][] u = Matrices.randomOrthogonal(m, 21);
        double[][] v = Matrices.randomOrthogonal(n, 22);
        double[] planted = {120.0, 90.0, 70.0};
        WeightMatrix noise = Matrices.gaussian(m, n, 23);
        double[] a = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double x = noise.get(i, j);
                for (int t = 0; t < 3; t++) {
                    x += planted[t] * u[i][t] * v[j][t];
                }
                a[i * n + j] = x;
            }
        }
        WeightMatrix w = roundedToFloat(WeightMatrix.fromRowMajor(m, n, a));
        Spectrum dense = DenseSvd.decompose(w, 3);
        Spectrum top = TruncatedSvd.withDefaults().top(w, 3, ElementType.FLOAT32);
        assertValuesWithin(dense, top, 3, 1e-6, "planted");
        for (int j = 0; j < 3; j++) {
            assertEquals(m, top.leftVector(j).length);
            assertEquals(n, top.rightVector(j).length);
            double left = Matrices.absDot(top.leftVector(j), dense.leftVector(j));
            double right = Matrices.absDot(top.rightVector(j), dense.rightVector(j));
            assertTrue(left >= 1 - 1e-8, "u_" + (j + 1) + ": |<u, u_dense>| = " + left);
            assertTrue(right >= 1 - 1e-8, "v_" + (j + 1) + ": |<v, v_dense>| = " + right);
            assertEquals(1.0, Math.sqrt(Matrices.absDot(top.leftVector(j), top.leftVector(j))), 1e-12);
            assertEquals(1.0, Math.sqrt(Matrices.absDot(top.rightVector(j), top.rightVector(j))), 1e-12);
        }
    }

    @Test
    void aFixedSeedGivesIdenticalResults() {
        WeightMatrix w = roundedToFloat(Matrices.gaussian(300, 310, 31));
        TruncatedSvd solver = TruncatedSvd.builder().seed(7).build();
        Spectrum first = solver.top(w, 5, ElementType.FLOAT32);
        Spectrum second = solver.top(w, 5, ElementType.FLOAT32);
        assertArrayEquals(first.singularValueArray(), second.singularValueArray(), 0.0);
        for (int j = 0; j < 5; j++) {
            assertArrayEquals(first.leftVector(j), second.leftVector(j), 0.0);
            assertArrayEquals(first.rightVector(j), second.rightVector(j), 0.0);
        }
        // another seed: another starting block, the same values to the tolerance
        Spectrum other = TruncatedSvd.builder().seed(8).build().top(w, 5, ElementType.FLOAT32);
        for (int j = 0; j < 5; j++) {
            assertEquals(first.singularValue(j), other.singularValue(j), 1e-6 * first.singularValue(j));
        }
    }

    @Test
    void lowRankFloatMatricesDeflateAndStillGiveTheirValues() {
        double[] s = new double[200];
        s[0] = 4.0;
        s[1] = 2.0;
        WeightMatrix w = roundedToFloat(Matrices.compose(Matrices.rotation(200, 0.5), s, Matrices.rotation(200, -0.4)));
        Spectrum top = TruncatedSvd.builder().blockSize(4).build().top(w, 3, ElementType.FLOAT32);
        Spectrum dense = DenseSvd.singularValues(w);
        assertEquals(dense.singularValue(0), top.singularValue(0), 1e-6 * dense.singularValue(0));
        assertEquals(dense.singularValue(1), top.singularValue(1), 1e-6 * dense.singularValue(1));
        assertEquals(dense.singularValue(2), top.singularValue(2), 1e-6 * dense.singularValue(0));
    }

    @Test
    void aBasisLimitThatIsTooSmallFallsBackToTheDenseSvd() {
        WeightMatrix w = roundedToFloat(Matrices.gaussian(300, 300, 41));
        Spectrum top = TruncatedSvd.builder().blockSize(8).maxBasisSize(40).build().top(w, 10, ElementType.FLOAT32);
        assertValuesWithin(DenseSvd.singularValues(w), top, 10, 1e-6, "fallback");
    }

    @Test
    void choleskyQrOrthonormalisesABlockAndReturnsItsTriangularFactor() {
        int b = 6;
        int d = 50;
        SplittableRandom random = new SplittableRandom(5);
        double[] z = new double[b * d];
        for (int i = 0; i < z.length; i++) {
            z[i] = Matrices.normal(random);
        }
        double[] original = z.clone();
        double[] r = new double[b * b];
        assertTrue(KrylovBlocks.choleskyQr(z, b, d, r, new double[b * b], new double[b * b]));
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                double dot = 0;
                for (int t = 0; t < d; t++) {
                    dot += z[i * d + t] * z[j * d + t];
                }
                assertEquals(i == j ? 1.0 : 0.0, dot, 1e-13);
            }
            // row i of the original = Σ_{j ≤ i} r[j][i] q_j
            for (int t = 0; t < d; t++) {
                double acc = 0;
                for (int j = 0; j <= i; j++) {
                    acc += r[j * b + i] * z[j * d + t];
                }
                assertEquals(original[i * d + t], acc, 1e-12);
            }
        }
        // a rank-deficient block is refused (the caller then deflates with Gram-Schmidt)
        double[] deficient = original.clone();
        System.arraycopy(deficient, 0, deficient, d, d);
        assertTrue(!KrylovBlocks.choleskyQr(deficient, b, d, r, new double[b * b], new double[b * b]));
    }

    private static void assertValuesWithin(Spectrum dense, Spectrum top, int k, double rel, String what) {
        for (int j = 0; j < k; j++) {
            double err = Math.abs(top.singularValue(j) - dense.singularValue(j)) / dense.singularValue(j);
            assertTrue(err <= rel, what + ": sigma_" + (j + 1) + " relative error " + err);
        }
    }

    static WeightMatrix roundedToFloat(WeightMatrix w) {
        return WeightMatrix.fromRowMajor(w.getRows(), w.getColumns(), w.toRowMajorFloatArray());
    }
}
