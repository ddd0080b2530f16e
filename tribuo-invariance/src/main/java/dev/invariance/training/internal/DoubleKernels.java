package dev.invariance.training.internal;

import dev.invariance.linalg.internal.RowMajorBlas;
import dev.invariance.network.ElementType;

/** {@link Kernels} over {@code double[]} (float64 training, the default for fidelity). */
final class DoubleKernels extends Kernels<double[]> {
    static final DoubleKernels INSTANCE = new DoubleKernels();

    private DoubleKernels() {
    }

    @Override
    ElementType elementType() {
        return ElementType.FLOAT64;
    }

    @Override
    double[] allocate(int length) {
        return new double[length];
    }

    @Override
    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, double[] b,
              double beta, double[] c) {
        RowMajorBlas.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    @Override
    void addToRows(double[] matrix, int rows, int cols, double[] bias) {
        for (int i = 0; i < rows; i++) {
            int off = i * cols;
            for (int j = 0; j < cols; j++) {
                matrix[off + j] += bias[j];
            }
        }
    }

    @Override
    void columnSums(double[] matrix, int rows, int cols, double[] out) {
        java.util.Arrays.fill(out, 0, cols, 0.0);
        for (int i = 0; i < rows; i++) {
            int off = i * cols;
            for (int j = 0; j < cols; j++) {
                out[j] += matrix[off + j];
            }
        }
    }

    @Override
    void relu(double[] x, int n) {
        for (int i = 0; i < n; i++) {
            if (!(x[i] > 0.0)) {
                x[i] = 0.0;
            }
        }
    }

    @Override
    void reluBackward(double[] grad, double[] activated, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = activated[i] > 0.0 ? grad[i] : 0.0;
        }
    }

    @Override
    void axpy(int n, double alpha, double[] x, double[] y) {
        for (int i = 0; i < n; i++) {
            y[i] += alpha * x[i];
        }
    }

    @Override
    void copy(double[] src, int srcOffset, double[] dst, int dstOffset, int n) {
        System.arraycopy(src, srcOffset, dst, dstOffset, n);
    }

    @Override
    void toDouble(double[] src, double[] dst, int n) {
        System.arraycopy(src, 0, dst, 0, n);
    }

    @Override
    void fromDouble(double[] src, double[] dst, int n) {
        System.arraycopy(src, 0, dst, 0, n);
    }

    @Override
    int firstNonFinite(double[] x, int n) {
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(x[i])) {
                return i;
            }
        }
        return -1;
    }

    @Override
    void adam(double[] param, double[] grad, double[] m, double[] v, int n, double lr, double beta1, double beta2,
              double epsilon, double correction1, double correction2) {
        for (int i = 0; i < n; i++) {
            double g = grad[i];
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            param[i] -= lr * (m[i] / correction1) / (Math.sqrt(v[i] / correction2) + epsilon);
        }
    }
}
