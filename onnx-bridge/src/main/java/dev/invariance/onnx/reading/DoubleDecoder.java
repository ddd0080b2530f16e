package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.invariance.onnx.reading.TensorPayload.BFLOAT16;
import static dev.invariance.onnx.reading.TensorPayload.DOUBLE;
import static dev.invariance.onnx.reading.TensorPayload.FLOAT;
import static dev.invariance.onnx.reading.TensorPayload.FLOAT16;
import static dev.invariance.onnx.reading.TensorPayload.INT32;
import static dev.invariance.onnx.reading.TensorPayload.INT64;
import static dev.invariance.onnx.reading.TensorPayload.INT8;
import static dev.invariance.onnx.reading.TensorPayload.UINT8;

/**
 * Decodes a stored tensor's values widened exactly to double (integers as their values), from wherever the payload
 * keeps them: the typed fields, little-endian {@code raw_data}, or an external data file read a chunk at a time
 * ({@link ExternalRange}). Also the values of a 2-D tensor transposed, scattered into place a block of stored rows at
 * a time, and integer values (shapes, zero points) decoded exactly as longs.
 */
final class DoubleDecoder {
    private final TensorPayload payload;
    private final TensorProto tensor;
    private final int dataType;

    /** A decoder of {@code payload}'s values. */
    DoubleDecoder(TensorPayload payload) {
        this.payload = payload;
        this.tensor = payload.proto();
        this.dataType = payload.dataType();
    }

    /**
     * Every value, in stored order.
     *
     * @throws InvalidModelException if external data cannot be read in full
     */
    double[] read() {
        double[] out = new double[(int) payload.count()];
        if (payload.isExternal()) {
            readExternal(out);
        } else if (tensor.hasRawData()) {
            decode(tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN), out, 0, out.length);
        } else {
            readTyped(out);
        }
        return out;
    }

    /** Every value as an exact integer: {@code int64} read directly, other types through {@link #read()}. */
    long[] readLongs() {
        int count = (int) payload.count();
        if (dataType == INT64 && !payload.isExternal() && !tensor.hasRawData()) {
            long[] out = new long[count];
            for (int i = 0; i < out.length; i++) {
                out[i] = tensor.getInt64Data(i);
            }
            return out;
        }
        if (dataType == INT64 && !payload.isExternal()) {
            ByteBuffer b = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long[] out = new long[count];
            for (int i = 0; i < out.length; i++) {
                out[i] = b.getLong();
            }
            return out;
        }
        double[] d = read();
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }

    /**
     * The values of a 2-D tensor ({@code rows × columns} as stored) transposed: entry (j, i) of the result, at
     * {@code j * rows + i}, is stored entry (i, j). External data is read a block of rows at a time and scattered
     * into place, so no second full-size array is needed.
     */
    double[] readTransposed(int rows, int columns) {
        int size = TensorPayload.elementSize(dataType);
        if (!payload.isExternal() || rows == 0 || columns == 0
                || (long) columns * size > ExternalRange.CHUNK_BYTES * 64L) {
            return RowMajor.transpose2d(read(), rows, columns);
        }
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, ExternalRange.CHUNK_BYTES / ((long) columns * size)));
        ByteBuffer buf = ByteBuffer.allocateDirect(rowsPerChunk * columns * size).order(ByteOrder.LITTLE_ENDIAN);
        double[] block = new double[rowsPerChunk * columns];
        double[] out = new double[rows * columns];
        try (ExternalRange range = payload.openExternal()) {
            for (int i0 = 0; i0 < rows; i0 += rowsPerChunk) {
                int m = Math.min(rowsPerChunk, rows - i0);
                decode(range.next(buf, m * columns * size), block, 0, m * columns);
                for (int j = 0; j < columns; j++) {
                    int base = j * rows + i0;
                    for (int i = 0; i < m; i++) {
                        out[base + i] = block[i * columns + j];
                    }
                }
            }
        }
        return out;
    }

    private void readExternal(double[] out) {
        int size = TensorPayload.elementSize(dataType);
        int perChunk = Math.max(1, ExternalRange.CHUNK_BYTES / size);
        ByteBuffer buf = ByteBuffer.allocateDirect(perChunk * size).order(ByteOrder.LITTLE_ENDIAN);
        try (ExternalRange range = payload.openExternal()) {
            int done = 0;
            while (done < out.length) {
                int n = Math.min(perChunk, out.length - done);
                decode(range.next(buf, n * size), out, done, n);
                done += n;
            }
        }
    }

    private void readTyped(double[] out) {
        switch (dataType) {
            case FLOAT -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = tensor.getFloatData(i);
                }
            }
            case DOUBLE -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = tensor.getDoubleData(i);
                }
            }
            case INT64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = tensor.getInt64Data(i);
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = SixteenBitFloats.float16(tensor.getInt32Data(i) & 0xffff);
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = SixteenBitFloats.bfloat16(tensor.getInt32Data(i));
                }
            }
            case INT8 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (byte) tensor.getInt32Data(i);
                }
            }
            case UINT8 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = tensor.getInt32Data(i) & 0xff;
                }
            }
            default -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = tensor.getInt32Data(i);
                }
            }
        }
    }

    /** Decodes {@code n} little-endian values from {@code b}'s position into {@code out[from, from + n)}. */
    private void decode(ByteBuffer b, double[] out, int from, int n) {
        int end = from + n;
        switch (dataType) {
            case FLOAT -> {
                for (int i = from; i < end; i++) {
                    out[i] = b.getFloat();
                }
            }
            case DOUBLE -> {
                for (int i = from; i < end; i++) {
                    out[i] = b.getDouble();
                }
            }
            case FLOAT16 -> {
                for (int i = from; i < end; i++) {
                    out[i] = SixteenBitFloats.float16(b.getShort() & 0xffff);
                }
            }
            case BFLOAT16 -> {
                for (int i = from; i < end; i++) {
                    out[i] = SixteenBitFloats.bfloat16(b.getShort());
                }
            }
            case INT8 -> {
                for (int i = from; i < end; i++) {
                    out[i] = b.get();
                }
            }
            case UINT8 -> {
                for (int i = from; i < end; i++) {
                    out[i] = b.get() & 0xff;
                }
            }
            case INT32 -> {
                for (int i = from; i < end; i++) {
                    out[i] = b.getInt();
                }
            }
            case INT64 -> {
                for (int i = from; i < end; i++) {
                    out[i] = b.getLong();
                }
            }
            default -> throw new IllegalStateException("element type " + dataType + " passed the check in of()");
        }
    }
}
