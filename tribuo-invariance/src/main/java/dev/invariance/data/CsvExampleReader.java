package dev.invariance.data;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The one reader of labelled CSV files, for training, the in-memory analyzer and the ONNX Runtime path alike: a
 * header row naming the columns, one label column, every other column numeric. It streams: only the current row is
 * held, so files larger than memory can be read, and no row may be longer than {@link #MAX_RECORD_CHARS} characters
 * or have more than {@link #MAX_COLUMNS} cells (less with a small heap, so that a refusal is one line rather than
 * {@code OutOfMemoryError}).
 * <p>
 * Format: UTF-8 (a byte-order mark is dropped), comma separated, RFC 4180 double-quote quoting (a quoted cell may
 * hold commas, line breaks and doubled quotes), {@code \n}, {@code \r\n} or {@code \r} line ends, empty lines skipped.
 * Cells are trimmed. A number is written in decimal ({@code 1e5}, {@code -0.5}, {@code +3}, {@code .5}); hexadecimal
 * and Java suffixes ({@code 0x1p3}, {@code 2d}, {@code 1.5f}), {@code NaN}, {@code Infinity} and values beyond the
 * range of the type read ({@code 1e400}; {@code 1e39} as float32) are refused. Read as integers (for an int32 or
 * int64 model input, such as token ids) a cell must be a whole number: {@code [+-]digits}, optionally with a point and
 * zeros ({@code 7.0}), within the type's range.
 * <p>
 * The features are the columns other than the label, in file order; or, when a model's feature names are given,
 * those columns in the model's order (every one must be there; other columns are reported in one warning line and
 * skipped unread). Every problem is an {@link InvalidDataException} with one line naming the file, the line (lines
 * counted from 1 as an editor shows them) and, where it applies, the column by name and 1-based position, for example
 * {@code data.csv: line 7, column 'x3' (3): 'abc' is not a number}. After a refusal the reader is done.
 */
public final class CsvExampleReader implements AutoCloseable {
    /**
     * The longest row (record) read, in characters: 8 Mi (8,388,608; a 16 MiB buffer), some two thousand times a
     * 784-pixel image's row. With a Java heap under 64 MB the limit is an eighth of the heap.
     */
    public static final int MAX_RECORD_CHARS = 8 << 20;
    /** The most distinct labels {@link #labelValues} collects: 2^16 (65,536) classes. */
    public static final int MAX_CLASSES = 1 << 16;
    /** The most columns a file may have: 2^20 (1,048,576); with a Java heap under 256 MB, one per 256 bytes of heap. */
    public static final int MAX_COLUMNS = 1 << 20;
    private static final String EMPTY = ": empty file (expected a header row and data rows)";

    private final CsvRecordReader records;
    private final List<String> header;
    private final int labelIndex;
    private final List<String> features;
    /** The CSV column of each feature. */
    private final int[] featureColumns;
    private long rows;

    private CsvExampleReader(CsvRecordReader records, String labelColumn, @Nullable List<String> modelFeatures,
                             Consumer<String> warnings) {
        this.records = records;
        if (!records.next()) {
            throw new InvalidDataException(records.source() + EMPTY);
        }
        String[] names = new String[records.cells()];
        for (int i = 0; i < names.length; i++) {
            names[i] = records.cell(i);
        }
        // one list of the names, shared with the record reader's messages: a wide header is held once
        this.header = Collections.unmodifiableList(Arrays.asList(names));
        records.nameColumns(header);
        checkHeader(names, labelColumn);
        this.labelIndex = header.indexOf(labelColumn);
        if (modelFeatures == null) {
            String[] inFile = new String[names.length - 1];
            for (int i = 0, j = 0; i < names.length; i++) {
                if (i != labelIndex) {
                    inFile[j++] = names[i];
                }
            }
            this.features = Collections.unmodifiableList(Arrays.asList(inFile));
            this.featureColumns = fileOrder();
        } else {
            this.features = List.copyOf(modelFeatures);
            this.featureColumns = modelOrder(warnings);
        }
    }

