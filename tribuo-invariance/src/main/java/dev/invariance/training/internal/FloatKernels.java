package dev.invariance.training.internal;

import dev.invariance.linalg.internal.RowMajorBlas;
import dev.invariance.network.ElementType;

/** {@link Kernels} over {@code float[]} (float32 training, for speed). */
final class FloatKernels extends Kernels<float[]> {
    static final FloatKernels INSTANCE = new FloatKernels();

    private FloatKernels() {
    }

    @Override
    ElementType elementType() {
        return ElementType.FLOAT32;
    }

    @Override
    float[] allocate(int length) {
        return new float[length];
    }

    @Override
    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, float[] a, float[] b,
              double beta, float[] c) {
        RowMajorBlas.gemm(transA, transB, m, n, k, (float) alpha, a, b, (float) beta, c);
    }

    @Override
    void addToRows(float[] matrix, int rows, int cols, float[] bias) {
        for (int i = 0; i < rows; i++) {
            int off = i * cols;
            for (int j = 0; j < cols; j++) {
                matrix[off + j] += bias[j];
            }
        }
    }

    @Override
    void columnSums(float[] matrix, int rows, int cols, float[] out) {
        java.util.Arrays.fill(out, 0, cols, 0.0f);
        for (int i = 0; i < rows; i++) {
            int off = i * cols;
            for (int j = 0; j < cols; j++) {
                out[j] += matrix[off + j];
            }
        }
    }

    @Override
    void relu(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            if (!(x[i] > 0.0f)) {
                x[i] = 0.0f;
            }
        }
    }

    @Override
    void reluBackward(float[] grad, float[] activated, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = activated[i] > 0.0f ? grad[i] : 0.0f;
        }
    }

    @Override
    void axpy(int n, double alpha, float[] x, float[] y) {
        for (int i = 0; i < n; i++) {
            y[i] += (float) (alpha * x[i]);
        }
    }

    @Override
    void copy(float[] src, int srcOffset, float[] dst, int dstOffset, int n) {
        System.arraycopy(src, srcOffset, dst, dstOffset, n);
    }

    @Override
    void toDouble(float[] src, double[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = src[i];
        }
    }

    @Override
    void fromDouble(double[] src, float[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = (float) src[i];
        }
    }

    @Override
    int firstNonFinite(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[i])) {
                return i;
            }
        }
        return -1;
    }

    @Override
    void adam(float[] param, float[] grad, float[] m, float[] v, int n, double lr, double beta1, double beta2,
              double epsilon, double correction1, double correction2) {
        for (int i = 0; i < n; i++) {
            double g = grad[i];
            double mi = beta1 * m[i] + (1 - beta1) * g;
            double vi = beta2 * v[i] + (1 - beta2) * g * g;
            m[i] = (float) mi;
            v[i] = (float) vi;
            param[i] -= (float) (lr * (mi / correction1) / (Math.sqrt(vi / correction2) + epsilon));
        }
    }
}
