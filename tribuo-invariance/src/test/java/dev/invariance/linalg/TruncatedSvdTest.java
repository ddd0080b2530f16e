package dev.invariance.linalg;

import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TruncatedSvdTest {

    /**
     * A zero matrix too large for the dense shortcut (r = 200 &gt; 4 · 16): its top triplets are σ = 0 with the unit
     * vectors that LAPACK's SVD of a zero matrix gives, without that SVD (whose three double copies of W exhausted
     * the heap for large layers).
     */
    @Test
    void aZeroMatrixHasTheDenseSvdsTopTripletsWithoutIt() {
        WeightMatrix zero = WeightMatrix.fromRowMajor(300, 200, new float[300 * 200]);
        Spectrum dense = DenseSvd.decompose(zero, 3);
        Spectrum top = TruncatedSvd.withDefaults().top(zero, 3, ElementType.FLOAT32);
        for (int j = 0; j < 3; j++) {
            assertEquals(0.0, top.singularValue(j));
            assertEquals(java.util.Arrays.toString(dense.leftVector(j)), java.util.Arrays.toString(top.leftVector(j)));
            assertEquals(java.util.Arrays.toString(dense.rightVector(j)), java.util.Arrays.toString(top.rightVector(j)));
        }
    }

    @Test
    void topTenOfAGaussianMatrixMatchTheDenseSvdToOnePartPerMillion() {
        WeightMatrix w = Matrices.gaussian(300, 280, 11);
        Spectrum dense = DenseSvd.decompose(w, 10);
        Spectrum top = TruncatedSvd.builder().blockSize(8).build().top(w, 10, ElementType.FLOAT64);
        assertEquals(10, top.getValueCount());
        for (int j = 0; j < 10; j++) {
            double rel = Math.abs(top.singularValue(j) - dense.singularValue(j)) / dense.singularValue(j);
            assertTrue(rel <= 1e-6, "sigma_" + (j + 1) + " relative error " + rel);
        }
    }

    @Test
    void floatProductsStillGiveOnePartPerMillionOnFloat32Weights() {
        WeightMatrix w = roundedToFloat(Matrices.gaussian(320, 320, 5));
        Spectrum dense = DenseSvd.singularValues(w);
        Spectrum top = TruncatedSvd.builder().blockSize(8).build().top(w, 10, ElementType.FLOAT32);
        for (int j = 0; j < 10; j++) {
            double rel = Math.abs(top.singularValue(j) - dense.singularValue(j)) / dense.singularValue(j);
            assertTrue(rel <= 1e-6, "sigma_" + (j + 1) + " relative error " + rel);
        }
    }

    @Test
    void wideMatricesGiveVectorsOnTheCorrectSides() {
        // 40 × 300 with a clear top singular value: W = 10·u vᵀ + noise
        int m = 40;
        int n = 300;
        WeightMatrix noise = Matrices.gaussian(m, n, 3);
        double[] u = Matrices.column(Matrices.rotation(m, 0.2), 0);
        double[] v = Matrices.column(Matrices.rotation(n, 1.1), 0);
        double[] a = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                a[i * n + j] = 100.0 * u[i] * v[j] + 0.1 * noise.get(i, j);
            }
        }
        WeightMatrix w = WeightMatrix.fromRowMajor(m, n, a);
        Spectrum top = TruncatedSvd.builder().blockSize(4).build().top(w, 3, ElementType.FLOAT64);
        Spectrum dense = DenseSvd.decompose(w, 3);
        assertEquals(m, top.leftVector(0).length);
        assertEquals(n, top.rightVector(0).length);
        for (int j = 0; j < 3; j++) {
            assertEquals(dense.singularValue(j), top.singularValue(j), 1e-6 * dense.singularValue(j));
        }
        // σ₁/σ₂ ≈ 30: the top vectors are determined to ~ (σ₂/σ₁)·residual, far below 1e-8
        assertEquals(1.0, Matrices.absDot(top.leftVector(0), dense.leftVector(0)), 1e-8);
        assertEquals(1.0, Matrices.absDot(top.rightVector(0), dense.rightVector(0)), 1e-8);
    }

    @Test
    void lowRankMatricesDoNotBreakTheIteration() {
        double[] s = new double[200];
        s[0] = 4.0;
        s[1] = 2.0;
        WeightMatrix w = Matrices.compose(Matrices.rotation(200, 0.5), s, Matrices.rotation(200, -0.4));
        Spectrum top = TruncatedSvd.builder().blockSize(4).build().top(w, 3, ElementType.FLOAT64);
        assertEquals(4.0, top.singularValue(0), 1e-12);
        assertEquals(2.0, top.singularValue(1), 1e-12);
        assertEquals(0.0, top.singularValue(2), 1e-12);
    }

    @Test
    void zeroMatrixGivesZeroValues() {
        Spectrum top = TruncatedSvd.withDefaults().top(WeightMatrix.zeros(500, 400), 2, ElementType.FLOAT64);
        assertEquals(0.0, top.singularValue(0));
        assertEquals(0.0, top.singularValue(1));
    }

    private static WeightMatrix roundedToFloat(WeightMatrix w) {
        double[] a = w.toRowMajorArray();
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return WeightMatrix.fromRowMajor(w.getRows(), w.getColumns(), f);
    }
}
