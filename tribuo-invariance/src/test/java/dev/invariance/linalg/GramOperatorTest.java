package dev.invariance.linalg;

import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float32 block product {@code z = G X} of {@link GramOperator} (G = WᵀW, or WWᵀ for wide W) in both of its
 * forms, tiled (thin blocks, on all processors) and panelled (wide blocks), against the same product summed in
 * double by plain loops. Shapes cover: tall and wide W, widths that
 * are not a multiple of the tile width, fewer rows than one tile, a last row multiplied at full width, blocks of
 * 1 to 40 vectors and a block read at an offset.
 *
 * <p>Tolerance: each entry of W x is a sum of n float products, each of Wᵀ y of m, so
 * {@code ‖z − z_exact‖ ≤ (m + n)·u·‖W‖_F²·‖x‖} with u = 2⁻²⁴ (worst case; typical errors are far smaller).
 */
class GramOperatorTest {
    private static final double UNIT_ROUNDOFF = Math.scalb(1.0, -24);

    @Test
    void thinAndWideBlocksMatchTheProductSummedInDoubleForTallWideAndRaggedShapes() {
        int[][] shapes = {{300, 200}, {200, 300}, {517, 1100}, {1100, 517}, {20, 9}, {9, 20}, {700, 700}};
        for (int[] shape : shapes) {
            WeightMatrix w = Matrices.gaussianFloat32(shape[0], shape[1], shape[0] * 31L + shape[1]);
            for (int b : new int[]{1, 5, 16, 32, 40}) {
                GramOperator op = new GramOperator(w, true, true);
                int d = op.dimension();
                int offset = 3 * d; // a block inside a larger basis, with the row of padding a basis has
                float[] basis = new float[offset + (b + 1) * d];
                SplittableRandom random = new SplittableRandom(b);
                for (int i = offset; i < offset + b * d; i++) {
                    basis[i] = (float) random.nextGaussian();
                }
                float[] z = new float[b * d];
                op.applyGram(basis, offset, b, z);
                assertCloseToExact(w, basis, offset, b, z, shape[0] + "x" + shape[1] + ", b=" + b);
            }
        }
    }

    @Test
    void aBlockAtTheVeryEndOfItsArrayGivesTheSameProductAsOneWithRoomAfterIt() {
        WeightMatrix w = Matrices.gaussianFloat32(600, 530, 5);
        GramOperator op = new GramOperator(w, true, true);
        int b = 16;
        int d = op.dimension();
        float[] exact = new float[b * d]; // no room after the block: its last tiles go through compact copies
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < exact.length; i++) {
            exact[i] = (float) random.nextGaussian();
        }
        float[] padded = java.util.Arrays.copyOf(exact, (b + 1) * d);
        float[] atEnd = new float[b * d];
        float[] withRoom = new float[b * d];
        op.applyGram(exact, 0, b, atEnd);
        op.applyGram(padded, 0, b, withRoom);
        // the two go through different tile paths (compact copies or in place), whose summation order the BLAS may
        // choose differently: each must be within the float32 bound of the exact product, not bit-identical
        assertCloseToExact(w, exact, 0, b, atEnd, "block at the end of its array");
        assertCloseToExact(w, padded, 0, b, withRoom, "block with room after it");
    }

    @Test
    void theTiledProductIsReproducibleAndTheSameOnTheCommonPoolAsOnTheCallingThread() {
        WeightMatrix w = Matrices.gaussianFloat32(900, 700, 7);
        int b = 16;
        GramOperator pooled = new GramOperator(w, true, true);
        GramOperator serial = new GramOperator(w, true, false);
        int d = pooled.dimension();
        float[] x = new float[(b + 1) * d];
        SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < b * d; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] first = new float[b * d];
        float[] second = new float[b * d];
        float[] onCaller = new float[b * d];
        pooled.applyGram(x, 0, b, first);
        pooled.applyGram(x, 0, b, second);
        serial.applyGram(x, 0, b, onCaller);
        assertArrayEquals(first, second);
        assertArrayEquals(first, onCaller);
    }

    private static void assertCloseToExact(WeightMatrix w, float[] x, int offset, int b, float[] z, String what) {
        int m = w.getRows();
        int n = w.getColumns();
        boolean wide = m < n;
        int d = wide ? m : n;
        double frob2 = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                frob2 += w.get(i, j) * w.get(i, j);
            }
        }
        for (int v = 0; v < b; v++) {
            double[] exact = exactGram(w, x, offset + v * d, wide);
            double err2 = 0;
            double x2 = 0;
            for (int t = 0; t < d; t++) {
                double e = z[v * d + t] - exact[t];
                err2 += e * e;
                x2 += (double) x[offset + v * d + t] * x[offset + v * d + t];
            }
            double bound = (m + n) * UNIT_ROUNDOFF * frob2 * Math.sqrt(x2);
            assertTrue(Math.sqrt(err2) <= bound, what + ", vector " + v + ": error " + Math.sqrt(err2)
                    + " above " + bound);
        }
    }

    /** WᵀW x (or WWᵀ x when wide) in double, by loops. */
    private static double[] exactGram(WeightMatrix w, float[] x, int from, boolean wide) {
        int d = wide ? w.getRows() : w.getColumns();
        double[] v = new double[d];
        for (int t = 0; t < d; t++) {
            v[t] = x[from + t];
        }
        return times(w, !wide, times(w, wide, v));
    }

    /** W v, or Wᵀ v when {@code transposed}, in double. */
    private static double[] times(WeightMatrix w, boolean transposed, double[] v) {
        double[] out = new double[transposed ? w.getColumns() : w.getRows()];
        for (int i = 0; i < w.getRows(); i++) {
            for (int j = 0; j < w.getColumns(); j++) {
                if (transposed) {
                    out[j] += w.get(i, j) * v[i];
                } else {
                    out[i] += w.get(i, j) * v[j];
                }
            }
        }
        return out;
    }
}
