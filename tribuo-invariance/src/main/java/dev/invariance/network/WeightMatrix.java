package dev.invariance.network;

import org.jspecify.annotations.Nullable;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable dense real matrix of {@code rows × columns} real numbers, stored row-major. As a layer's weight it
 * follows the column-vector convention {@code h = W x}: rows are output units (d_out) and columns are input
 * units (d_in), exactly PyTorch's {@code nn.Linear.weight}.
 * <p>
 * A matrix built from floats ({@link #fromRowMajor(int, int, float[])}, for example float32 weights read from a
 * file) keeps them as floats, half the memory of doubles; every accessor widens them exactly, so its entries,
 * equality and hash code are those of the same values stored as doubles.
 */
public final class WeightMatrix implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int columns;
    /** The entries as doubles, or null when they are held in {@link #floats}. */
    private final double @Nullable [] values;
    /** The entries as floats (single-precision storage), or null. */
    private final float @Nullable [] floats;

    private WeightMatrix(int rows, int columns, double[] values) {
        this.rows = rows;
        this.columns = columns;
        this.values = values;
        this.floats = null;
    }

    private WeightMatrix(int rows, int columns, float[] floats) {
        this.rows = rows;
        this.columns = columns;
        this.values = null;
        this.floats = floats;
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

    /**
     * Copies a row-major float array (for example float32 weights), kept in single precision (4 bytes an entry);
     * every accessor widens the entries exactly.
     */
    public static WeightMatrix fromRowMajor(int rows, int columns, float[] rowMajor) {
        checkShape(rows, columns, rowMajor.length);
        return new WeightMatrix(rows, columns, rowMajor.clone());
    }

    /**
     * Fills a matrix in single precision in place: a fresh zeroed row-major array of {@code rows * columns} floats
     * (entry (i, j) at {@code i * columns + j}) is handed to {@code fill} once and then kept as the matrix's storage,
     * with no copy. For readers that decode large float32 weights straight into place (a 1600 × 6400 layer is 41 MB;
     * {@link #fromRowMajor(int, int, float[])} would hold it twice). The callback must not keep the array or write to
     * it after returning; whatever it throws propagates and no matrix is made.
     *
     * @throws IllegalArgumentException if a dimension is negative or {@code rows * columns} exceeds an array's length
     */
    public static WeightMatrix fillRowMajor(int rows, int columns, FloatFiller fill) {
        if (rows < 0 || columns < 0 || (long) rows * columns > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + rows + " x " + columns + " cannot be stored in one array");
        }
        float[] f = new float[rows * columns];
        fill.fill(f);
        return new WeightMatrix(rows, columns, f);
    }

    /** Writes the entries of a matrix into its row-major float storage (see {@link #fillRowMajor}). */
    @FunctionalInterface
    public interface FloatFiller {
        /** Writes entry (i, j) at {@code rowMajor[i * columns + j]}. */
        void fill(float[] rowMajor);
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
        return at(row * columns + column);
    }

    private double at(int index) {
        return values != null ? values[index] : floatEntries()[index];
    }

    private int size() {
        return values != null ? values.length : floatEntries().length;
    }

    /**
     * The float entries where {@link #values} is null: every constructor sets exactly one of the two fields, so this
     * never fails on a matrix made here (only on a forged serialised one).
     */
    private float[] floatEntries() {
        return Objects.requireNonNull(floats, "a WeightMatrix holds neither double nor float entries");
    }

    /** The double entries where {@link #floats} is null (see {@link #floatEntries()}). */
    private double[] doubleEntries() {
        return Objects.requireNonNull(values, "a WeightMatrix holds neither double nor float entries");
    }

    /**
     * Engine-internal (see docs/guide.md): the live row-major single-precision storage, shared rather than copied,
     * so that the analysis can hand float32 weights of several hundred megabytes to BLAS without a second copy; null
     * when the entries are held as doubles. Callers must only read it and must not keep it beyond the computation
     * that asked for it: writing to it would break this matrix's immutability. Everyone else uses
     * {@link #toRowMajorFloatArray()}.
     */
    public float @Nullable [] sharedFloatStorage() {
        return floats;
    }

    /** Whether the entries are held as floats (single precision), as for weights read from float32 storage. */
    public boolean isSinglePrecision() {
        return floats != null;
    }

    /** A fresh row-major copy of the entries. */
    public double[] toRowMajorArray() {
        if (values != null) {
            return values.clone();
        }
        float[] f = floatEntries();
        double[] out = new double[f.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /**
     * ‖W‖_F = √(Σ w_ij²), summed in double (no copy of the entries is made).
     * <p>
     * Single-precision storage is summed directly: a float squared in double is exact (24-bit significands give 48
     * bits, within double's 53) and lies between 2⁻²⁹⁸ (the smallest subnormal float, 2⁻¹⁴⁹, squared) and
     * 2²⁵⁶ (Float.MAX_VALUE squared), and a sum of at most 2³¹ of them stays below 2²⁸⁷, so nothing overflows or
     * underflows and no scaling is needed; squares are added in blocks of 1024 (four partial sums each) and the block
     * sums with Kahan's compensation, about as accurate as the scaled sum and faster. Double storage keeps the
     * scaled sum (by the largest |w_ij|), since a double squared can overflow or underflow. A NaN entry gives NaN,
     * an infinite one (and no NaN) +∞.
     */
    public double frobeniusNorm() {
        if (floats != null) {
            return Math.sqrt(sumOfSquares(floats));
        }
        double[] entries = doubleEntries();
        double scale = 0;
        for (double v : entries) {
            scale = Math.max(scale, Math.abs(v));
        }
        if (scale == 0 || !Double.isFinite(scale)) {
            return scale;
        }
        double s = 0;
        for (double v : entries) {
            double y = v / scale;
            s += y * y;
        }
        return scale * Math.sqrt(s);
    }

    /**
     * Σ f_i² in double: blocks of 1024 squares in four interleaved partial sums (independent additions), the block
     * sums added with Kahan's compensation, so the rounding error stays near 256 ulps whatever the length instead of
     * growing with it. A non-finite block sum (an infinite or NaN entry) is kept aside, as compensation would turn
     * ∞ into NaN.
     */
    private static double sumOfSquares(float[] f) {
        final int block = 1024;
        int n = f.length;
        double total = 0;
        double carry = 0;
        double nonFinite = 0;
        for (int b0 = 0; b0 < n; b0 += block) {
            int end = Math.min(n, b0 + block);
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int i = b0;
            for (; i + 3 < end; i += 4) {
                double a = f[i];
                double b = f[i + 1];
                double c = f[i + 2];
                double d = f[i + 3];
                s0 += a * a;
                s1 += b * b;
                s2 += c * c;
                s3 += d * d;
            }
            for (; i < end; i++) {
                double a = f[i];
                s0 += a * a;
            }
            double part = (s0 + s1) + (s2 + s3);
            if (!Double.isFinite(part)) {
                nonFinite += part;
                continue;
            }
            double y = part - carry;
            double t = total + y;
            carry = (t - total) - y;
            total = t;
        }
        return nonFinite == 0 ? total : nonFinite;
    }

    /**
     * A fresh row-major copy of the entries rounded to single precision: entry (i, j) is
     * {@code (float) get(i, j)}. Exact for weights that came from float32 storage (for example through
     * {@link #fromRowMajor(int, int, float[])}); otherwise each entry is rounded to the nearest float. The matrix
     * itself is not changed and keeps no reference to the returned array (nothing is cached), so it stays
     * immutable.
     */
    public float[] toRowMajorFloatArray() {
        if (floats != null) {
            return floats.clone();
        }
        double[] entries = doubleEntries();
        float[] out = new float[entries.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) entries[i];
        }
        return out;
    }

    /** A fresh column-major copy of the entries (the layout LAPACK and BLAS expect). */
    public double[] toColumnMajorArray() {
        double[] out = new double[size()];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                out[j * rows + i] = at(i * columns + j);
            }
        }
        return out;
    }

    /**
     * Copies rows {@code [from, from + count)} into {@code dst} row-major (entry (from + i, j) at
     * {@code dst[i * columns + j]}), widening float storage to double; {@code dst} may be longer.
     *
     * @throws IndexOutOfBoundsException if the rows are out of range or {@code dst} is too short
     */
    public void copyRows(int from, int count, double[] dst) {
        Objects.checkFromIndexSize(from, count, rows);
        int size = count * columns;
        Objects.checkFromIndexSize(0, size, dst.length);
        int offset = from * columns;
        if (values != null) {
            System.arraycopy(values, offset, dst, 0, size);
        } else {
            float[] f = floatEntries();
            for (int i = 0; i < size; i++) {
                dst[i] = f[offset + i];
            }
        }
    }

    /**
     * Copies columns {@code [from, from + count)} into {@code dst} row-major as a rows × count block (entry
     * (i, from + j) at {@code dst[i * count + j]}), widening float storage to double; {@code dst} may be longer.
     *
     * @throws IndexOutOfBoundsException if the columns are out of range or {@code dst} is too short
     */
    public void copyColumns(int from, int count, double[] dst) {
        Objects.checkFromIndexSize(from, count, columns);
        Objects.checkFromIndexSize(0, rows * count, dst.length);
        for (int i = 0; i < rows; i++) {
            int src = i * columns + from;
            int to = i * count;
            if (values != null) {
                System.arraycopy(values, src, dst, to, count);
            } else {
                float[] f = floatEntries();
                for (int j = 0; j < count; j++) {
                    dst[to + j] = f[src + j];
                }
            }
        }
    }

    /** A fresh copy of row {@code row}. */
    public double[] getRow(int row) {
        double[] out = new double[columns];
        for (int j = 0; j < columns; j++) {
            out[j] = at(row * columns + j);
        }
        return out;
    }

    /** The transpose, {@code columns × rows}. */
    public WeightMatrix transpose() {
        if (floats != null) {
            float[] out = new float[floats.length];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < columns; j++) {
                    out[j * rows + i] = floats[i * columns + j];
                }
            }
            return new WeightMatrix(columns, rows, out);
        }
        double[] entries = doubleEntries();
        double[] out = new double[entries.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                out[j * rows + i] = entries[i * columns + j];
            }
        }
        return new WeightMatrix(columns, rows, out);
    }

    /** Whether every entry is exactly zero. */
    public boolean isZero() {
        int n = size();
        for (int i = 0; i < n; i++) {
            if (at(i) != 0.0) {
                return false;
            }
        }
        return true;
    }

    /** Equal shapes and entries (as doubles, compared like {@link Arrays#equals(double[], double[])}). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WeightMatrix m) || m.rows != rows || m.columns != columns) {
            return false;
        }
        if (values != null && m.values != null) {
            return Arrays.equals(m.values, values);
        }
        int n = size();
        for (int i = 0; i < n; i++) {
            if (Double.doubleToLongBits(at(i)) != Double.doubleToLongBits(m.at(i))) {
                return false;
            }
        }
        return true;
    }

    /** Consistent with {@link #equals}: the hash of the entries as doubles, whatever the storage. */
    @Override
    public int hashCode() {
        if (values != null) {
            return 31 * (31 * rows + columns) + Arrays.hashCode(values);
        }
        int h = 1;
        for (float f : floatEntries()) {
            h = 31 * h + Double.hashCode(f);
        }
        return 31 * (31 * rows + columns) + h;
    }

    @Override
    public String toString() {
        return "WeightMatrix(" + rows + " x " + columns + ")";
    }
}
