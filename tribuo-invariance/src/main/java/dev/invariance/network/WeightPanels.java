package dev.invariance.network;

/**
 * A layer's weight read from where it is stored, a panel at a time, instead of copied whole onto the heap: the
 * stored matrix {@code S} ({@link #storedRows()} × {@link #storedColumns()}, row-major as the file keeps it) and how
 * it gives the layer's {@code W} (d_out × d_in): {@code W = scale · S}, or {@code W = scale · Sᵀ} when
 * {@link #isTransposed()}. This is the form the top-k spectrum works on ({@code TruncatedSvd}): its products
 * {@code W X} and {@code Wᵀ Y} only need S a panel of rows or columns at a time, converted to float32 in
 * cache-sized tiles (float16, bfloat16 widen exactly; quantised integers are dequantised), and the transpose and
 * the scale are handled by index mapping.
 *
 * <p>{@link #read} must be safe to call from several threads at once (the products split the panels over the
 * processors). Implementations may hold a file mapped: {@link #close()} releases it, after which no panel is read.
 */
public interface WeightPanels extends AutoCloseable {
    /** Rows of the stored matrix S. */
    int storedRows();

    /** Columns of the stored matrix S. */
    int storedColumns();

    /** Whether {@code W = scale · Sᵀ} (else {@code W = scale · S}). */
    boolean isTransposed();

    /** The factor of {@code W = scale · S} (Gemm's {@code alpha}; 1 for most layers). */
    double getScale();

    /** The precision the weights were stored in (the products run in float32 for every type but float64). */
    ElementType getElementType();

    /** The layer's d_out: rows of W. */
    default int outputWidth() {
        return isTransposed() ? storedColumns() : storedRows();
    }

    /** The layer's d_in: columns of W. */
    default int inputWidth() {
        return isTransposed() ? storedRows() : storedColumns();
    }

    /**
     * Writes the tile {@code S[row .. row + rows) × [column .. column + columns)} into {@code dst} from
     * {@code offset} on as float32, row-major with leading dimension {@code columns}: entry (i, j) at
     * {@code dst[offset + i * columns + j]}.
     *
     * @throws IllegalArgumentException (or a subclass naming the file and tensor) when a value is NaN or infinite or
     *                                  the storage cannot be read
     * @throws IndexOutOfBoundsException when the tile is outside S or does not fit {@code dst} from {@code offset}
     */
    void read(int row, int rows, int column, int columns, float[] dst, int offset);

    /** {@link #read(int, int, int, int, float[], int)} into {@code dst} from its start. */
    default void read(int row, int rows, int column, int columns, float[] dst) {
        read(row, rows, column, columns, dst, 0);
    }

    /**
     * Lets go of what the panels hold in memory now (a file's mapped pages, which count in the process's resident
     * memory) without closing them: the next {@link #read} takes it again. Called by a reader that will not read for
     * a while; never while a read runs. Does nothing by default.
     */
    default void release() {
    }

    /** Releases what the panels hold (a file mapping); does not throw checked exceptions. */
    @Override
    void close();
}