    /** Names present, unique, the label among them and at least one feature; memory linear in the header's size. */
    private void checkHeader(String[] names, String labelColumn) {
        if (header.stream().allMatch(String::isBlank)) {
            throw new InvalidDataException(records.source() + EMPTY);
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i].isEmpty()) {
                throw new InvalidDataException(records.where(i) + ": the column has no name");
            }
        }
        String[] sorted = names.clone();
        Arrays.sort(sorted);
        Set<String> repeated = new HashSet<>();
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i].equals(sorted[i - 1])) {
                repeated.add(sorted[i]);
            }
        }
        if (!repeated.isEmpty()) {
            Map<String, StringBuilder> positions = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                if (repeated.contains(names[i])) {
                    StringBuilder at = positions.computeIfAbsent(names[i], k -> new StringBuilder());
                    at.append(at.length() == 0 ? "" : ", ").append(i + 1);
                }
            }
            List<String> duplicates = new ArrayList<>();
            positions.forEach((name, at) -> duplicates.add("'" + CsvRecordReader.shown(name) + "' (" + at + ")"));
            throw new InvalidDataException(records.whereLine() + ": duplicate column "
                    + (duplicates.size() == 1 ? "name " : "names ") + String.join(", ", duplicates)
                    + " (each column becomes one feature, so names must be unique)");
        }
        if (!header.contains(labelColumn)) {
            List<String> shown = new ArrayList<>();
            for (String h : header.subList(0, Math.min(header.size(), 20))) {
                shown.add(CsvRecordReader.shown(h));
            }
            throw new InvalidDataException(records.whereLine() + ": no column '" + CsvRecordReader.shown(labelColumn)
                    + "' (columns: " + String.join(", ", shown) + (header.size() > 20 ? ", ..." : "") + ")");
        }
        if (header.size() < 2) {
            throw new InvalidDataException(records.whereLine() + ": no feature columns besides the label '"
                    + CsvRecordReader.shown(labelColumn) + "'");
        }
    }

    private int[] fileOrder() {
        int[] columns = new int[features.size()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = i < labelIndex ? i : i + 1;
        }
        return columns;
    }

    private int[] modelOrder(Consumer<String> warnings) {
        Set<String> wanted = new HashSet<>(features);
        Map<String, Integer> column = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            if (wanted.contains(header.get(i))) {
                column.put(header.get(i), i);
            }
        }
        int[] columns = new int[features.size()];
        Set<String> missing = new TreeSet<>();
        boolean[] used = new boolean[header.size()];
        used[labelIndex] = true;
        for (int i = 0; i < columns.length; i++) {
            Integer c = column.get(features.get(i));
            if (c == null) {
                missing.add(features.get(i));
                continue;
            }
            if (c == labelIndex) {
                throw new InvalidDataException(records.where(c) + ": the label column is one of the model's features");
            }
            columns[i] = c;
            used[c] = true;
        }
        if (!missing.isEmpty()) {
            throw new InvalidDataException(records.whereLine() + ": missing "
                    + (missing.size() == 1 ? "column " : "columns ") + quoted(List.copyOf(missing))
                    + " that the model needs");
        }
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            if (!used[i]) {
                extra.add(header.get(i));
            }
        }
        if (!extra.isEmpty()) {
            warnings.accept(records.source() + ": ignoring " + (extra.size() == 1 ? "column " : "columns ")
                    + quoted(extra) + " that the model does not use");
        }
        return columns;
    }

    private static String quoted(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names.subList(0, Math.min(names.size(), 20))) {
            sb.append(sb.length() == 0 ? "" : ", ").append('\'').append(CsvRecordReader.shown(n)).append('\'');
        }
        return names.size() > 20 ? sb + " and " + (names.size() - 20) + " more" : sb.toString();
    }

    /**
     * Opens {@code file} and reads its header; the features are the columns other than the label, in file order.
     *
     * @throws InvalidDataException for a missing, unreadable or empty file, or a header with an unnamed or duplicate
     *                              column, without {@code labelColumn} or without feature columns
     */
    public static CsvExampleReader open(Path file, String labelColumn) {
        return open(file, labelColumn, null, warning -> { });
    }

    /**
     * Opens {@code file} for a model: the features are the columns named {@code modelFeatures}, in that order (our
     * ONNX exports record theirs in the metadata key {@code feature_names}); the file's other columns are named in
     * one line to {@code warnings} and skipped. Without {@code modelFeatures} (null), as {@link #open(Path, String)}.
     *
     * @param warnings receives one-line warnings (last, so Kotlin can pass a trailing lambda)
     * @throws InvalidDataException as {@link #open(Path, String)}, and naming the columns the model needs that the
     *                              file lacks
     */
    public static CsvExampleReader open(Path file, String labelColumn, @Nullable List<String> modelFeatures,
                                        Consumer<String> warnings) {
        if (!Files.exists(file)) {
            throw new InvalidDataException(file + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InvalidDataException(file + ": not a readable file");
        }
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (IOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        CsvLimits limits = CsvLimits.forHeap(Runtime.getRuntime().maxMemory());
        return open(file.toString(), in, labelColumn, modelFeatures, limits, warnings);
    }

    /** {@link #open(Path, String, List, Consumer)} of a stream named {@code source}, with the given limits. */
    static CsvExampleReader open(String source, InputStream in, String labelColumn,
                                 @Nullable List<String> modelFeatures, CsvLimits limits, Consumer<String> warnings) {
        CsvRecordReader records = new CsvRecordReader(source, in, limits);
        try {
            return new CsvExampleReader(records, labelColumn, modelFeatures, warnings);
        } catch (RuntimeException e) {
            try {
                records.close();
            } catch (RuntimeException ignored) {
                // the first failure is the one reported
            }
            throw e;
        }
    }

    /**
     * The distinct labels of {@code labelColumn}, checking every row's cell count and label (one streaming pass; the
     * feature cells are checked when the examples are read). At most {@link #MAX_CLASSES} are kept, so the pass
     * stays in bounded memory.
     *
     * @throws InvalidDataException for an empty file, a row of the wrong length, an empty label, no data rows or more
     *                              than {@link #MAX_CLASSES} distinct labels
     */
    public static Set<String> labelValues(Path file, String labelColumn) {
        TreeSet<String> labels = new TreeSet<>();
        try (CsvExampleReader r = open(file, labelColumn)) {
            while (r.next()) {
                if (labels.add(r.label()) && labels.size() > MAX_CLASSES) {
                    throw new InvalidDataException(r.records.where(r.labelIndex) + ": more than "
                            + String.format("%,d", MAX_CLASSES) + " distinct labels (is '"
                            + CsvRecordReader.shown(labelColumn) + "' the column of class labels?)");
                }
            }
        }
        return Collections.unmodifiableSet(labels);
    }

    /** The header's column names, in file order. */
    public List<String> getColumns() {
        return header;
    }

    /** Cell {@code column} (an index into {@link #getColumns()}) of the current row as text, unquoted and trimmed. */
    String text(int column) {
        return records.cell(column).trim();
    }

    /** "file: line L, column 'name' (P)" for cell {@code column} of the current row, for messages. */
    String where(int column) {
        return records.where(column);
    }

    /** The feature column names, in the order the examples hold them. */
    public List<String> getFeatureColumns() {
        return features;
    }

    /** Data rows read so far. */
    public long getRows() {
        return rows;
    }

    /** The line the current row starts on (the header is line 1 unless empty lines precede it). */
    public long getLine() {
        return records.line();
    }

    /**
     * Reads the next data row, checking its cell count.
     *
     * @return false at the end of the file
     * @throws InvalidDataException for a row whose cell count differs from the header's, bytes that are not UTF-8, a
     *                              row over the limits, a quote that is not closed, or a file without data rows
     */
    public boolean next() {
        if (!records.next()) {
            if (rows == 0) {
                throw new InvalidDataException(records.source() + ": no data rows after the header");
            }
            return false;
        }
        rows++;
        if (records.cells() != header.size()) {
            throw new InvalidDataException(records.whereLine() + ": " + records.cells() + " cells, the header has "
                    + header.size());
        }
        return true;
    }

    /**
     * The current row's label, trimmed.
     *
     * @throws InvalidDataException for an empty label
     */
    public String label() {
        String value = records.cell(labelIndex).trim();
        if (value.isEmpty()) {
            throw new InvalidDataException(records.where(labelIndex) + ": empty label");
        }
        return value;
    }

    /**
     * The current row's label, which must be one of {@code classes}.
     *
     * @throws InvalidDataException for an empty label or one not in {@code classes} (the message lists them in the
     *                              set's order)
     */
    public String label(Set<String> classes) {
        String value = label();
        if (!classes.contains(value)) {
            List<String> shown = new ArrayList<>();
            for (String c : classes) {
                shown.add(CsvRecordReader.shown(c));
            }
            throw new InvalidDataException(records.where(labelIndex) + ": unknown label '"
                    + CsvRecordReader.shown(value) + "' (the model's classes: " + String.join(", ", shown) + ")");
        }
        return value;
    }

    /**
     * Feature {@code feature} of the current row (an index into {@link #getFeatureColumns()}).
     *
     * @throws InvalidDataException for an empty cell, a cell that is not a decimal number or one that is not finite
     */
    public double value(int feature) {
        int column = featureColumns[feature];
        double v = DecimalCells.parse(records.chars(), records.start(column), records.end(column));
        if (Double.isNaN(v)) {
            throw new InvalidDataException(records.where(column) + ": " + DecimalCells.problem(records.cell(column)));
        }
        return v;
    }

    /**
     * Feature {@code feature} of the current row rounded to float32, the type ONNX Runtime is given.
     *
     * @throws InvalidDataException as {@link #value(int)}, and for a value beyond the float32 range ({@code 1e39})
     */
    public float floatValue(int feature) {
        float v = (float) value(feature);
        if (Float.isInfinite(v)) {
            int column = featureColumns[feature];
            String cell = CsvRecordReader.shown(records.cell(column).trim());
            throw new InvalidDataException(records.where(column) + ": '" + cell
                    + "' is not finite in float32 (the largest float32 is " + Float.MAX_VALUE + ")");
        }
        return v;
    }

    /**
     * Reads up to {@code maxRows} examples as float32 into {@code into} (from its position, advancing it; the
     * features of a row in {@link #getFeatureColumns()} order) and their labels into {@code labels}.
     *
     * @param classes the accepted labels, or null for any
     * @return the rows read; 0 at the end of the file
     * @throws InvalidDataException naming file, line and column of a bad cell or an unknown label
     */
    public int read(FloatBuffer into, int maxRows, List<String> labels, @Nullable Set<String> classes) {
        return readRows(maxRows, labels, classes, f -> into.put(floatValue(f)));
    }

    /**
     * Reads up to {@code maxRows} examples as int32 into {@code into}, as {@link #read(FloatBuffer, int, List, Set)}
     * reads float32: every feature cell must be a whole number ({@code 12}, {@code -3}, {@code 7.0}) within the int32
     * range, as an {@code int32} model input (token ids) takes them.
     *
     * @throws InvalidDataException naming file, line and column of a cell that is not a whole number or is out of
     *                              range, or of an unknown label
     */
    public int read(IntBuffer into, int maxRows, List<String> labels, @Nullable Set<String> classes) {
        return readRows(maxRows, labels, classes,
                f -> into.put((int) wholeValue(f, "int32", Integer.MIN_VALUE, Integer.MAX_VALUE)));
    }

    /**
     * Reads up to {@code maxRows} examples as int64 into {@code into}, as {@link #read(IntBuffer, int, List, Set)}
     * reads int32 (the values exact over the whole int64 range, not rounded through a double).
     *
     * @throws InvalidDataException naming file, line and column of a cell that is not a whole number or is out of
     *                              range, or of an unknown label
     */
    public int read(LongBuffer into, int maxRows, List<String> labels, @Nullable Set<String> classes) {
        return readRows(maxRows, labels, classes, f -> into.put(wholeValue(f, "int64", Long.MIN_VALUE, Long.MAX_VALUE)));
    }

    /** Reads up to {@code maxRows} rows, each label into {@code labels} and each feature index to {@code feature}. */
    private int readRows(int maxRows, List<String> labels, @Nullable Set<String> classes, IntConsumer feature) {
        int n = 0;
        while (n < maxRows && next()) {
            labels.add(classes == null ? label() : label(classes));
            for (int f = 0; f < featureColumns.length; f++) {
                feature.accept(f);
            }
            n++;
        }
        return n;
    }

    /** Feature {@code feature} of the current row as a whole number within {@code [min, max]}. */
    private long wholeValue(int feature, String type, long min, long max) {
        int column = featureColumns[feature];
        char[] chars = records.chars();
        int from = records.start(column);
        int to = records.end(column);
        if (!WholeCells.isWhole(chars, from, to, min, max)) {
            throw new InvalidDataException(records.where(column) + ": "
                    + WholeCells.problem(records.cell(column), type, min, max));
        }
        return WholeCells.value(chars, from, to);
    }

    @Override
    public void close() {
        records.close();
    }
}
