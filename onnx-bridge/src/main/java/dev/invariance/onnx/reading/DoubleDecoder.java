package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.invariance.onnx.reading.TensorPayload.BFLOAT16;
import static dev.invariance.onnx.reading.TensorPayload.DOUBLE;
import static dev.invariance.onnx.reading.TensorPayload.FLOAT;
import static dev.invariance.onnx.reading.TensorPayload.FLOAT16;
import static dev.invariance.onnx.reading.TensorPayload.INT16;
import static dev.invariance.onnx.reading.TensorPayload.INT32;
import static dev.invariance.onnx.reading.TensorPayload.INT4;
import static dev.invariance.onnx.reading.TensorPayload.INT64;
import static dev.invariance.onnx.reading.TensorPayload.INT8;
import static dev.invariance.onnx.reading.TensorPayload.UINT16;
import static dev.invariance.onnx.reading.TensorPayload.UINT8;

/**
 * Decodes a stored tensor's values widened exactly to double (integers as their values), from wherever the payload
 * keeps them: the typed fields, little-endian {@code raw_data}, or an external data file read a chunk at a time
 * ({@link ExternalRange}); 4-bit integers ({@code INT4}, {@code UINT4}) are unpacked from two to a byte, the first in
 * the low nibble, as ONNX stores them. Also the values of a 2-D tensor transposed, scattered into place a block of
 * stored rows at a time, and integer values (shapes, zero points) decoded exactly as longs.
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
        if (TensorPayload.isFourBit(dataType)) {
            readFourBit(out);
        } else if (payload.isExternal()) {
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
        if (!payload.isExternal() || rows == 0 || columns == 0 || size == 0
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

    /**
     * 4-bit values, two to a byte with the first in the low nibble, from {@code raw_data}, an external range or
     * {@code int32_data} (one byte of two values per entry); {@code INT4} values are sign-extended.
     */
    private void readFourBit(double[] out) {
        boolean signed = dataType == INT4;
        int bytes = (out.length + 1) / 2;
        if (payload.isExternal()) {
            ByteBuffer buf = ByteBuffer.allocateDirect(Math.min(bytes, ExternalRange.CHUNK_BYTES));
            try (ExternalRange range = payload.openExternal()) {
                for (int done = 0; done < bytes; ) {
                    int n = Math.min(buf.capacity(), bytes - done);
                    ByteBuffer b = range.next(buf, n);
                    for (int k = 0; k < n; k++) {
                        unpack(b.get(), 2 * (done + k), out, signed);
                    }
                    done += n;
                }
            }
        } else if (tensor.hasRawData()) {
            ByteBuffer b = tensor.getRawData().asReadOnlyByteBuffer();
            for (int k = 0; k < bytes; k++) {
                unpack(b.get(), 2 * k, out, signed);
            }
        } else {
            for (int k = 0; k < bytes; k++) {
                unpack(tensor.getInt32Data(k), 2 * k, out, signed);
            }
        }
    }

    /** The two 4-bit values of {@code packed}'s low byte into {@code out[at]} (low nibble) and {@code out[at + 1]}. */
    private static void unpack(int packed, int at, double[] out, boolean signed) {
        for (int half = 0; half < 2 && at + half < out.length; half++) {
            int nibble = (packed >> (4 * half)) & 0xF;
            out[at + half] = signed ? (nibble ^ 8) - 8 : nibble;
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
            case INT16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (short) tensor.getInt32Data(i);
                }
            }
            case UINT16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = tensor.getInt32Data(i) & 0xffff;
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
            case INT16 -> {
                for (int i = from; i < end; i++) {
                    out[i] = b.getShort();
                }
            }
            case UINT16 -> {
                for (int i = from; i < end; i++) {
                    out[i] = b.getShort() & 0xffff;
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
