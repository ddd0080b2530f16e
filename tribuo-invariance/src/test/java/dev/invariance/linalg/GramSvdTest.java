package dev.invariance.linalg;

import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GramSvd} (singular values and leading vectors of float32-stored weights from the double-precision Gram
 * matrix) against LAPACK's dense SVD in double precision ({@code dgesdd} on W itself, an independent algorithm) on
 * the same float-representable matrices, and against singular values fixed by construction.
 */
class GramSvdTest {

    @Test
    void valuesOfTallWideAndSquareGaussianMatricesMatchTheDenseSvdAboveTheFloat32RankTolerance() {
        for (int[] shape : new int[][]{{300, 120}, {120, 300}, {200, 200}}) {
            WeightMatrix w = TruncatedSvdFloatPathTest.roundedToFloat(
                    Matrices.gaussian(shape[0], shape[1], 5 + shape[0]));
            double[] dense = DenseSvd.singularValues(w).singularValueArray();
            double[] gram = GramSvd.factor(w).singularValues();
            assertEquals(dense.length, gram.length);
            for (int j = 0; j < dense.length; j++) {
                // the Gram matrix's eigenvalues carry an absolute error ≲ p·ε₆₄·σ₁², so σ_j a relative one of
                // ≲ p·ε₆₄·(σ₁/σ_j)² (2.8e-7 for the smallest of the 200 × 200 matrix, 1e-13 for its largest);
                // a factor 10 above that bound, never below 1e-12
                double ratio = dense[0] / dense[j];
                double relative = Math.max(1e-12, 10 * Math.max(shape[0], shape[1]) * 0x1p-52 * ratio * ratio);
                assertEquals(dense[j], gram[j], relative * dense[j], shape[0] + "x" + shape[1] + " σ" + (j + 1));
            }
        }
    }

    @Test
    void decayingSpectrumIsResolvedDownToTheFloat32RankTolerance() {
        // σ_j = 10·0.9^j over 150 values: from 10 down to 1.4e-6, i.e. ratios to σ₁ across the float32 tolerance
        // σ₁·max(m, n)·ε₃₂ ≈ 2.4e-5·σ₁
        int d = 150;
        double[] s = new double[d];
        for (int j = 0; j < d; j++) {
            s[j] = 10 * Math.pow(0.9, j);
        }
        WeightMatrix w = TruncatedSvdFloatPathTest.roundedToFloat(
                Matrices.compose(Matrices.randomOrthogonal(d, 21), s, Matrices.randomOrthogonal(d, 22)));
        double[] dense = DenseSvd.singularValues(w).singularValueArray();
        double[] gram = GramSvd.factor(w).singularValues();
        double tolerance = dense[0] * d * 0x1p-23;
        for (int j = 0; j < d; j++) {
            if (dense[j] > tolerance) {
                // the bound of GramSvd's javadoc with p = 10·d: relative error ≤ p·ε₆₄·(σ₁/σ_j)²/2
                double bound = 10.0 * d * 0x1p-52 * Math.pow(dense[0] / dense[j], 2) / 2;
                assertEquals(dense[j], gram[j], Math.max(bound, 1e-12) * dense[j], "σ" + (j + 1));
            } else {
                assertTrue(gram[j] < 2 * tolerance, "σ" + (j + 1) + " below the tolerance stays below it");
            }
        }
    }

    @Test
    void leadingVectorsMatchTheDenseSvdAndSatisfyWvEqualsSigmaU() {
        for (int[] shape : new int[][]{{260, 90}, {90, 260}}) {
            // well separated leading values 9, 8, 7 above a Gaussian-like tail
            int r = Math.min(shape[0], shape[1]);
            double[] s = new double[r];
            for (int j = 0; j < r; j++) {
                s[j] = j < 3 ? 9 - j : 3.0 * Math.pow(0.97, j);
            }
            double[][] u = Matrices.randomOrthogonal(shape[0], 31);
            double[][] v = Matrices.randomOrthogonal(shape[1], 32);
            WeightMatrix w = TruncatedSvdFloatPathTest.roundedToFloat(Matrices.compose(u, s, v));
            Spectrum dense = DenseSvd.decompose(w, 3);
            Spectrum gram = GramSvd.factor(w).decompose(3);
            assertEquals(3, gram.getVectorCount());
            for (int j = 0; j < 3; j++) {
                String what = shape[0] + "x" + shape[1] + " pair " + (j + 1);
                assertEquals(1.0, Matrices.absDot(dense.leftVector(j), gram.leftVector(j)), 1e-10, what + " u");
                assertEquals(1.0, Matrices.absDot(dense.rightVector(j), gram.rightVector(j)), 1e-10, what + " v");
                double[] wv = new double[shape[0]];
                for (int i = 0; i < shape[0]; i++) {
                    for (int c = 0; c < shape[1]; c++) {
                        wv[i] += w.get(i, c) * gram.rightVector(j)[c];
                    }
                }
                for (int i = 0; i < shape[0]; i++) {
                    assertEquals(gram.singularValue(j) * gram.leftVector(j)[i], wv[i], 1e-10, what + " Wv = σu");
                }
            }
        }
    }

