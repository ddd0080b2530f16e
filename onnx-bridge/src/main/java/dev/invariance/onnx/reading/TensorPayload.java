package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.invariance.network.ElementType;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;

/**
 * Where one stored tensor's values live, checked: the typed fields of the {@code TensorProto} ({@code float_data},
 * {@code double_data}, {@code int32_data}, {@code int64_data}), its little-endian {@code raw_data}, or a byte range of
 * an external data file next to the model. Everything that can be checked without reading the values (element type,
 * shape, payload size) is checked when the payload is created, and an external file's location and range were checked
 * when the model was opened ({@link ExternalData}), so a bad file is refused before anything large is allocated. The
 * values are decoded only when asked for, and only this tensor's: widened to doubles by {@link DoubleDecoder}
 * ({@link #read()}, {@link #readLongs()}, {@link #readTransposed}), or float32, float16 and bfloat16 values straight
 * into a float array, as stored or transposed, by {@link FloatDecoder} ({@link #readFloats(float[], boolean)}).
 * Also the table of the ONNX element types this reader decodes: their codes, sizes and names.
 */
final class TensorPayload {
    /** ONNX {@code TensorProto.DataType} codes this reader decodes. */
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int UINT16 = 4;
    static final int INT16 = 5;
    static final int INT32 = 6;
    static final int INT64 = 7;
    static final int FLOAT16 = 10;
    static final int DOUBLE = 11;
    static final int BFLOAT16 = 16;
    static final int UINT4 = 21;
    static final int INT4 = 22;

    /** Largest element count a weight may declare: a Java array of doubles is indexed by int. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16L;

    private final String file;
    private final TensorProto tensor;
    private final long[] shape;
    private final long count;
    private final int dataType;
    /** Where the values are when they are stored externally (checked when the model was opened), else null. */
    private final @Nullable ExternalTensor external;

    private TensorPayload(String file, TensorProto tensor, long[] shape, long count, int dataType,
                          @Nullable ExternalTensor external) {
        this.file = file;
        this.tensor = tensor;
        this.shape = shape;
        this.count = count;
        this.dataType = dataType;
        this.external = external;
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
        if (elementSize(type) == 0 && !isFourBit(type)) {
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
            long bytes = ExternalData.storedBytes(type, count);
            if (found != bytes) {
                throw mismatch(file, name, shape, count, where + ", expected " + bytes);
            }
        } else {
            // 4-bit values are packed two to an int32_data entry, the first in the low nibble
            long entries = isFourBit(type) ? (count + 1) / 2 : count;
            found = typedCount(t, type);
            where = "holds " + found + " values";
            if (found != entries) {
                throw mismatch(file, name, shape, count, where + (entries == count ? "" : ", expected " + entries
                        + " (two 4-bit values to an entry)"));
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

    /** The floating-point type of the stored values, or null for integer types. */
    @Nullable ElementType elementType() {
        return floatType(dataType);
    }

    /** The floating-point type of an ONNX element type code, or null for integer and unknown types. */
    static @Nullable ElementType floatType(int code) {
        return switch (code) {
            case FLOAT -> ElementType.FLOAT32;
            case DOUBLE -> ElementType.FLOAT64;
            case FLOAT16 -> ElementType.FLOAT16;
            case BFLOAT16 -> ElementType.BFLOAT16;
            default -> null;
        };
    }

    /** The tensor as the file stores it (its typed fields or {@code raw_data} hold the values unless external). */
    TensorProto proto() {
        return tensor;
    }

    /** Where the values are when they are stored externally (checked when the model was opened), else null. */
    @Nullable ExternalTensor external() {
        return external;
    }

    /** Whether the values are in an external data file. */
    boolean isExternal() {
        return external != null;
    }

    /**
     * The external bytes, opened for reading front to back.
     *
     * @throws IllegalStateException if the values are not stored externally
     * @throws InvalidModelException if the data file cannot be opened
     */
    ExternalRange openExternal() {
        if (external == null) {
            throw new IllegalStateException("tensor '" + name() + "' is not stored externally");
        }
        return ExternalRange.open(file, name(), external);
    }

    /**
     * Decodes every value, widened exactly to double (integers as their values).
     *
     * @throws InvalidModelException if external data cannot be read in full
     */
    double[] read() {
        return new DoubleDecoder(this).read();
    }

    /** Decodes integer values (for shapes and zero points) exactly. */
    long[] readLongs() {
        return new DoubleDecoder(this).readLongs();
    }

    /**
     * The values of a 2-D tensor ({@code rows × columns} as stored) transposed: entry (j, i) of the result, at
     * {@code j * rows + i}, is stored entry (i, j); external data is scattered into place a block of rows at a time.
     */
    double[] readTransposed(int rows, int columns) {
        return new DoubleDecoder(this).readTransposed(rows, columns);
    }

    /** Whether the stored values are exactly floats (float32, float16, bfloat16), so {@link #readFloats} applies. */
    boolean storesFloats() {
        return dataType == FLOAT || dataType == FLOAT16 || dataType == BFLOAT16;
    }

    /**
     * Decodes every value straight into {@code out} as floats, with no array of doubles on the way, and tells whether
     * all of them are finite ({@link FloatDecoder}). Stored order is kept unless {@code transposed}: then the tensor
     * must be 2-D ({@code rows × columns} as stored) and entry (j, i) of {@code out}, at {@code j * rows + i}, is
     * stored entry (i, j).
     *
     * @param out        {@code count()} floats, overwritten
     * @param transposed whether to write the transpose of a 2-D tensor
     * @return true when every value is finite (neither NaN nor infinite)
     * @throws InvalidModelException if external data cannot be read in full
     */
    boolean readFloats(float[] out, boolean transposed) {
        return new FloatDecoder(this).read(out, transposed);
    }

    private static long typedCount(TensorProto t, int type) {
        return switch (type) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            default -> t.getInt32DataCount();
        };
    }

    /**
     * Bytes per element of the byte-aligned types this reader decodes; 0 for the others (including the 4-bit types,
     * which it decodes packed two to a byte: {@link #isFourBit}).
     */
    static int elementSize(int type) {
        return switch (type) {
            case FLOAT, INT32 -> 4;
            case DOUBLE, INT64 -> 8;
            case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
            case INT8, UINT8 -> 1;
            default -> 0;
        };
    }

    /** Whether {@code type} is {@code INT4} or {@code UINT4}: two values to a byte, the first in the low nibble. */
    static boolean isFourBit(int type) {
        return type == INT4 || type == UINT4;
    }

    /**
     * The bits of one stored integer of {@code type}, or 0 for floating-point and unknown types: the width of a
     * quantised weight.
     */
    static int integerBits(int type) {
        return switch (type) {
            case INT4, UINT4 -> 4;
            case INT8, UINT8 -> 8;
            case INT16, UINT16 -> 16;
            case INT32 -> 32;
            case INT64 -> 64;
            default -> 0;
        };
    }

    /** Whether the integer {@code type} is signed ({@code INT4}, {@code INT8}, …) rather than unsigned. */
    static boolean isSignedInteger(int type) {
        return type == INT4 || type == INT8 || type == INT16 || type == INT32 || type == INT64;
    }

    /** The ONNX name of an element type code, for messages. */
    static String typeName(int type) {
        TensorProto.DataType d = TensorProto.DataType.forNumber(type);
        return d == null ? "code " + type : d.name();
    }
}
