package dev.invariance.onnx.reading;

/**
 * A rectangular block of a constant seen as a row-major matrix: rows {@code rowStart …} and columns
 * {@code columnStart …} of the source's values laid out as {@code viewRows × viewColumns}. This is how one part of a
 * packed weight becomes a layer's matrix: gate {@code g} of direction {@code d} of a recurrent {@code W}
 * {@code [dirs, G·H, in]} is rows {@code (d·G + g)·H …} of the {@code (dirs·G·H) × in} view, and the query part of a
 * fused attention weight {@code [D, 3D]} is columns {@code 0 … D − 1}. Its shape is {@code [rows, columns]}; its
 * precision and element type are the source's.
 */
final class ConstantBlock extends ConstantTensor.OfOne {
    private final int viewColumns;
    private final int rowStart;
    private final int columnStart;

    private ConstantBlock(ConstantTensor source, int viewColumns, int rowStart, int rows, int columnStart,
                          int columns) {
        super(source, new long[] {rows, columns}, source.precision);
        this.viewColumns = viewColumns;
        this.rowStart = rowStart;
        this.columnStart = columnStart;
    }

    /**
     * Rows {@code rowStart … rowStart + rows − 1} of {@code source} seen as a matrix of {@code viewColumns} columns.
     *
     * @throws IllegalArgumentException when the block lies outside the source (a caller's bug: callers check shapes)
     */
    static ConstantBlock rows(ConstantTensor source, int viewColumns, int rowStart, int rows) {
        return of(source, viewColumns, rowStart, rows, 0, viewColumns);
    }

    /**
     * Columns {@code columnStart … columnStart + columns − 1} of {@code source} seen as a matrix of
     * {@code viewColumns} columns (every row).
     *
     * @throws IllegalArgumentException when the block lies outside the source (a caller's bug: callers check shapes)
     */
    static ConstantBlock columns(ConstantTensor source, int viewColumns, int columnStart, int columns) {
        return of(source, viewColumns, 0, (int) (source.count() / viewColumns), columnStart, columns);
    }

    private static ConstantBlock of(ConstantTensor source, int viewColumns, int rowStart, int rows, int columnStart,
                                    int columns) {
        long count = source.count();
        if (viewColumns <= 0 || count % viewColumns != 0 || rowStart < 0 || rows < 0 || columnStart < 0 || columns < 0
                || (long) rowStart + rows > count / viewColumns || (long) columnStart + columns > viewColumns) {
            throw new IllegalArgumentException("block outside " + source);
        }
        return new ConstantBlock(source, viewColumns, rowStart, rows, columnStart, columns);
    }

    @Override
    double[] compute(ConstantEvaluation in) {
        double[] all = in.read(source);
        int rows = (int) shape[0];
        int columns = (int) shape[1];
        double[] out = new double[rows * columns];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(all, (rowStart + r) * viewColumns + columnStart, out, r * columns, columns);
        }
        return out;
    }
}
