package dev.invariance.linalg;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link ThinProducts#multiply}: C = β·C + A·X with A read row-major or column-major from an offset, for blocks of 1
 * to 32 columns, against the same sums in double by plain loops. The matrices sit at the very end of their arrays
 * as well as inside larger ones, so both the direct tiles and the compact copies (where netlib's bounds check would
 * refuse a tile) are exercised. Tolerance: each entry sums {@code inner} float products, so its error is at most
 * {@code inner·u·Σ_j |A(i, j) X(j, t)|} (u = 2⁻²⁴), plus one rounding of β·C.
 */
class ThinProductsTest {
    private static final double UNIT_ROUNDOFF = Math.scalb(1.0, -24);

    @Test
    void rowAndColumnMajorProductsMatchTheSumsInDoubleAtEveryOffsetAndBlockWidth() {
        int[][] shapes = {{1, 1}, {37, 1}, {1, 700}, {45, 1300}, {1300, 45}, {600, 513}, {33, 512}};
        for (int[] shape : shapes) {
            for (boolean rowMajor : new boolean[]{true, false}) {
                for (int b : new int[]{1, 3, 16, 32}) {
                    for (int ends = 0; ends < 4; ends++) {
                        check(shape[0], shape[1], rowMajor, b, (ends & 1) != 0, (ends & 2) != 0, 0.0f);
                        check(shape[0], shape[1], rowMajor, b, (ends & 1) != 0, (ends & 2) != 0, 0.5f);
                    }
                }
            }
        }
    }

    @Test
    void anEmptyInnerDimensionOnlyScalesC() {
        float[] c = {1, 2, 3, 4};
        ThinProducts.multiply(new float[0], 0, 1, true, 2, 0, new float[0], 0, 1, 2, 0.5f, c, 0, 2);
        assertEquals(0.5f, c[0]);
        assertEquals(2.0f, c[3]);
        ThinProducts.multiply(new float[0], 0, 1, false, 2, 0, new float[0], 0, 1, 2, 0.0f, c, 0, 2);
        assertEquals(0.0f, c[1]);
    }

    /**
     * A (rows × inner) stored with leading dimension lda = (rowMajor ? inner : rows) + 3 from an offset of 5, X
     * (inner × b) and C (rows × b) with leading dimensions inner + 2 and rows + 1; A, and X and C, each at the end
     * of their arrays or followed by a whole spare leading dimension.
     */
    private static void check(int rows, int inner, boolean rowMajor, int b, boolean aAtEnd, boolean blockAtEnd,
                              float beta) {
        SplittableRandom random = new SplittableRandom(rows * 7919L + inner * 31L + b + (rowMajor ? 1 : 0));
        int lda = (rowMajor ? inner : rows) + 3;
        int aOff = 5;
        int aLen = aOff + (rowMajor ? (rows - 1) * lda + inner : (inner - 1) * lda + rows) + (aAtEnd ? 0 : lda);
        float[] a = filled(aLen, random);
        int ldx = inner + 2;
        int xOff = 4;
        float[] x = filled(xOff + (b - 1) * ldx + inner + (blockAtEnd ? 0 : ldx), random);
        int ldc = rows + 1;
        int cOff = 2;
        float[] c = filled(cOff + (b - 1) * ldc + rows + (blockAtEnd ? 0 : ldc), random);
        float[] before = c.clone();
        ThinProducts.multiply(a, aOff, lda, rowMajor, rows, inner, x, xOff, ldx, b, beta, c, cOff, ldc);
        for (int t = 0; t < b; t++) {
            for (int i = 0; i < rows; i++) {
                double exact = beta * (double) before[cOff + i + t * ldc];
                double magnitude = Math.abs(exact);
                for (int j = 0; j < inner; j++) {
                    double aij = rowMajor ? a[aOff + i * lda + j] : a[aOff + i + j * lda];
                    double p = aij * x[xOff + j + t * ldx];
                    exact += p;
                    magnitude += Math.abs(p);
                }
                double tolerance = (inner + 2) * UNIT_ROUNDOFF * magnitude;
                float got = c[cOff + i + t * ldc];
                assertEquals(exact, got, tolerance, () -> rows + "x" + inner + (rowMajor ? " row-major" : " column-major")
                        + ", b=" + b + (aAtEnd ? ", A at the end" : "") + (blockAtEnd ? ", X and C at the end" : "")
                        + ", beta=" + beta);
            }
        }
        for (int i = 0; i < c.length; i++) { // nothing outside C is written
            int rel = i - cOff;
            boolean inside = rel >= 0 && rel % ldc < rows && rel / ldc < b;
            if (!inside) {
                assertEquals(before[i], c[i], "entry " + i + " outside C");
            }
        }
    }

    private static float[] filled(int length, SplittableRandom random) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
