package dev.invariance.analysis;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.Spectrum;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.invariance.network.WeightPanels;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analysis promises the ten leading singular values of a streamed layer to 1e-6 relative. The solver's stopping
 * test extrapolates the Ritz values' convergence, an estimate and not a bound, so the layers are iterated to
 * {@link LayerByLayer#STREAMED_TOLERANCE}, a tenth of the promise. The layer here is shaped like B7's (1600 × 1600
 * float32, a rank-64 signal {@code AB/64} with A and B standard normal, plus Gaussian noise of 0.1): one of the three
 * in 192 such layers (seeds 9 to 200) that came out more than 1e-6 off when iterated to 1e-6 (1.76e-6 on this
 * project's machine, as 2 of B7's own 192 layers did), and within 2.2e-9 at 1e-7.
 */
class StreamedToleranceTest {
    private static final int SIZE = 1600;
    private static final int RANK = 64;

    @Test
    void aLayerWhoseConvergenceEstimateIsOptimisticStillMeetsThePromisedAccuracy() {
        float[] s = signalPlusNoise(93);
        Spectrum dense = DenseSvd.decompose(WeightMatrix.fromRowMajor(SIZE, SIZE, s), 10);
        Spectrum streamed = TruncatedSvd.builder().tolerance(LayerByLayer.STREAMED_TOLERANCE).build()
                .top(panels(s), 10).spectrum();
        for (int j = 0; j < 10; j++) {
            double want = dense.singularValue(j);
            double error = Math.abs(streamed.singularValue(j) - want) / want;
            assertTrue(error <= 1e-6, "sigma_" + (j + 1) + " is " + error + " off the dense SVD's");
        }
    }

    /** AB/64 + 0.1·N row-major in float32, A (SIZE × RANK) and B (RANK × SIZE) standard normal (Box–Muller). */
    private static float[] signalPlusNoise(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[SIZE * RANK];
        float[] b = new float[RANK * SIZE];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) normal(random);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) normal(random);
        }
        float[] s = new float[SIZE * SIZE];
        for (int i = 0; i < SIZE; i++) {
            for (int j = 0; j < SIZE; j++) {
                float dot = 0;
                for (int t = 0; t < RANK; t++) {
                    dot += a[i * RANK + t] * b[t * SIZE + j];
                }
                s[i * SIZE + j] = dot / RANK + 0.1f * (float) normal(random);
            }
        }
        return s;
    }

    private static double normal(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** S read in tiles, as a layer's stored weight is. */
    private static WeightPanels panels(float[] s) {
        return new WeightPanels() {
            @Override
            public int storedRows() {
                return SIZE;
            }

            @Override
            public int storedColumns() {
                return SIZE;
            }

            @Override
            public boolean isTransposed() {
                return false;
            }

            @Override
            public double getScale() {
                return 1.0;
            }

            @Override
            public ElementType getElementType() {
                return ElementType.FLOAT32;
            }

            @Override
            public void read(int row, int rows, int column, int columns, float[] dst, int offset) {
                for (int i = 0; i < rows; i++) {
                    System.arraycopy(s, (row + i) * SIZE + column, dst, offset + i * columns, columns);
                }
            }

            @Override
            public void close() {
            }
        };
    }
}
