package dev.invariance.analysis;

import dev.invariance.network.WeightMatrix;

/**
 * Row-major float32 matrices as the single-precision pair scores use them: the weights as BLAS reads them, and
 * norms of their entries summed in double (a float squared lies within double's range, so no scaling is needed).
 */
final class FloatMatrices {
    private FloatMatrices() {
    }

    /**
     * The weights as a row-major float array for BLAS, which only reads it: float storage itself (no copy of
     * matrices that can be hundreds of megabytes), else a rounded copy.
     */
    static float[] floats(WeightMatrix w) {
        float[] shared = w.sharedFloatStorage();
        return shared != null ? shared : w.toRowMajorFloatArray();
    }

    /**
     * ‖X‖_F of a float array, summed in double. No scaling is needed: a float squared lies within double's range
     * (at most about 1.2·10⁷⁷, at least about 2·10⁻⁹⁰ when nonzero), and so does a sum of up to 2³¹ of them.
     */
    static double frobenius(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    /**
     * Σ_{i&lt;j} (X_ij − X_ji)² of a row-major k × k float matrix, in double, in square tiles (cache-friendly):
     * ‖X − Xᵀ‖_F² / 2.
     */
    static double skewSquares(float[] x, int k) {
        final int tile = 64;
        double s = 0;
        for (int i0 = 0; i0 < k; i0 += tile) {
            int i1 = Math.min(k, i0 + tile);
            for (int j0 = i0; j0 < k; j0 += tile) {
                int j1 = Math.min(k, j0 + tile);
                for (int i = i0; i < i1; i++) {
                    for (int j = Math.max(j0, i + 1); j < j1; j++) {
                        double y = (double) x[i * k + j] - x[j * k + i];
                        s += y * y;
                    }
                }
            }
        }
        return s;
    }
}
