package dev.invariance.data;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

/**
 * Labelled examples stored one per NumPy {@code .npy} file in a folder, for inputs where a CSV row is absurd (an image,
 * a token sequence): a labels file, a CSV read by {@link CsvExampleReader} (UTF-8, a header row), names each example's
 * file in its column {@value #FILE_COLUMN} and its class in a label column; other columns are skipped. Streaming: one
 * file at a time, its values read straight into the caller's buffer.
 * <p>
 * Every file and header is untrusted input. A file name must be a plain name ending in {@code .npy} (no folder, no
 * {@code ..}), of a regular file inside the folder after resolving symbolic links. Its header is checked before
 * anything is read from it ({@code NpyHeader}: format 1.0 to 3.0, a header of at most 64 KiB, a simple element type
 * float32, float64, int32 or int64 in either byte order, C order, at most 32 axes, the data filling the rest of the file
 * exactly); a file's values are read only into a buffer the caller sized for one example, never into one sized from the
 * header. Floating-point values must be finite (and, read as float32, within its range); integers read as int32 must
 * fit it. Every problem is an {@link InvalidDataException} with one line naming the labels file's line or the
 * {@code .npy} file.
 */
public final class NpyExamples implements AutoCloseable {
    /** The labels file's column naming each example's {@code .npy} file. */
    public static final String FILE_COLUMN = "file";
    /** Bytes read from a file at a time. */
    private static final int CHUNK_BYTES = 1 << 16;

    private final Path folder;
    private final Path realFolder;
    private final CsvExampleReader labels;
    private final int fileColumn;
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
    private @Nullable Path file;
    private @Nullable FileChannel channel;
    private @Nullable NpyHeader header;

    private NpyExamples(Path folder, Path realFolder, CsvExampleReader labels, int fileColumn) {
        this.folder = folder;
        this.realFolder = realFolder;
        this.labels = labels;
        this.fileColumn = fileColumn;
    }

    /**
     * Opens the labels file {@code labelsFile} of the examples in {@code folder} and reads its header.
     *
     * @param labelColumn the labels file's column of class labels
     * @throws InvalidDataException for a folder that is not one, a missing, unreadable or empty labels file, or one
     *                              without the column {@value #FILE_COLUMN} or {@code labelColumn}
     */
    public static NpyExamples open(Path folder, Path labelsFile, String labelColumn) {
        if (!Files.isDirectory(folder)) {
            throw new InvalidDataException(folder + ": not a folder");
        }
        Path real;
        try {
            real = folder.toRealPath();
        } catch (IOException e) {
            throw new InvalidDataException(folder + ": cannot resolve (" + e.getClass().getSimpleName() + ")", e);
        }
        CsvExampleReader reader = CsvExampleReader.open(labelsFile, labelColumn, List.of(), warning -> { });
        int column = reader.getColumns().indexOf(FILE_COLUMN);
        if (column < 0) {
            reader.close();
            throw new InvalidDataException(labelsFile + ": line 1: no column '" + FILE_COLUMN + "' naming each "
                    + "example's .npy file (columns: " + String.join(", ", reader.getColumns().subList(0,
                    Math.min(20, reader.getColumns().size()))) + ")");
        }
        return new NpyExamples(folder, real, reader, column);
    }

    /**
     * The distinct labels of {@code labelColumn} in the labels file, checking each row's cell count and label, as
     * {@link CsvExampleReader#labelValues} does.
     */
    public static Set<String> labelValues(Path labelsFile, String labelColumn) {
        return CsvExampleReader.labelValues(labelsFile, labelColumn);
    }

