package dev.invariance.onnx;

import dev.invariance.data.InvalidDataException;
import org.jspecify.annotations.Nullable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a labelled CSV file (comma separated, RFC 4180 double-quote quoting, header row) as a stream of examples:
 * every column but the label, in file order, is one float32 input value. Nothing but the current row is held, so
 * files larger than memory can be read. Every problem is an {@link InvalidDataException} with one line naming the
 * file, the line (the header is line 1) and, where it applies, the column by name and 1-based position.
 */
public final class CsvExampleReader implements AutoCloseable {
    private final Path file;
    private final BufferedReader reader;
    private final List<String> header;
    private final int labelIndex;
    private final List<String> features;
    /** CSV column index of each feature, in the order the model reads them. */
    private final int[] featureColumns;
    private long line = 1;
    private long rows;

    private CsvExampleReader(Path file, BufferedReader reader, List<String> header, int labelIndex,
                             @Nullable List<String> featureOrder) {
        this.file = file;
        this.reader = reader;
        this.header = header;
        this.labelIndex = labelIndex;
        List<String> inFile = new ArrayList<>(header);
        inFile.remove(labelIndex);
        boolean byName = featureOrder != null && featureOrder.size() == inFile.size()
                && new HashSet<>(inFile).size() == inFile.size() && new HashSet<>(inFile).equals(new HashSet<>(featureOrder));
        this.features = List.copyOf(byName ? featureOrder : inFile);
        this.featureColumns = new int[features.size()];
        for (int i = 0; i < featureColumns.length; i++) {
            featureColumns[i] = byName ? header.indexOf(features.get(i)) : (i < labelIndex ? i : i + 1);
        }
    }

    /**
     * Opens {@code file} and reads its header; the examples are the columns other than the label, in file order.
     *
     * @throws InvalidDataException for a missing, unreadable or empty file, or a header without {@code labelColumn}
     *                              or without feature columns
     */
    public static CsvExampleReader open(Path file, String labelColumn) {
        return open(file, labelColumn, null);
    }

