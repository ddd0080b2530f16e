package dev.invariance.network;

import java.io.Serializable;
import java.util.Arrays;

/**
 * An immutable dense real matrix of {@code rows × columns} doubles, stored row-major. As a layer's weight it
 * follows the column-vector convention {@code h = W x}: rows are output units (d_out) and columns are input
 * units (d_in), exactly PyTorch's {@code nn.Linear.weight}.
 */
public final class WeightMatrix implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int columns;
    private final double[] values;

    private WeightMatrix(int rows, int columns, double[] values) {
        this.rows = rows;
        this.columns = columns;
        this.values = values;
    }

    /**
     * Copies a row-major array: entry (i, j) is {@code rowMajor[i * columns + j]}.
     *
     * @throws IllegalArgumentException if the length is not {@code rows * columns} or a dimension is negative
     */
    public static WeightMatrix fromRowMajor(int rows, int columns, double[] rowMajor) {
        checkShape(rows, columns, rowMajor.length);
        return new WeightMatrix(rows, columns, rowMajor.clone());
    }

    /** Copies a row-major float array (for example float32 weights), widening every entry exactly. */
    public static WeightMatrix fromRowMajor(int rows, int columns, float[] rowMajor) {
        checkShape(rows, columns, rowMajor.length);
        double[] v = new double[rowMajor.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = rowMajor[i];
        }
        return new WeightMatrix(rows, columns, v);
    }

    /**
     * Copies a column-major array (LAPACK's layout): entry (i, j) is {@code columnMajor[j * rows + i]}.
     */
    public static WeightMatrix fromColumnMajor(int rows, int columns, double[] columnMajor) {
        checkShape(rows, columns, columnMajor.length);
        double[] v = new double[columnMajor.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                v[i * columns + j] = columnMajor[j * rows + i];
            }
        }
        return new WeightMatrix(rows, columns, v);
    }

    /** Builds a matrix from its rows; all rows must have the same length. */
    public static WeightMatrix fromRows(double[]... rows) {
        int r = rows.length;
        int c = r == 0 ? 0 : rows[0].length;
        double[] v = new double[r * c];
        for (int i = 0; i < r; i++) {
            if (rows[i].length != c) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " entries, expected " + c);
            }
            System.arraycopy(rows[i], 0, v, i * c, c);
        }
        return new WeightMatrix(r, c, v);
    }

    /** The all-zero {@code rows × columns} matrix. */
    public static WeightMatrix zeros(int rows, int columns) {
        checkShape(rows, columns, (long) rows * columns);
        return new WeightMatrix(rows, columns, new double[rows * columns]);
    }

    private static void checkShape(int rows, int columns, long length) {
        if (rows < 0 || columns < 0) {
            throw new IllegalArgumentException("negative shape " + rows + " x " + columns);
        }
        if ((long) rows * columns != length) {
            throw new IllegalArgumentException("shape " + rows + " x " + columns + " needs " + ((long) rows * columns)
                    + " values, got " + length);
        }
    }

    /** Number of rows (d_out for a layer weight). */
    public int getRows() {
        return rows;
    }

    /** Number of columns (d_in for a layer weight). */
    public int getColumns() {
        return columns;
    }

    /** Entry (row, column). */
    public double get(int row, int column) {
        if (row < 0 || row >= rows || column < 0 || column >= columns) {
            throw new IndexOutOfBoundsException("(" + row + ", " + column + ") outside " + rows + " x " + columns);
        }
        return values[row * columns + column];
    }

    /** A fresh row-major copy of the entries. */
    public double[] toRowMajorArray() {
        return values.clone();
    }

    /**
     * A fresh row-major copy of the entries rounded to single precision: entry (i, j) is
     * {@code (float) get(i, j)}. Exact for weights that came from float32 storage (for example through
     * {@link #fromRowMajor(int, int, float[])}); otherwise each entry is rounded to the nearest float. The matrix
     * itself is not changed and keeps no reference to the returned array (nothing is cached), so it stays
     * immutable.
     */
    public float[] toRowMajorFloatArray() {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** A fresh column-major copy of the entries (the layout LAPACK and BLAS expect). */
    public double[] toColumnMajorArray() {
        double[] out = new double[values.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                out[j * rows + i] = values[i * columns + j];
            }
        }
        return out;
    }

    /** A fresh copy of row {@code row}. */
    public double[] getRow(int row) {
        return Arrays.copyOfRange(values, row * columns, (row + 1) * columns);
    }

    /** The transpose, {@code columns × rows}. */
    public WeightMatrix transpose() {
        double[] out = new double[values.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                out[j * rows + i] = values[i * columns + j];
            }
        }
        return new WeightMatrix(columns, rows, out);
    }

    /** Whether every entry is exactly zero. */
    public boolean isZero() {
        for (double v : values) {
            if (v != 0.0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightMatrix m && m.rows == rows && m.columns == columns && Arrays.equals(m.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + columns) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "WeightMatrix(" + rows + " x " + columns + ")";
    }
}