    @Test
    void aZeroSingularValueHasNoVectorsFromTheGramMatrix() {
        WeightMatrix w = WeightMatrix.fromRowMajor(3, 2, new float[]{0, 0, 0, 0, 0, 0});
        GramSvd.Factored f = GramSvd.factor(w);
        assertEquals(0.0, f.singularValues()[0]);
        assertThrows(ArithmeticException.class, () -> f.decompose(1));
    }

    @Test
    void vectorCountIsChecked() {
        GramSvd.Factored f = GramSvd.factor(Matrices.gaussian(5, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> f.decompose(5));
        assertEquals(0, f.decompose(0).getVectorCount());
        assertEquals(4, f.decompose(0).getValueCount());
    }

    /**
     * The float32 Gram matrices the pair scores read: {@link GramSvd#roundedGram} of either side of a float32 W
     * against sums of products of the entries computed here in double, in plain loops, and rounded (the dsyrk sums
     * and these differ only in their order, far below float32's rounding: within one float32 step), with every entry
     * stored symmetric.
     */
    @Test
    void roundedGramOfEitherSideIsTheDoubleGramRoundedToFloat() {
        int m = 70;
        int n = 45;
        WeightMatrix w = Matrices.gaussianFloat32(m, n, 17);
        for (boolean rows : new boolean[] {true, false}) {
            float[] gram = GramSvd.roundedGram(w, rows);
            int size = rows ? m : n;
            assertEquals(size * size, gram.length);
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    double s = 0;
                    for (int k = 0; k < (rows ? n : m); k++) {
                        s += rows ? w.get(i, k) * w.get(j, k) : w.get(k, i) * w.get(k, j);
                    }
                    assertEquals((float) s, gram[i * size + j], Math.ulp((float) s),
                            (rows ? "W Wᵀ[" : "Wᵀ W[") + i + "," + j + "]");
                }
            }
        }
    }

    /** A copy that records what {@link GramSvd#factor(WeightMatrix, GramSvd.GramCopy)} shows it. */
    private static final class RecordedCopy implements GramSvd.GramCopy {
        private final boolean rows;
        Boolean side;
        float[] gram;

        RecordedCopy(boolean rows) {
            this.rows = rows;
        }

        @Override
        public boolean prefersRows() {
            return rows;
        }

        @Override
        public void offer(boolean rowsSide, double[] upper, int size) {
            side = rowsSide;
            gram = GramSvd.roundedFromUpper(upper, size);
        }
    }

    /**
     * factor shows the Gram matrix of the smaller side (W Wᵀ of a wide W, Wᵀ W of a tall one, the preferred side of a
     * square one), the same numbers {@link GramSvd#roundedGram} forms for that side, and the values do not depend on
     * the side a square W took.
     */
    @Test
    void factorShowsTheGramMatrixItFormsOfTheSmallerOrPreferredSide() {
        WeightMatrix tall = Matrices.gaussianFloat32(60, 40, 3);
        WeightMatrix wide = Matrices.gaussianFloat32(40, 60, 4);
        WeightMatrix square = Matrices.gaussianFloat32(50, 50, 5);
        for (boolean prefersRows : new boolean[] {true, false}) {
            RecordedCopy t = new RecordedCopy(prefersRows);
            GramSvd.factor(tall, t);
            assertEquals(false, t.side);
            assertArrayEquals(GramSvd.roundedGram(tall, false), t.gram);
            RecordedCopy w = new RecordedCopy(prefersRows);
            GramSvd.factor(wide, w);
            assertEquals(true, w.side);
            assertArrayEquals(GramSvd.roundedGram(wide, true), w.gram);
        }
        RecordedCopy rows = new RecordedCopy(true);
        double[] byRows = GramSvd.factor(square, rows).singularValues();
        assertEquals(true, rows.side);
        assertArrayEquals(GramSvd.roundedGram(square, true), rows.gram);
        RecordedCopy columns = new RecordedCopy(false);
        double[] byColumns = GramSvd.factor(square, columns).singularValues();
        assertEquals(false, columns.side);
        assertArrayEquals(GramSvd.roundedGram(square, false), columns.gram);
        double[] dense = DenseSvd.singularValues(square).singularValueArray();
        for (int j = 0; j < dense.length; j++) {
            double ratio = dense[0] / dense[j];
            double relative = Math.max(1e-12, 10 * 50 * 0x1p-52 * ratio * ratio);
            assertEquals(dense[j], byRows[j], relative * dense[j], "σ" + (j + 1) + " from W Wᵀ");
            assertEquals(dense[j], byColumns[j], relative * dense[j], "σ" + (j + 1) + " from Wᵀ W");
        }
    }
}