    /**
     * Opens {@code file} like {@link #open(Path, String)}, but when its feature columns are exactly the names in
     * {@code featureOrder} (in any order; our own ONNX exports record theirs in the metadata key {@code feature_names})
     * the examples follow that order instead of the file's.
     *
     * @throws InvalidDataException as {@link #open(Path, String)}
     */
    public static CsvExampleReader open(Path file, String labelColumn, @Nullable List<String> featureOrder) {
        if (!Files.exists(file)) {
            throw new InvalidDataException(file + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InvalidDataException(file + ": not a readable file");
        }
        BufferedReader reader = null;
        try {
            reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            String first = reader.readLine();
            while (first != null && first.isBlank()) {
                first = reader.readLine();
            }
            if (first == null) {
                throw new InvalidDataException(file + ": empty file (expected a header row and data rows)");
            }
            List<String> header = split(file, 1, first, reader, new long[1]);
            int label = header.indexOf(labelColumn);
            if (label < 0) {
                throw new InvalidDataException(file + ": line 1: no column '" + labelColumn + "' (columns: "
                        + String.join(", ", header.subList(0, Math.min(header.size(), 20)))
                        + (header.size() > 20 ? ", ..." : "") + ")");
            }
            if (header.size() < 2) {
                throw new InvalidDataException(file + ": line 1: no feature columns besides the label '" + labelColumn + "'");
            }
            CsvExampleReader r = new CsvExampleReader(file, reader, List.copyOf(header), label, featureOrder);
            reader = null;
            return r;
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // the first failure is the one reported
                }
            }
        }
    }

    /**
     * The distinct values of {@code labelColumn}, checking every row's cell count and label (one streaming pass; the
     * feature cells are checked when the examples are read).
     *
     * @throws InvalidDataException for an empty file, a row of the wrong length, an empty label or no data rows
     */
    public static Set<String> labelValues(Path file, String labelColumn) {
        TreeSet<String> labels = new TreeSet<>();
        try (CsvExampleReader r = open(file, labelColumn)) {
            List<String> row;
            while ((row = r.nextRow()) != null) {
                labels.add(r.label(row));
            }
            if (r.rows == 0) {
                throw new InvalidDataException(file + ": no data rows after the header");
            }
        }
        return Collections.unmodifiableSet(labels);
    }

    /** The feature column names, in file order. */
    public List<String> getFeatureColumns() {
        return features;
    }

    /** The file. */
    public Path getFile() {
        return file;
    }

    /** Data rows read so far. */
    public long getRows() {
        return rows;
    }

    /**
     * Reads up to {@code maxRows} examples into {@code into} (from its position, advancing it) and their labels into
     * {@code labels}.
     *
     * @param classes the accepted label values, or null for any
     * @return the rows read; 0 at the end of the file
     * @throws InvalidDataException naming file, line and column of a bad cell or an unknown label
     */
    public int read(FloatBuffer into, int maxRows, List<String> labels, @Nullable Set<String> classes) {
        int n = 0;
        while (n < maxRows) {
            List<String> row = nextRow();
            if (row == null) {
                break;
            }
            String label = label(row);
            if (classes != null && !classes.contains(label)) {
                throw new InvalidDataException(where(labelIndex) + ": unknown label '" + shorten(label)
                        + "' (the model's classes: " + String.join(", ", classes) + ")");
            }
            labels.add(label);
            for (int c : featureColumns) {
                into.put(number(row.get(c), c));
            }
            n++;
        }
        return n;
    }

    private String label(List<String> row) {
        String value = row.get(labelIndex).trim();
        if (value.isEmpty()) {
            throw new InvalidDataException(where(labelIndex) + ": empty label");
        }
        return value;
    }

    private float number(String cell, int column) {
        String value = cell.trim();
        if (value.isEmpty()) {
            throw new InvalidDataException(where(column) + ": empty cell");
        }
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new InvalidDataException(where(column) + ": '" + shorten(value) + "' is not a number");
        }
        if (!Double.isFinite(parsed)) {
            throw new InvalidDataException(where(column) + ": '" + shorten(value) + "' is not finite");
        }
        return (float) parsed;
    }

    /** "file: line L, column 'name' (c)" for the current row. */
    String where(int column) {
        return file + ": line " + line + ", column '" + header.get(column) + "' (" + (column + 1) + ")";
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** The next non-blank row, checked for its cell count, or null at the end. */
    private List<String> nextRow() {
        try {
            String text = reader.readLine();
            line++;
            while (text != null && text.isBlank()) {
                text = reader.readLine();
                line++;
            }
            if (text == null) {
                return null;
            }
            long start = line;
            long[] extra = new long[1];
            List<String> row = split(file, start, text, reader, extra);
            line += extra[0];
            rows++;
            if (row.size() != header.size()) {
                throw new InvalidDataException(file + ": line " + start + ": " + row.size() + " cells, the header has "
                        + header.size());
            }
            return row;
        } catch (IOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Splits one record; a quoted field may span lines (then more lines are read). */
    private static List<String> split(Path file, long line, String text, BufferedReader more, long[] extraLines)
            throws IOException {
        if (text.indexOf('"') < 0) {
            List<String> cells = new ArrayList<>();
            int from = 0;
            int comma;
            while ((comma = text.indexOf(',', from)) >= 0) {
                cells.add(text.substring(from, comma));
                from = comma + 1;
            }
            cells.add(text.substring(from));
            return cells;
        }
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        String s = text;
        int i = 0;
        while (true) {
            if (i == s.length()) {
                if (!quoted) {
                    break;
                }
                String next = more.readLine();
                if (next == null) {
                    throw new InvalidDataException(file + ": line " + line + ": unterminated quoted cell");
                }
                extraLines[0]++;
                cell.append('\n');
                s = next;
                i = 0;
                continue;
            }
            char ch = s.charAt(i++);
            if (quoted) {
                if (ch == '"') {
                    if (i < s.length() && s.charAt(i) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
