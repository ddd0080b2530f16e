package dev.invariance.network;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Single-precision storage: {@link WeightMatrix#frobeniusNorm()} sums squares in double without scaling and still
 * neither overflows nor underflows (expected norms from exact decimal arithmetic), and
 * {@link WeightMatrix#fillRowMajor} keeps what its callback wrote.
 */
class WeightMatrixFloatStorageTest {
    /** Exact √(Σ v²) of the floats, rounded to double: BigDecimal holds every float and its square exactly. */
    private static double exactNorm(float[] v) {
        BigDecimal s = BigDecimal.ZERO;
        for (float f : v) {
            BigDecimal x = new BigDecimal(f);
            s = s.add(x.multiply(x));
        }
        return s.sqrt(new MathContext(40)).doubleValue();
    }

    /** The double sums of at most a few thousand exact squares: within a few thousand ulps of double, relatively. */
    private static void assertNorm(float[] v) {
        double expected = exactNorm(v);
        double got = WeightMatrix.fromRowMajor(1, v.length, v).frobeniusNorm();
        assertEquals(expected, got, expected * v.length * 0x1p-52, "norm of " + v.length + " floats");
    }

    @Test
    void largestFloatsDoNotOverflow() {
        float[] v = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE};
        assertNorm(v);
        assertTrue(Double.isFinite(WeightMatrix.fromRowMajor(1, 3, v).frobeniusNorm()));
    }

    @Test
    void subnormalFloatsDoNotUnderflow() {
        float tiny = Float.MIN_VALUE; // 2^-149
        float[] v = {tiny, -tiny, tiny, tiny};
        assertEquals(0x1p-148, WeightMatrix.fromRowMajor(2, 2, v).frobeniusNorm(), 0.0, "2^-149 · √4 exactly");
    }

    @Test
    void mixedMagnitudesMatchExactArithmetic() {
        SplittableRandom r = new SplittableRandom(11);
        for (int n : new int[] {1, 3, 4, 5, 1001}) {
            float[] v = new float[n];
            for (int k = 0; k < n; k++) {
                v[k] = Math.scalb((float) r.nextDouble(-1, 1), r.nextInt(-149, 128));
            }
            assertNorm(v);
        }
    }

    @Test
    void longSumsStayAccurate() {
        // 3 M entries k / 2^12 with integer |k| < 2^20: Σ k² < 2^62 is exact in a long, so ‖W‖_F = √(Σ k²) / 2^12
        // up to two roundings. A plain running sum would drift by about √n ulps (some 1700 here).
        SplittableRandom r = new SplittableRandom(13);
        float[] v = new float[3_000_000];
        long sum = 0;
        for (int k = 0; k < v.length; k++) {
            int q = r.nextInt(-(1 << 20) + 1, 1 << 20);
            v[k] = q * 0x1p-12f;
            sum += (long) q * q;
        }
        double expected = Math.sqrt((double) sum) * 0x1p-12;
        double got = WeightMatrix.fromRowMajor(3000, 1000, v).frobeniusNorm();
        assertEquals(expected, got, 8 * Math.ulp(expected), "within 8 ulps");
    }

    @Test
    void floatAndDoubleStorageOfTheSameValuesAgree() {
        SplittableRandom r = new SplittableRandom(12);
        float[] f = new float[5000];
        double[] d = new double[f.length];
        for (int k = 0; k < f.length; k++) {
            f[k] = (float) r.nextGaussian();
            d[k] = f[k];
        }
        double single = WeightMatrix.fromRowMajor(50, 100, f).frobeniusNorm();
        double dbl = WeightMatrix.fromRowMajor(50, 100, d).frobeniusNorm();
        assertEquals(dbl, single, dbl * f.length * 0x1p-52);
    }

    @Test
    void zerosNaNAndInfinity() {
        assertEquals(0.0, WeightMatrix.fromRowMajor(2, 2, new float[4]).frobeniusNorm(), 0.0);
        assertEquals(0.0, WeightMatrix.fromRowMajor(0, 3, new float[0]).frobeniusNorm(), 0.0);
        assertTrue(Double.isNaN(WeightMatrix.fromRowMajor(1, 3, new float[] {1, Float.NaN, Float.POSITIVE_INFINITY}).frobeniusNorm()));
        assertEquals(Double.POSITIVE_INFINITY,
                WeightMatrix.fromRowMajor(1, 2, new float[] {1, Float.NEGATIVE_INFINITY}).frobeniusNorm(), 0.0);
    }

    @Test
    void fillRowMajorKeepsWhatTheCallbackWrote() {
        WeightMatrix w = WeightMatrix.fillRowMajor(2, 3, out -> {
            assertEquals(6, out.length);
            for (int k = 0; k < out.length; k++) {
                out[k] = k + 0.5f;
            }
        });
        assertTrue(w.isSinglePrecision());
        assertEquals(WeightMatrix.fromRows(new double[] {0.5, 1.5, 2.5}, new double[] {3.5, 4.5, 5.5}), w);
        assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}, w.toRowMajorFloatArray());
    }

    @Test
    void fillRowMajorRefusesImpossibleShapesAndPassesOnTheCallbacksException() {
        assertThrows(IllegalArgumentException.class, () -> WeightMatrix.fillRowMajor(-1, 2, out -> { }));
        assertThrows(IllegalArgumentException.class, () -> WeightMatrix.fillRowMajor(1 << 16, 1 << 16, out -> { }));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WeightMatrix.fillRowMajor(1, 1, out -> {
                    throw new IllegalStateException("bad value");
                }));
        assertEquals("bad value", e.getMessage());
    }
}
