package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.invariance.network.ElementType;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Where one stored tensor's values live and how to decode them: the typed fields of the {@code TensorProto}
 * ({@code float_data}, {@code double_data}, {@code int32_data}, {@code int64_data}), its little-endian
 * {@code raw_data}, or a byte range of an external data file next to the model. Everything that can be checked
 * without reading the values (element type, shape, payload size) is checked when the payload is created, and an
 * external file's location and range were checked when the model was opened ({@link ExternalData}), so a bad file is
 * refused before anything large is allocated; {@link #read()} then decodes
 * only this tensor (external data by positioned reads of just its range), widened to doubles, and
 * {@link #readFloats(float[], boolean)} decodes float32, float16 and bfloat16 values straight into a float array, as
 * stored or transposed.
 */
final class TensorPayload {
    /** ONNX {@code TensorProto.DataType} codes this reader decodes. */
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT32 = 6;
    static final int INT64 = 7;
    static final int FLOAT16 = 10;
    static final int DOUBLE = 11;
    static final int BFLOAT16 = 16;

    /** Largest element count a weight may declare: a Java array of doubles is indexed by int. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16L;

    private static final int CHUNK_BYTES = 1 << 20;
    /** Most values decoded into one block by {@link #readFloats(float[], boolean)} (4 MiB of floats). */
    static final int FLOAT_BLOCK = 1 << 20;
    /** Side of the square tiles the transposing read writes (64 × 64 floats: 16 KiB, within L1). */
    private static final int TILE = 64;

    private final String file;
    private final TensorProto tensor;
    private final long[] shape;
    private final long count;
    private final int dataType;
    /** Where the values are when they are stored externally (checked when the model was opened), else null. */
    private final @Nullable ExternalTensor external;
    private final long externalOffset;

    private TensorPayload(String file, TensorProto tensor, long[] shape, long count, int dataType,
                          @Nullable ExternalTensor external) {
        this.file = file;
        this.tensor = tensor;
        this.shape = shape;
        this.count = count;
        this.dataType = dataType;
        this.external = external;
        this.externalOffset = external == null ? 0 : external.offset();
    }

    /**
     * Checks a stored tensor and records where its values are.
     *
     * @param file      the model file's name for messages
     * @param external  the model's external data, located and checked when it was opened
     * @throws InvalidModelException for unsupported element types, negative or overflowing shapes, payloads of the
     *                               wrong size
     */
    static TensorPayload of(String file, ExternalData external, TensorProto t) {
        String name = t.getName();
        int type = t.getDataType();
        int size = elementSize(type);
        if (size == 0) {
            throw new InvalidModelException(file + ": tensor '" + name + "' has unsupported element type "
                    + typeName(type));
        }
        long[] shape = declaredShape(file, t);
        long count = valueCount(shape);
        if (count > MAX_ELEMENTS) {
            throw new InvalidModelException(file + ": tensor '" + name + "' declares shape " + Arrays.toString(shape)
                    + ", too large to allocate (more than " + MAX_ELEMENTS + " elements)");
        }
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return new TensorPayload(file, t, shape, count, type, external.of(t));
        }
        long found;
        String where;
        if (t.hasRawData()) {
            found = t.getRawData().size();
            where = "raw_data holds " + found + " bytes";
            if (found != count * size) {
                throw mismatch(file, name, shape, count, where + ", expected " + count * size);
            }
        } else {
            found = typedCount(t, type);
            where = "holds " + found + " values";
            if (found != count) {
                throw mismatch(file, name, shape, count, where);
            }
        }
        return new TensorPayload(file, t, shape, count, type, null);
    }

    /**
     * The shape {@code t} declares.
     *
     * @throws InvalidModelException when a dimension is negative
     */
    static long[] declaredShape(String file, TensorProto t) {
        long[] shape = new long[t.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.getDims(i);
            if (shape[i] < 0) {
                throw new InvalidModelException(file + ": tensor '" + t.getName() + "' has a negative dimension in shape "
                        + t.getDimsList());
            }
        }
        return shape;
    }

    /** The number of values of a shape without negative dimensions; {@link Long#MAX_VALUE} when that overflows. */
    static long valueCount(long[] shape) {
        for (long d : shape) {
            if (d == 0) {
                return 0; // an empty tensor, however large its other dimensions
            }
        }
        long count = 1;
        for (long d : shape) {
            if (d != 0 && count > Long.MAX_VALUE / d) {
                return Long.MAX_VALUE;
            }
            count *= d;
        }
        return count;
    }

    static InvalidModelException mismatch(String file, String name, long[] shape, long count, String what) {
        return new InvalidModelException(file + ": tensor '" + name + "' declares shape " + Arrays.toString(shape)
                + " (" + count + " values) but its payload " + what);
    }

    /** The declared shape (a fresh copy). */
    long[] shape() {
        return shape.clone();
    }

    /** Number of values. */
    long count() {
        return count;
    }

    /** The ONNX element type code. */
    int dataType() {
        return dataType;
    }

    /** The tensor's name in the file. */
    String name() {
        return tensor.getName();
    }

    /** Whether the values are floating point (weights) rather than integers (quantised values, shapes). */
    boolean isFloatingPoint() {
        return dataType == FLOAT || dataType == DOUBLE || dataType == FLOAT16 || dataType == BFLOAT16;
    }

    /** The floating-point type of the stored values, or null for integer types. */
    @Nullable ElementType elementType() {
        return switch (dataType) {
            case FLOAT -> ElementType.FLOAT32;
            case DOUBLE -> ElementType.FLOAT64;
            case FLOAT16 -> ElementType.FLOAT16;
            case BFLOAT16 -> ElementType.BFLOAT16;
            default -> null;
        };
    }

    /**
     * Decodes every value, widened exactly to double (integers as their values).
     *
     * @throws InvalidModelException if external data cannot be read in full
     */
    double[] read() {
        double[] out = new double[(int) count];
        if (external != null) {
            readExternal(out);
        } else if (tensor.hasRawData()) {
            decode(tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN), out, 0, out.length);
        } else {
            readTyped(out);
        }
        return out;
    }

    /** Decodes integer values (for shapes and zero points) exactly. */
    long[] readLongs() {
        if (dataType == INT64 && external == null && !tensor.hasRawData()) {
            long[] out = new long[(int) count];
            for (int i = 0; i < out.length; i++) {
                out[i] = tensor.getInt64Data(i);
            }
            return out;
        }
        if (dataType == INT64 && external == null) {
            ByteBuffer b = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long[] out = new long[(int) count];
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
                    out[i] = halfToFloat(tensor.getInt32Data(i) & 0xffff);
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((tensor.getInt32Data(i) & 0xffff) << 16);
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

    private void readExternal(double[] out) {
        int size = elementSize(dataType);
        int perChunk = Math.max(1, CHUNK_BYTES / size);
        ByteBuffer buf = ByteBuffer.allocateDirect(perChunk * size).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = external.open()) {
            long position = externalOffset;
            int done = 0;
            while (done < out.length) {
                int n = Math.min(perChunk, out.length - done);
                position = fill(ch, buf, position, n * size);
                decode(buf, out, done, n);
                done += n;
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /**
     * The values of a 2-D tensor ({@code rows × columns} as stored) transposed: entry (j, i) of the result, at
     * {@code j * rows + i}, is stored entry (i, j). External data is read a block of rows at a time and scattered
     * into place, so no second full-size array is needed.
     */
    double[] readTransposed(int rows, int columns) {
        if (external == null || rows == 0 || columns == 0 || (long) columns * elementSize(dataType) > CHUNK_BYTES * 64L) {
            return RowMajor.transpose2d(read(), rows, columns);
        }
        int size = elementSize(dataType);
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, CHUNK_BYTES / ((long) columns * size)));
        ByteBuffer buf = ByteBuffer.allocateDirect(rowsPerChunk * columns * size).order(ByteOrder.LITTLE_ENDIAN);
        double[] block = new double[rowsPerChunk * columns];
        double[] out = new double[rows * columns];
        try (FileChannel ch = external.open()) {
            long position = externalOffset;
            for (int i0 = 0; i0 < rows; i0 += rowsPerChunk) {
                int m = Math.min(rowsPerChunk, rows - i0);
                position = fill(ch, buf, position, m * columns * size);
                decode(buf, block, 0, m * columns);
                for (int j = 0; j < columns; j++) {
                    int base = j * rows + i0;
                    for (int i = 0; i < m; i++) {
                        out[base + i] = block[i * columns + j];
                    }
                }
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
        return out;
    }

    /** Whether the stored values are exactly floats (float32, float16, bfloat16), so {@link #readFloats} applies. */
    boolean storesFloats() {
        return dataType == FLOAT || dataType == FLOAT16 || dataType == BFLOAT16;
    }

    /**
     * Decodes every value straight into {@code out} as floats (exact: float16 and bfloat16 widen exactly), with no
     * array of doubles on the way, and tells whether all of them are finite. Stored order is kept unless
     * {@code transposed}: then the tensor must be 2-D ({@code rows × columns} as stored) and entry (j, i) of
     * {@code out}, at {@code j * rows + i}, is stored entry (i, j). The values are decoded a block of stored rows at a
     * time (float32 bytes by bulk copy), checked while the block is in cache, and the block is written into place in
     * square tiles; external data is read by positioned reads of 1 MiB, so besides {@code out} only the block of at
     * most {@link #FLOAT_BLOCK} floats and the 1 MiB read buffer are allocated.
     *
     * @param out        {@code count()} floats, overwritten
     * @param transposed whether to write the transpose of a 2-D tensor
     * @return true when every value is finite (neither NaN nor infinite)
     * @throws InvalidModelException if external data cannot be read in full
     */
    boolean readFloats(float[] out, boolean transposed) {
        if (!storesFloats() || out.length != count || (transposed && shape.length != 2)) {
            throw new IllegalStateException("readFloats on " + typeName(dataType) + " " + Arrays.toString(shape));
        }
        if (external == null) {
            FloatSource source = tensor.hasRawData()
                    ? rawSource(tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN))
                    : typedSource();
            return readFloats(source, out, transposed);
        }
        int size = elementSize(dataType);
        int perRead = (int) Math.min(CHUNK_BYTES / size, Math.max(1, count));
        ByteBuffer buf = ByteBuffer.allocateDirect(perRead * size).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = external.open()) {
            FloatSource raw = rawSource(buf);
            long[] position = {externalOffset};
            return readFloats((dst, from, n) -> {
                for (int done = 0; done < n; ) {
                    int k = Math.min(perRead, n - done);
                    try {
                        position[0] = fill(ch, buf, position[0], k * size);
                    } catch (IOException e) {
                        throw unreadable(e);
                    }
                    raw.next(dst, from + done, k);
                    done += k;
                }
            }, out, transposed);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** The next {@code n} stored values, in stored order, as floats into {@code dst[from, from + n)}. */
    @FunctionalInterface
    private interface FloatSource {
        void next(float[] dst, int from, int n);
    }

    private boolean readFloats(FloatSource source, float[] out, boolean transposed) {
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
    private static boolean allFinite(float[] v, int from, int n) {
        boolean ok = true;
        for (int i = from, end = from + n; i < end; i++) {
            ok &= Math.abs(v[i]) <= Float.MAX_VALUE;
        }
        return ok;
    }

    /** Stored values from little-endian bytes, consumed from {@code b}'s position on. */
    private FloatSource rawSource(ByteBuffer b) {
        return switch (dataType) {
            case FLOAT -> (dst, from, n) -> {
                b.asFloatBuffer().get(dst, from, n);
                b.position(b.position() + 4 * n);
            };
            case FLOAT16 -> (dst, from, n) -> {
                for (int i = from, end = from + n; i < end; i++) {
                    dst[i] = halfToFloat(b.getShort() & 0xffff);
                }
            };
            default -> (dst, from, n) -> { // BFLOAT16: the high half of a float32
                for (int i = from, end = from + n; i < end; i++) {
                    dst[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                }
            };
        };
    }

    /** Stored values from the typed fields ({@code float_data}, or {@code int32_data} for the 16-bit types). */
    private FloatSource typedSource() {
        int[] next = {0};
        return (dst, from, n) -> {
            int k = next[0];
            for (int i = from, end = from + n; i < end; i++, k++) {
                dst[i] = switch (dataType) {
                    case FLOAT -> tensor.getFloatData(k);
                    case FLOAT16 -> halfToFloat(tensor.getInt32Data(k) & 0xffff);
                    default -> Float.intBitsToFloat((tensor.getInt32Data(k) & 0xffff) << 16);
                };
            }
            next[0] = k;
        };
    }

    /** Reads exactly {@code bytes} bytes at {@code position} into {@code buf}, flipped for reading. */
    private long fill(FileChannel ch, ByteBuffer buf, long position, int bytes) throws IOException {
        buf.clear().limit(bytes);
        while (buf.hasRemaining()) {
            int r = ch.read(buf, position);
            if (r < 0) {
                throw new InvalidModelException(file + ": external data file '" + external.file().getFileName()
                        + "' of tensor '" + name() + "' ended early (it changed while being read?)");
            }
            position += r;
        }
        buf.flip();
        return position;
    }

    private InvalidModelException unreadable(IOException e) {
        return new InvalidModelException(file + ": cannot read external data of tensor '" + name() + "' from '"
                + external.file().getFileName() + "' (" + e.getClass().getSimpleName() + ")", e);
    }

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
                    out[i] = halfToFloat(b.getShort() & 0xffff);
                }
            }
            case BFLOAT16 -> {
                for (int i = from; i < end; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
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

    /** IEEE binary16 bits to the float of the same value (exact). */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static long typedCount(TensorProto t, int type) {
        return switch (type) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            default -> t.getInt32DataCount();
        };
    }

    /** Bytes per element of the types this reader decodes; 0 for the others. */
    static int elementSize(int type) {
        return switch (type) {
            case FLOAT, INT32 -> 4;
            case DOUBLE, INT64 -> 8;
            case FLOAT16, BFLOAT16 -> 2;
            case INT8, UINT8 -> 1;
            default -> 0;
        };
    }

    /** The ONNX name of an element type code, for messages. */
    static String typeName(int type) {
        TensorProto.DataType d = TensorProto.DataType.forNumber(type);
        return d == null ? "code " + type : d.name();
    }
}
