package dev.invariance.onnx.reading;

import dev.invariance.network.ElementType;
import dev.invariance.network.WeightPanels;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A layer's stored weight read in tiles straight from its bytes ({@link WeightPanels}): an external data file, tiles
 * of whole rows by positional reads ({@link FileChannel#read(ByteBuffer, long)}, through a {@value #STAGING_BYTES}-byte
 * buffer per thread) and narrower tiles through a read-only mapping ({@link FileChannel#map}, in chunks of whole rows
 * below 1 GiB, each mapped when first read and unmapped on {@link #release()} and {@link #close()}), or the
 * tensor's {@code raw_data}, which the parsed model already holds. Each tile is decoded to float32 as it is asked
 * for: float32 by bulk copy, float16 by a table of its 65,536 values, bfloat16 by a shift, int8/uint8 dequantised as
 * {@link ConstantTensor.Dequantize} computes it ({@code (q − zero_point) · scale}, per tensor, per row or column, or in
 * blocks along an axis, rounded to float). A NaN or infinite value is refused naming the tensor and the element, as
 * {@link LayerPlan#load} does.
 */
final class StoredPanels implements WeightPanels {
    /** Largest mapped chunk: whole rows of at most 1 GiB (a mapping is indexed by int). */
    static final long CHUNK_BYTES = 1L << 30;
    private static final float[] FLOAT16 = new float[1 << 16];
    /**
     * Bytes of the buffer, one per reading thread, through which whole rows of an external tensor are read with
     * positional reads instead of through the mapping: on this project's machine a virtual machine's first touch of
     * each mapped page costs more than the copy (rows read through a mapping at 2.0–2.5 GB/s, through positional
     * reads of 1 MiB at 11 GB/s, from the page cache). Column stripes (wide layers) still read the mapping: a stripe
     * of a row is too short for a read call of its own.
     */
    static final int STAGING_BYTES = ExternalRange.CHUNK_BYTES;
    private static final ThreadLocal<Chunk> STAGING =
            ThreadLocal.withInitial(() -> Chunk.of(ByteBuffer.allocateDirect(STAGING_BYTES)));

    static {
        for (int h = 0; h < FLOAT16.length; h++) {
            FLOAT16[h] = SixteenBitFloats.float16(h);
        }
    }

    private final String file;
    private final String tensor;
    private final int p;
    private final int q;
    private final boolean transposed;
    private final double scale;
    private final ElementType type;
    private final int dataType;
    private final int size;
    /** Rows of S per chunk, and the chunks mapped so far (null where not mapped now). */
    private final int chunkRows;
    private final AtomicReferenceArray<@Nullable Chunk> chunks;
    private final @Nullable ExternalTensor external;
    private final @Nullable FileChannel channel;
    /** The tensor's raw_data when it is not external. */
    private final @Nullable ByteBuffer raw;
    private final @Nullable Dequantization dequantization;
    private volatile boolean closed;

    /**
     * How integers become weights: {@code (q − zeroPoint[k]) · scale[k]}, k the index of element (i, j) of S in the
     * scale's own layout: 0 per tensor; i (axis 0) or j (axis 1) per axis; {@code (i / block)·q + j} (axis 0) or
     * {@code i·⌈q / block⌉ + j / block} (axis 1) when blocked.
     */
    record Dequantization(double[] scale, double[] zeroPoint, int axis, int block, boolean signed) {
        /** Where element (i, j) of S finds its parameters (when they are not a single number). */
        int index(int i, int j, int q) {
            if (block == 0) {
                return axis == 0 ? i : j;
            }
            return axis == 0 ? (i / block) * q + j : i * ((q + block - 1) / block) + j / block;
        }

        /** The weight of stored integer v at parameter index k. */
        double value(int v, int k) {
            return (v - zeroPoint[zeroPoint.length == 1 ? 0 : k]) * scale[scale.length == 1 ? 0 : k];
        }
    }

    /**
     * One chunk's bytes (little-endian, absolute reads only: shared by threads) and their views as floats or 16-bit
     * values for bulk reads.
     */
    private record Chunk(ByteBuffer bytes, FloatBuffer floats, ShortBuffer shorts) {
        static Chunk of(ByteBuffer bytes) {
            ByteBuffer b = bytes.order(ByteOrder.LITTLE_ENDIAN);
            return new Chunk(b, b.asFloatBuffer(), b.asShortBuffer());
        }
    }

    private StoredPanels(String file, String tensor, int p, int q, boolean transposed, double scale, ElementType type,
                         int dataType, int chunkRows, @Nullable ByteBuffer raw, @Nullable ExternalTensor external,
                         @Nullable FileChannel channel, @Nullable Dequantization dequantization) {
        this.file = file;
        this.tensor = tensor;
        this.p = p;
        this.q = q;
        this.transposed = transposed;
        this.scale = scale;
        this.type = type;
        this.dataType = dataType;
        this.size = TensorPayload.elementSize(dataType);
        this.chunkRows = chunkRows;
        this.chunks = new AtomicReferenceArray<>((p + chunkRows - 1) / chunkRows);
        this.raw = raw;
        this.external = external;
        this.channel = channel;
        this.dequantization = dequantization;
    }

    /**
     * Panels of {@code payload} seen as a p × q row-major matrix S, with {@code W = scale·S} (or its transpose).
     *
     * @param type the layer's precision (the dequantisation's for integers)
     * @throws InvalidModelException when the external data file cannot be mapped
     */
    static StoredPanels of(String file, TensorPayload payload, int p, int q, boolean transposed, double scale,
                           ElementType type, @Nullable Dequantization dequantization) {
        int dataType = payload.dataType();
        long rowBytes = (long) q * TensorPayload.elementSize(dataType);
        int chunkRows = (int) Math.max(1, Math.min(p, CHUNK_BYTES / Math.max(1, rowBytes)));
        ExternalTensor external = payload.external();
        if (external == null) {
            ByteBuffer raw = payload.proto().getRawData().asReadOnlyByteBuffer();
            return new StoredPanels(file, payload.name(), p, q, transposed, scale, type, dataType, chunkRows, raw,
                    null, null, dequantization);
        }
        FileChannel channel = null;
        try {
            channel = external.open();
            StoredPanels panels = new StoredPanels(file, payload.name(), p, q, transposed, scale, type, dataType,
                    chunkRows, null, external, channel, dequantization);
            panels.chunk(0); // a file that cannot be mapped is refused now, not at the first product
            return panels;
        } catch (InvalidModelException e) {
            closeQuietly(channel);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw new InvalidModelException(file + ": cannot map external data of tensor '" + payload.name()
                    + "' from '" + external.file().getFileName() + "' (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Chunk c, mapped (or sliced from raw_data) now if it is not. */
    private Chunk chunk(int c) {
        Chunk chunk = chunks.get(c);
        if (chunk != null) {
            return chunk;
        }
        synchronized (chunks) {
            chunk = chunks.get(c);
            if (chunk == null) {
                chunk = Chunk.of(slice(c));
                chunks.set(c, chunk);
            }
            return chunk;
        }
    }

    private ByteBuffer slice(int c) {
        long rowBytes = (long) q * size;
        long from = c * (long) chunkRows * rowBytes;
        long to = Math.min(p, (long) (c + 1) * chunkRows) * rowBytes;
        ByteBuffer bytes = raw;
        if (bytes != null) {
            return bytes.duplicate().position((int) from).limit((int) to).slice();
        }
        ExternalTensor e = java.util.Objects.requireNonNull(external);
        FileChannel mapped = java.util.Objects.requireNonNull(channel);
        try {
            requireLength(mapped, e.offset() + to);
            return mapped.map(FileChannel.MapMode.READ_ONLY, e.offset() + from, to - from);
        } catch (IOException | RuntimeException ex) {
            if (ex instanceof InvalidModelException refused) {
                throw refused;
            }
            throw new InvalidModelException(file + ": cannot map external data of tensor '" + tensor + "' from '"
                    + e.file().getFileName() + "' (" + ex.getClass().getSimpleName() + ")", ex);
        }
    }

    /**
     * Unmaps the chunks mapped so far (they are mapped again when next read): the pages of a mapping count in the
     * process's resident memory while it lives. Only while no read runs.
     */
    @Override
    public void release() {
        if (channel == null) {
            return;
        }
        synchronized (chunks) {
            for (int c = 0; c < chunks.length(); c++) {
                Chunk chunk = chunks.getAndSet(c, null);
                if (chunk != null && chunk.bytes() instanceof MappedByteBuffer mapped) {
                    Cleaner.invoke(mapped);
                }
            }
        }
    }

    @Override
    public int storedRows() {
        return p;
    }

    @Override
    public int storedColumns() {
        return q;
    }

    @Override
    public boolean isTransposed() {
        return transposed;
    }

    @Override
    public double getScale() {
        return scale;
    }

    @Override
    public ElementType getElementType() {
        return type;
    }

    @Override
    public void read(int row, int rows, int column, int columns, float[] dst, int offset) {
        if (closed) {
            throw new IllegalStateException("panels of tensor '" + tensor + "' read after close");
        }
        if (row < 0 || column < 0 || rows < 0 || columns < 0 || offset < 0 || row + rows > p || column + columns > q
                || offset + (long) rows * columns > dst.length) {
            throw new IndexOutOfBoundsException("tile [" + row + ", +" + rows + ") x [" + column + ", +" + columns
                    + ") of a " + p + " x " + q + " matrix into " + dst.length + " floats from " + offset);
        }
        boolean sixteen = dataType == TensorPayload.FLOAT16 || dataType == TensorPayload.BFLOAT16;
        short[] halves = new short[sixteen ? columns : 0];
        byte[] bytes = new byte[dequantization != null ? columns : 0];
        long rowBytes = (long) q * size;
        if (channel != null && columns == q && rowBytes <= STAGING_BYTES) {
            // whole rows are one contiguous range of the file: read it, a staging buffer at a time
            Chunk staging = STAGING.get();
            int perRead = (int) (STAGING_BYTES / rowBytes);
            for (int i0 = 0; i0 < rows; i0 += perRead) {
                int m = Math.min(perRead, rows - i0);
                ExternalRange.readAt(file, tensor, java.util.Objects.requireNonNull(external), channel,
                        (row + i0) * rowBytes, staging.bytes(), (int) (m * rowBytes));
                for (int i = 0; i < m; i++) {
                    decodeRow(staging, i * q, row + i0 + i, 0, columns, halves, bytes, dst,
                            offset + (i0 + i) * columns);
                }
            }
            return;
        }
        for (int i = 0; i < rows; i++) {
            int r = row + i;
            decodeRow(chunk(r / chunkRows), (r % chunkRows) * q + column, r, column, columns, halves, bytes, dst,
                    offset + i * columns);
        }
    }

    /**
     * Refuses a data file shorter than {@code needed} bytes (it shrank since the model was opened, as when another
     * process rewrites it), naming the tensor, the file and both lengths; a mapping read past the end of its file
     * would crash the virtual machine instead.
     */
    private void requireLength(FileChannel c, long needed) throws IOException {
        long size = c.size();
        if (size < needed) {
            throw new InvalidModelException(file + ": external data of tensor '" + tensor + "' ends early in '"
                    + java.util.Objects.requireNonNull(external).file().getFileName() + "' (" + size
                    + " bytes, the tensor needs " + needed + "; the file changed after the model was opened)");
        }
    }

    /**
     * Row r of S, columns [column, column + columns), from {@code chunk}'s elements from {@code index} on, decoded into
     * {@code dst} from {@code at} ({@code halves} and {@code bytes}: scratch of at least {@code columns} where the
     * type needs them).
     */
    private void decodeRow(Chunk chunk, int index, int r, int column, int columns, short[] halves, byte[] bytes,
                           float[] dst, int at) {
        // the 16-bit types' non-finite values have an all-ones exponent: told from the bits while converting
        boolean finite = switch (dataType) {
            case TensorPayload.FLOAT -> {
                chunk.floats().get(index, dst, at, columns);
                yield FloatDecoder.allFinite(dst, at, columns);
            }
            case TensorPayload.FLOAT16 -> {
                chunk.shorts().get(index, halves, 0, columns);
                int special = 0;
                for (int j = 0; j < columns; j++) {
                    int h = halves[j] & 0xffff;
                    special |= (h & 0x7c00) == 0x7c00 ? 1 : 0;
                    dst[at + j] = FLOAT16[h];
                }
                yield special == 0;
            }
            case TensorPayload.BFLOAT16 -> {
                chunk.shorts().get(index, halves, 0, columns);
                int special = 0;
                for (int j = 0; j < columns; j++) {
                    int h = halves[j];
                    special |= (h & 0x7f80) == 0x7f80 ? 1 : 0;
                    dst[at + j] = Float.intBitsToFloat(h << 16);
                }
                yield special == 0;
            }
            default -> {
                dequantise(chunk.bytes(), index, r, column, columns, bytes, dst, at);
                yield FloatDecoder.allFinite(dst, at, columns);
            }
        };
        if (!finite) {
            for (int j = 0; j < columns; j++) {
                if (!(Math.abs(dst[at + j]) <= Float.MAX_VALUE)) {
                    long element = (long) r * q + column + j;
                    throw new InvalidModelException(file + ": tensor '" + tensor + "' holds "
                            + (Float.isNaN(dst[at + j]) ? "NaN" : "an infinite value") + " (element " + element
                            + ")");
                }
            }
        }
    }

    private void dequantise(ByteBuffer chunk, int index, int r, int column, int columns, byte[] bytes, float[] dst,
                            int at) {
        Dequantization d = dequantization;
        if (d == null) {
            throw new IllegalStateException("integer tensor '" + tensor + "' without its dequantisation");
        }
        chunk.get(index, bytes, 0, columns);
        for (int j = 0; j < columns; j++) {
            int k = d.index(r, column + j, q);
            int v = d.signed() ? bytes[j] : bytes[j] & 0xff;
            dst[at + j] = (float) d.value(v, k);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        release();
        closed = true;
        closeQuietly(channel);
    }

    private static void closeQuietly(@Nullable FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing was written: a failure to close a read-only channel loses nothing
            }
        }
    }

    /** The JDK's way to unmap a mapped buffer at once, found once. */
    private static final class Cleaner {
        private static final @Nullable Object UNSAFE = find();

        private static @Nullable Object find() {
            try {
                Class<?> c = Class.forName("sun.misc.Unsafe");
                Field f = c.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                return f.get(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        static void invoke(MappedByteBuffer b) {
            Object unsafe = UNSAFE;
            if (unsafe == null) {
                return;
            }
            try {
                unsafe.getClass().getMethod("invokeCleaner", ByteBuffer.class).invoke(unsafe, b);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the collector
            }
        }
    }
}
