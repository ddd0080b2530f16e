package dev.invariance.data;

import org.tribuo.DataSource;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.data.csv.CSVIterator;
import org.tribuo.data.csv.CSVLoader;
import org.tribuo.data.columnar.ColumnarIterator;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Loads a classification CSV file: a header row, one label column, every other column numeric. The file is
 * checked completely first, so bad input fails with one line naming the file, line and column rather than a
 * stack trace; the data set is then built by Tribuo's {@link CSVLoader}, whose {@code CSVDataSource} is
 * configurable and records the file's hash, so the data set's provenance can re-create it.
 */
public final class CsvDatasets {
    private CsvDatasets() {
    }

    /**
     * Validates and loads {@code file}.
     *
     * @param file        the CSV file (comma separated, double-quote quoting)
     * @param labelColumn the column holding the class labels
     * @throws InvalidDataException naming the file, line and column of the first problem
     */
    public static MutableDataset<Label> load(Path file, String labelColumn) {
        validate(file, labelColumn);
        try {
            DataSource<Label> source = new CSVLoader<>(new LabelFactory()).loadDataSource(file.toAbsolutePath(), labelColumn);
            return new MutableDataset<>(source);
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            throw new InvalidDataException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks {@code file} without building a data set.
     *
     * @throws InvalidDataException naming the file, line and column of the first problem
     */
    public static void validate(Path file, String labelColumn) {
        if (!Files.exists(file)) {
            throw new InvalidDataException(file + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InvalidDataException(file + ": not a readable file");
        }
        try {
            if (Files.size(file) == 0 || Files.readAllLines(file, StandardCharsets.UTF_8).stream().allMatch(String::isBlank)) {
                throw new InvalidDataException(file + ": empty file (expected a header row and data rows)");
            }
        } catch (IOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        TreeSet<String> labels = new TreeSet<>();
        long rows = 0;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVIterator it = new CSVIterator(reader, CSVIterator.SEPARATOR, CSVIterator.QUOTE)) {
            List<String> header = it.getFields();
            if (!header.contains(labelColumn)) {
                throw new InvalidDataException(file + ": line 1: no column '" + labelColumn + "' (columns: "
                        + String.join(", ", header) + ")");
            }
            if (header.size() < 2) {
                throw new InvalidDataException(file + ": line 1: no feature columns besides the label '" + labelColumn + "'");
            }
            while (it.hasNext()) {
                ColumnarIterator.Row row = it.next();
                rows++;
                long line = row.getIndex() + 2; // the header is line 1
                Map<String, String> data = row.getRowData();
                if (row.getFields().size() != header.size()) {
                    throw new InvalidDataException(file + ": line " + line + ": " + row.getFields().size()
                            + " cells, the header has " + header.size());
                }
                for (String column : header) {
                    String cell = data.get(column);
                    String value = cell == null ? "" : cell.trim();
                    if (column.equals(labelColumn)) {
                        if (value.isEmpty()) {
                            throw new InvalidDataException(file + ": line " + line + ", column '" + column + "': empty label");
                        }
                        labels.add(value);
                        continue;
                    }
                    if (value.isEmpty()) {
                        throw new InvalidDataException(file + ": line " + line + ", column '" + column + "': empty cell");
                    }
                    double parsed;
                    try {
                        parsed = Double.parseDouble(value);
                    } catch (NumberFormatException e) {
                        throw new InvalidDataException(file + ": line " + line + ", column '" + column + "': '" + value
                                + "' is not a number");
                    }
                    if (!Double.isFinite(parsed)) {
                        throw new InvalidDataException(file + ": line " + line + ", column '" + column + "': '" + value
                                + "' is not finite");
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (InvalidDataException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidDataException(file + ": malformed CSV after data row " + rows + " (" + e.getMessage() + ")", e);
        }
        if (rows == 0) {
            throw new InvalidDataException(file + ": no data rows after the header");
        }
        if (labels.size() < 2) {
            throw new InvalidDataException(file + ": column '" + labelColumn + "' has a single class '" + labels.first()
                    + "'; a classifier needs at least two");
        }
    }
}
