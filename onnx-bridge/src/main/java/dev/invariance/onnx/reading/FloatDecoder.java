package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.invariance.onnx.reading.TensorPayload.FLOAT;
import static dev.invariance.onnx.reading.TensorPayload.FLOAT16;

/**
 * Decodes a float32, float16 or bfloat16 tensor straight into a float array (exact: the 16-bit types widen exactly),
 * with no array of doubles on the way, as stored or transposed, and tells whether every value is finite. The values
 * are decoded a block of stored rows at a time (float32 bytes by bulk copy), checked while the block is in cache, and
 * the block is written into place in square tiles; external data is read by positioned reads of
 * {@link ExternalRange#CHUNK_BYTES}, so besides the output only the block of at most {@link #FLOAT_BLOCK} floats and
 * the read buffer are allocated.
 */
final class FloatDecoder {
    /** Most values decoded into one block (4 MiB of floats). */
    static final int FLOAT_BLOCK = 1 << 20;
    /** Side of the square tiles the transposing read writes (64 × 64 floats: 16 KiB, within L1). */
    private static final int TILE = 64;

    private final TensorPayload payload;
    private final long[] shape;

    /** A decoder of {@code payload}'s values, which must be float32, float16 or bfloat16. */
    FloatDecoder(TensorPayload payload) {
        this.payload = payload;
        this.shape = payload.shape();
    }

    /** The next {@code n} stored values, in stored order, as floats into {@code dst[from, from + n)}. */
    @FunctionalInterface
    private interface FloatSource {
        void next(float[] dst, int from, int n);
    }

    /**
     * Decodes every value into {@code out}: in stored order unless {@code transposed}; then the tensor must be 2-D
     * ({@code rows × columns} as stored) and entry (j, i) of {@code out}, at {@code j * rows + i}, is stored entry
     * (i, j).
     *
     * @param out        {@code count()} floats, overwritten
     * @param transposed whether to write the transpose of a 2-D tensor
     * @return true when every value is finite (neither NaN nor infinite)
     * @throws InvalidModelException if external data cannot be read in full
     */
    boolean read(float[] out, boolean transposed) {
        int dataType = payload.dataType();
        if (!payload.storesFloats() || out.length != payload.count() || (transposed && shape.length != 2)) {
            throw new IllegalStateException("readFloats on " + TensorPayload.typeName(dataType) + " "
                    + Arrays.toString(shape));
        }
        if (!payload.isExternal()) {
            TensorProto tensor = payload.proto();
            FloatSource source = tensor.hasRawData()
                    ? rawSource(tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN))
                    : typedSource(tensor);
            return read(source, out, transposed);
        }
        int size = TensorPayload.elementSize(dataType);
        int perRead = (int) Math.min(ExternalRange.CHUNK_BYTES / size, Math.max(1, payload.count()));
        ByteBuffer buf = ByteBuffer.allocateDirect(perRead * size).order(ByteOrder.LITTLE_ENDIAN);
        try (ExternalRange range = payload.openExternal()) {
            FloatSource raw = rawSource(buf);
            return read((dst, from, n) -> {
                for (int done = 0; done < n; ) {
                    int k = Math.min(perRead, n - done);
                    range.next(buf, k * size);
                    raw.next(dst, from + done, k);
                    done += k;
                }
            }, out, transposed);
        }
    }

    private boolean read(FloatSource source, float[] out, boolean transposed) {
        boolean finite = true;
        int n = out.length;
        if (!transposed || shape[0] <= 1 || shape[1] <= 1) { // a transposed vector has the same row-major layout
            for (int done = 0; done < n; ) {
                int m = Math.min(FLOAT_BLOCK, n - done);
                source.next(out, done, m);
                finite &= allFinite(out, done, m);
                done += m;
            }
            return finite;
        }
        int rows = (int) shape[0];
        int columns = (int) shape[1];
        if (columns > FLOAT_BLOCK) { // rows wider than a block: pieces of one row, scattered down a column of out
            float[] piece = new float[FLOAT_BLOCK];
            for (int i = 0; i < rows; i++) {
                for (int j0 = 0; j0 < columns; j0 += FLOAT_BLOCK) {
                    int m = Math.min(FLOAT_BLOCK, columns - j0);
                    source.next(piece, 0, m);
                    finite &= allFinite(piece, 0, m);
                    for (int j = 0; j < m; j++) {
                        out[(j0 + j) * rows + i] = piece[j];
                    }
                }
            }
            return finite;
        }
        int fit = FLOAT_BLOCK / columns;
        int rowsPerBlock = Math.min(rows, fit >= TILE ? fit - fit % TILE : fit);
        float[] block = new float[rowsPerBlock * columns];
        for (int i0 = 0; i0 < rows; i0 += rowsPerBlock) {
            int m = Math.min(rowsPerBlock, rows - i0);
            source.next(block, 0, m * columns);
            finite &= allFinite(block, 0, m * columns);
            for (int a0 = 0; a0 < m; a0 += TILE) {
                int a1 = Math.min(m, a0 + TILE);
                for (int j0 = 0; j0 < columns; j0 += TILE) {
                    int j1 = Math.min(columns, j0 + TILE);
                    for (int j = j0; j < j1; j++) {
                        int base = j * rows + i0;
                        for (int a = a0; a < a1; a++) {
                            out[base + a] = block[a * columns + j];
                        }
                    }
                }
            }
        }
        return finite;
    }

    /** Whether {@code v[from, from + n)} are all finite: |x| ≤ Float.MAX_VALUE fails for NaN and infinities. */
    static boolean allFinite(float[] v, int from, int n) {
        boolean ok = true;
        for (int i = from, end = from + n; i < end; i++) {
            ok &= Math.abs(v[i]) <= Float.MAX_VALUE;
        }
        return ok;
    }

    /** Stored values from little-endian bytes, consumed from {@code b}'s position on. */
    private FloatSource rawSource(ByteBuffer b) {
        return switch (payload.dataType()) {
            case FLOAT -> (dst, from, n) -> {
                b.asFloatBuffer().get(dst, from, n);
                b.position(b.position() + 4 * n);
            };
            case FLOAT16 -> (dst, from, n) -> {
                for (int i = from, end = from + n; i < end; i++) {
                    dst[i] = SixteenBitFloats.float16(b.getShort() & 0xffff);
                }
            };
            default -> (dst, from, n) -> { // BFLOAT16: the high half of a float32
                for (int i = from, end = from + n; i < end; i++) {
                    dst[i] = SixteenBitFloats.bfloat16(b.getShort());
                }
            };
        };
    }

    /** Stored values from the typed fields ({@code float_data}, or {@code int32_data} for the 16-bit types). */
    private FloatSource typedSource(TensorProto tensor) {
        int dataType = payload.dataType();
        int[] next = {0};
        return (dst, from, n) -> {
            int k = next[0];
            for (int i = from, end = from + n; i < end; i++, k++) {
                dst[i] = switch (dataType) {
                    case FLOAT -> tensor.getFloatData(k);
                    case FLOAT16 -> SixteenBitFloats.float16(tensor.getInt32Data(k) & 0xffff);
                    default -> SixteenBitFloats.bfloat16(tensor.getInt32Data(k));
                };
            }
            next[0] = k;
        };
    }
}