    /**
     * Moves to the next example: reads the labels file's next row, finds its file and checks the file's header.
     *
     * @return false after the last row
     * @throws InvalidDataException for a bad row, a file name that is not a plain {@code .npy} name in the folder, a
     *                              missing file, or a header that is not a valid {@code .npy} header
     */
    public boolean next() {
        closeFile();
        if (!labels.next()) {
            return false;
        }
        Path path = resolve(labels.text(fileColumn));
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            channel = ch;
            file = path;
            header = NpyHeader.read(path.toString(), ch, ch.size());
        } catch (IOException e) {
            throw new InvalidDataException(path + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
        return true;
    }

    /** The plain name {@code name} in the folder, checked; messages point at the labels file's cell. */
    private Path resolve(String name) {
        String where = labels.where(fileColumn);
        boolean plain = !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
                && name.indexOf('\\') < 0 && name.chars().noneMatch(c -> c < ' ' || c == 0x7f);
        if (!plain || !name.endsWith(".npy")) {
            throw new InvalidDataException(where + ": '" + CsvRecordReader.shown(name) + "' is not the name of a .npy"
                    + " file in " + folder + " (a plain name ending in .npy, no folder, no '..')");
        }
        Path path;
        try {
            path = folder.resolve(name);
        } catch (InvalidPathException e) {
            throw new InvalidDataException(where + ": '" + CsvRecordReader.shown(name) + "' is not a file name", e);
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidDataException(where + ": no file '" + CsvRecordReader.shown(name) + "' in " + folder);
        }
        try {
            Path real = path.toRealPath();
            if (!real.startsWith(realFolder)) {
                throw new InvalidDataException(where + ": '" + CsvRecordReader.shown(name) + "' leads outside "
                        + folder + " through a symbolic link");
            }
            if (!Files.isRegularFile(real)) {
                throw new InvalidDataException(where + ": '" + CsvRecordReader.shown(name) + "' is not a regular file");
            }
        } catch (IOException e) {
            throw new InvalidDataException(where + ": cannot resolve '" + CsvRecordReader.shown(name) + "' ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        return path;
    }

    /** The current example's label, trimmed ({@link CsvExampleReader#label()}). */
    public String label() {
        return labels.label();
    }

    /** The current example's label, which must be one of {@code classes} ({@link CsvExampleReader#label(Set)}). */
    public String label(Set<String> classes) {
        return labels.label(classes);
    }

    /** Examples moved to so far. */
    public long getRows() {
        return labels.getRows();
    }

    /** The current example's file. */
    public Path getFile() {
        return current().file;
    }

    /** The current example's shape as its header declares it (C order). */
    public List<Long> getShape() {
        return current().header.shape();
    }

    /** The current example's element type in NumPy's words: {@code float32}, {@code float64}, {@code int32} or {@code int64}. */
    public String getElementType() {
        return current().header.type().numpyName;
    }

    /**
     * Reads the current example's values, row-major, into {@code into} as float32 (from its position, advancing it):
     * float32 values as they are, float64 values rounded to float32.
     *
     * @throws InvalidDataException naming the file for integer values, more values than {@code into} has room for,
     *                              a value that is NaN or infinite or beyond the float32 range, or a file that
     *                              changed while being read
     */
    public void read(FloatBuffer into) {
        read(into, "float32", NpyHeader.ElementType.FLOAT32, NpyHeader.ElementType.FLOAT64);
    }

    /**
     * Reads the current example's values into {@code into} as int32 (from its position, advancing it): int32 values as
     * they are, int64 values that fit int32.
     *
     * @throws InvalidDataException naming the file for floating-point values, more values than {@code into} has room
     *                              for, an int64 value outside the int32 range, or a file that changed while being read
     */
    public void read(IntBuffer into) {
        read(into, "int32", NpyHeader.ElementType.INT32, NpyHeader.ElementType.INT64);
    }

    /**
     * Reads the current example's values into {@code into} as int64 (from its position, advancing it): int64 and int32
     * values.
     *
     * @throws InvalidDataException naming the file for floating-point values, more values than {@code into} has room
     *                              for, or a file that changed while being read
     */
    public void read(LongBuffer into) {
        read(into, "int64", NpyHeader.ElementType.INT64, NpyHeader.ElementType.INT32);
    }

    private record Current(Path file, FileChannel channel, NpyHeader header) {
    }

    private Current current() {
        Path f = file;
        FileChannel ch = channel;
        NpyHeader h = header;
        if (f == null || ch == null || h == null) {
            throw new IllegalStateException("no current example: call next() first");
        }
        return new Current(f, ch, h);
    }

    private void read(Buffer into, String target, NpyHeader.ElementType... accepted) {
        Current c = current();
        NpyHeader h = c.header;
        if (h.type() != accepted[0] && h.type() != accepted[1]) {
            throw new InvalidDataException(c.file + ": holds " + h.type().numpyName + " values; a " + target
                    + " input takes " + accepted[0].numpyName + " or " + accepted[1].numpyName + " arrays");
        }
        long values = h.values();
        if (values > into.remaining()) {
            throw new InvalidDataException(c.file + ": holds " + values + " values (" + h.describe() + "), more than "
                    + "the " + into.remaining() + " of one example");
        }
        long position = h.dataOffset();
        long index = 0;
        try {
            while (index < values) {
                chunk.clear();
                chunk.limit((int) Math.min(chunk.capacity(), (values - index) * h.type().bytes));
                while (chunk.hasRemaining()) {
                    int n = c.channel.read(chunk, position);
                    if (n < 0) {
                        throw new InvalidDataException(c.file + ": ended early (it changed while being read?)");
                    }
                    position += n;
                }
                chunk.flip().order(h.order());
                int count = chunk.remaining() / h.type().bytes;
                for (int k = 0; k < count; k++, index++) {
                    put(c, into, h, index);
                }
            }
        } catch (IOException e) {
            throw new InvalidDataException(c.file + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Converts the chunk's next value (value {@code index} of the file) into {@code into}, checking it. */
    private void put(Current c, Buffer into, NpyHeader h, long index) {
        switch (h.type()) {
            case FLOAT32, FLOAT64 -> {
                double v = h.type() == NpyHeader.ElementType.FLOAT32 ? chunk.getFloat() : chunk.getDouble();
                float f = (float) v;
                if (!Float.isFinite(f)) {
                    throw new InvalidDataException(c.file + ": value " + index + " " + at(h, index) + " is "
                            + (Double.isFinite(v) ? v + ", beyond the float32 range" : v));
                }
                ((FloatBuffer) into).put(f);
            }
            default -> {
                long v = h.type() == NpyHeader.ElementType.INT32 ? chunk.getInt() : chunk.getLong();
                if (into instanceof IntBuffer ints) {
                    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                        throw new InvalidDataException(c.file + ": value " + index + " " + at(h, index) + " is " + v
                                + ", outside the int32 range");
                    }
                    ints.put((int) v);
                } else {
                    ((LongBuffer) into).put(v);
                }
            }
        }
    }

    /** The multi-index of flat index {@code index} in the header's shape: {@code [0, 2, 5, 1]}. */
    private static String at(NpyHeader h, long index) {
        List<Long> shape = h.shape();
        long[] idx = new long[shape.size()];
        long rest = index;
        for (int a = shape.size() - 1; a >= 0; a--) {
            idx[a] = rest % shape.get(a);
            rest /= shape.get(a);
        }
        return java.util.Arrays.toString(idx);
    }

    private void closeFile() {
        FileChannel ch = channel;
        channel = null;
        file = null;
        header = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only: nothing is lost
            }
        }
    }

    /** Closes the labels file and the current example's file. */
    @Override
    public void close() {
        closeFile();
        labels.close();
    }
}
