package dev.invariance.data;

import org.jspecify.annotations.Nullable;
import org.tribuo.DataSource;
import org.tribuo.Example;
import org.tribuo.impl.ArrayExample;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Loads a classification CSV file: a header row, one label column, every other column numeric. The file is parsed
 * once, checking every row as it goes (unique column names, the header's cell count, numeric and finite cells, a
 * non-empty label, at least two classes), so bad input fails with one line naming the file, line and column rather
 * than a stack trace. The examples are built exactly as Tribuo's {@link CSVLoader} builds them, and the data set
 * carries the provenance of the loader's configurable {@code CSVDataSource} (which only reads the header and hashes
 * the file), so provenance replay re-creates the same data set.
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
        List<Example<Label>> examples = new ArrayList<>();
        parse(file, labelColumn, examples);
        return build(file, labelColumn, examples);
    }

    /**
     * Validates and loads {@code file} as input for a trained model: every feature the model knows must be a column
     * and every label must be one of the model's classes. Columns the model does not know are reported to
     * {@code warnings} (one line naming them) and ignored.
     *
     * @param modelFeatures the model's feature names
     * @param modelLabels   the model's class names
     * @param warnings      receives one-line warnings (last, so Kotlin can pass a trailing lambda)
     * @throws InvalidDataException naming the file and the missing columns, or the line and column of an unknown label
     */
    public static MutableDataset<Label> loadFor(Path file, String labelColumn, Set<String> modelFeatures,
                                                Set<String> modelLabels, Consumer<String> warnings) {
        List<Example<Label>> examples = new ArrayList<>();
        Summary summary = parse(file, labelColumn, examples);
        List<String> missing = new ArrayList<>();
        for (String f : new TreeSet<>(modelFeatures)) {
            if (!summary.columns().contains(f)) {
                missing.add(f);
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidDataException(file + ": line 1: missing " + (missing.size() == 1 ? "column " : "columns ")
                    + quoted(missing) + " that the model needs");
        }
        List<String> extra = new ArrayList<>();
        for (String c : summary.columns()) {
            if (!c.equals(labelColumn) && !modelFeatures.contains(c)) {
                extra.add(c);
            }
        }
        if (!extra.isEmpty()) {
            warnings.accept(file + ": ignoring " + (extra.size() == 1 ? "column " : "columns ") + quoted(extra)
                    + " that the model does not use");
        }
        for (Map.Entry<String, Long> e : summary.firstLineOfLabel().entrySet()) {
            if (!modelLabels.contains(e.getKey())) {
                throw new InvalidDataException(file + ": line " + e.getValue() + ", column '" + labelColumn + "': '"
                        + e.getKey() + "' is not a class of the model (classes: " + String.join(", ", new TreeSet<>(modelLabels)) + ")");
            }
        }
        return build(file, labelColumn, examples);
    }

    private static String quoted(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(sb.length() == 0 ? "" : ", ").append('\'').append(n).append('\'');
        }
        return sb.toString();
    }

    /**
     * What a validation pass found.
     *
     * @param columns          the header's column names, in file order
     * @param firstLineOfLabel each label value and the first line it appears on
     */
    public record Summary(List<String> columns, Map<String, Long> firstLineOfLabel) {
        /** Copies the collections. */
        public Summary {
            columns = List.copyOf(columns);
            firstLineOfLabel = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(firstLineOfLabel));
        }
    }

    /**
     * The data set of the parsed examples with the provenance of Tribuo's configurable CSV data source (which reads
     * only the header and hashes the file here, it is not iterated), so provenance replay re-creates the same data.
     */
    private static MutableDataset<Label> build(Path file, String labelColumn, List<Example<Label>> examples) {
        try {
            DataSource<Label> source = new CSVLoader<>(new LabelFactory()).loadDataSource(file.toAbsolutePath(), labelColumn);
            return new MutableDataset<>(examples, source.getProvenance(), source.getOutputFactory());
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // the file changed between the validation pass and this one
            throw new InvalidDataException(file + ": changed while it was read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Checks {@code file} without building a data set.
     *
     * @throws InvalidDataException naming the file, line and column of the first problem
     */
    public static Summary validate(Path file, String labelColumn) {
        return parse(file, labelColumn, null);
    }

    /**
     * One pass over {@code file}: checks every row and, when {@code examples} is given, adds the examples exactly as
     * Tribuo's {@code CSVLoader} builds them (a feature named after each column with its parsed value, zeros kept;
     * the trimmed label cell; weight 1).
     */
    private static Summary parse(Path file, String labelColumn, @Nullable List<Example<Label>> examples) {
        LabelFactory factory = new LabelFactory();
        if (!Files.exists(file)) {
            throw new InvalidDataException(file + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InvalidDataException(file + ": not a readable file");
        }
        String empty = file + ": empty file (expected a header row and data rows)";
        try {
            if (Files.size(file) == 0) {
                throw new InvalidDataException(empty);
            }
        } catch (IOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        Map<String, Long> labels = new LinkedHashMap<>();
        long rows = 0;
        List<String> header;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVIterator it = new CSVIterator(reader, CSVIterator.SEPARATOR, CSVIterator.QUOTE)) {
            header = it.getFields();
            if (header.isEmpty() || header.stream().allMatch(String::isBlank)) {
                throw new InvalidDataException(empty);
            }
            Set<String> seen = new HashSet<>();
            List<String> duplicates = new ArrayList<>();
            for (String h : header) {
                if (!seen.add(h) && !duplicates.contains(h)) {
                    duplicates.add(h);
                }
            }
            if (!duplicates.isEmpty()) {
                throw new InvalidDataException(file + ": line 1: duplicate column " + (duplicates.size() == 1 ? "name " : "names ")
                        + quoted(duplicates) + " (each column becomes one feature, so names must be unique)");
            }
            if (!header.contains(labelColumn)) {
                throw new InvalidDataException(file + ": line 1: no column '" + labelColumn + "' (columns: "
                        + String.join(", ", header) + ")");
            }
            if (header.size() < 2) {
                throw new InvalidDataException(file + ": line 1: no feature columns besides the label '" + labelColumn + "'");
            }
            while (true) {
                ColumnarIterator.Row row;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    row = it.next();
                } catch (IllegalArgumentException | IllegalStateException e) {
                    // Tribuo's CSVIterator refuses a row whose cell count differs from the header's
                    throw new InvalidDataException(file + ": line " + (rows + 2) + " (data row " + (rows + 1)
                            + "): the number of cells differs from the header's " + header.size() + " columns", e);
                }
                rows++;
                long line = row.getIndex() + 2; // the header is line 1
                Map<String, String> data = row.getRowData();
                if (row.getFields().size() != header.size()) {
                    throw new InvalidDataException(file + ": line " + line + ": " + row.getFields().size()
                            + " cells, the header has " + header.size());
                }
                String labelCell = data.get(labelColumn);
                ArrayExample<Label> example = examples == null ? null
                        : new ArrayExample<>(factory.generateOutput(labelCell == null ? "" : labelCell.trim()));
                for (String column : header) {
                    String cell = data.get(column);
                    String value = cell == null ? "" : cell.trim();
                    if (column.equals(labelColumn)) {
                        if (value.isEmpty()) {
                            throw new InvalidDataException(file + ": line " + line + ", column '" + column + "': empty label");
                        }
                        labels.putIfAbsent(value, line);
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
                    if (example != null) {
                        example.add(column, parsed);
                    }
                }
                if (examples != null) {
                    examples.add(example);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (rows == 0) {
            throw new InvalidDataException(file + ": no data rows after the header");
        }
        if (labels.size() < 2) {
            throw new InvalidDataException(file + ": column '" + labelColumn + "' has a single class '"
                    + labels.keySet().iterator().next() + "'; a classifier needs at least two");
        }
        return new Summary(header, labels);
    }
}
