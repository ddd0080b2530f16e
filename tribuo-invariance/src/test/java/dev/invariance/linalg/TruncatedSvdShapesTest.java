package dev.invariance.linalg;

import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The float path of {@link TruncatedSvd} on wide and tall float32 matrices large enough for Lanczos (min side ≥ 4b),
 * where the Gram operator reads column panels of Wᵀ (wide) or row blocks of the result (refinement): the leading
 * values agree with LAPACK's dense double SVD (the tolerance of the class contract, 1e-6 relative).
 */
class TruncatedSvdShapesTest {

    @ParameterizedTest
    @CsvSource({"600, 1300", "1300, 600"})
    void wideAndTallFloatMatricesMatchTheDenseSvd(int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 31L + cols);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        // a decaying rank-8 signal on top of the noise, so the leading values are separated
        for (int r = 0; r < 8; r++) {
            double[] a = new double[rows];
            double[] b = new double[cols];
            for (int i = 0; i < rows; i++) {
                a[i] = rng.nextGaussian();
            }
            for (int j = 0; j < cols; j++) {
                b[j] = rng.nextGaussian();
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    v[i * cols + j] += (float) (a[i] * b[j] * (8 - r) / 8.0);
                }
            }
        }
        WeightMatrix w = WeightMatrix.fromRowMajor(rows, cols, v);
        Spectrum top = TruncatedSvd.withDefaults().top(w, 10, ElementType.FLOAT32);
        Spectrum dense = DenseSvd.singularValues(w);
        for (int j = 0; j < 10; j++) {
            assertEquals(dense.singularValue(j), top.singularValue(j), 1e-6 * dense.singularValue(j), "sigma_" + (j + 1));
        }
    }
}
