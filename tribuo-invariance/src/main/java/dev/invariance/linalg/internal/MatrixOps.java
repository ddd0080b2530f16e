package dev.invariance.linalg.internal;

import dev.invariance.network.WeightMatrix;

import java.util.List;

/**
 * Plain dense linear algebra on row-major {@link WeightMatrix} values: products op(A)·op(B) through BLAS, the
 * Frobenius norm ‖A‖_F = √(Σ a_ij²) (scaled, so it neither overflows nor underflows), ‖A − B‖_F, submatrices
 * A[rows, columns], [W | b] and W + I. Every result is a fresh matrix; inputs are never changed.
 */
public final class MatrixOps {
    private MatrixOps() {
    }

    /** A·B for A (m × k) and B (k × n). */
    public static WeightMatrix multiply(WeightMatrix a, WeightMatrix b) {
        return multiply(a, false, b, false);
    }

    /** op(A)·op(B), op = transpose when the flag is set. */
    public static WeightMatrix multiply(WeightMatrix a, boolean transA, WeightMatrix b, boolean transB) {
        int m = transA ? a.getColumns() : a.getRows();
        int k = transA ? a.getRows() : a.getColumns();
        int k2 = transB ? b.getColumns() : b.getRows();
        int n = transB ? b.getRows() : b.getColumns();
        if (k != k2) {
            throw new IllegalArgumentException("inner dimensions differ: " + k + " vs " + k2);
        }
        double[] c = new double[m * n];
        if (k > 0) {
            RowMajorBlas.gemm(transA, transB, m, n, k, 1.0, a.toRowMajorArray(), b.toRowMajorArray(), 0.0, c);
        }
        return WeightMatrix.fromRowMajor(m, n, c);
    }

    /**
     * ‖A‖_F without overflow or underflow: single-precision storage summed directly in double (its squares cannot
     * overflow or underflow a double), double storage with scaling ({@link WeightMatrix#frobeniusNorm()}).
     */
    public static double frobenius(WeightMatrix a) {
        return a.frobeniusNorm();
    }

    /** ‖v‖₂ of the entries of a row-major array (the Frobenius norm of the matrix it stores), scaled likewise. */
    public static double frobenius(double[] v) {
        double scale = 0;
        for (double x : v) {
            scale = Math.max(scale, Math.abs(x));
        }
        if (scale == 0 || !Double.isFinite(scale)) {
            return scale;
        }
        double s = 0;
        for (double x : v) {
            double y = x / scale;
            s += y * y;
        }
        return scale * Math.sqrt(s);
    }

    /** ‖A − B‖_F for equal shapes. */
    public static double frobeniusDistance(WeightMatrix a, WeightMatrix b) {
        double[] x = a.toRowMajorArray();
        double[] y = b.toRowMajorArray();
        for (int i = 0; i < x.length; i++) {
            x[i] -= y[i];
        }
        return frobenius(x);
    }

    /** A[rows, columns] in the given order. */
    public static WeightMatrix submatrix(WeightMatrix a, List<Integer> rows, List<Integer> columns) {
        double[] v = new double[rows.size() * columns.size()];
        int t = 0;
        for (int r : rows) {
            for (int c : columns) {
                v[t++] = a.get(r, c);
            }
        }
        return WeightMatrix.fromRowMajor(rows.size(), columns.size(), v);
    }

    /** [W | b]: W (m × n) with the bias appended as column n. */
    public static WeightMatrix appendColumn(WeightMatrix w, double[] b) {
        int m = w.getRows();
        int n = w.getColumns();
        double[] v = new double[m * (n + 1)];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                v[i * (n + 1) + j] = w.get(i, j);
            }
            v[i * (n + 1) + n] = b[i];
        }
        return WeightMatrix.fromRowMajor(m, n + 1, v);
    }

    /** W + I for a square W. */
    public static WeightMatrix plusIdentity(WeightMatrix w) {
        double[] v = w.toRowMajorArray();
        int n = w.getColumns();
        for (int i = 0; i < w.getRows(); i++) {
            v[i * n + i] += 1.0;
        }
        return WeightMatrix.fromRowMajor(w.getRows(), n, v);
    }

    /** The list 0, 1, …, n − 1. */
    public static List<Integer> range(int n) {
        Integer[] r = new Integer[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return List.of(r);
    }
}
