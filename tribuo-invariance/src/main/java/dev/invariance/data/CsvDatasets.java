package dev.invariance.data;

import org.jspecify.annotations.Nullable;
import org.tribuo.DataSource;
import org.tribuo.Example;
import org.tribuo.impl.ArrayExample;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.data.csv.CSVLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Loads a classification CSV file into memory: a header row, one label column, every other column numeric. The file
 * is parsed once by {@link CsvExampleReader}, which checks every row as it goes (its format and checks are documented
 * there); this class adds that there are at least two classes, so bad input fails with one line naming the file,
 * line and column rather than a stack trace. The examples are built exactly as Tribuo's {@link CSVLoader} builds
 * them, and the data set carries the provenance of the loader's configurable {@code CSVDataSource} (which only reads
 * the header and hashes the file), so provenance replay re-creates the same data set.
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
        try (CsvExampleReader reader = CsvExampleReader.open(file, labelColumn)) {
            parse(file, labelColumn, reader, null, examples);
        }
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
        List<String> features = List.copyOf(new TreeSet<>(modelFeatures));
        try (CsvExampleReader reader = CsvExampleReader.open(file, labelColumn, features, warnings)) {
            parse(file, labelColumn, reader, new TreeSet<>(modelLabels), examples);
        }
        return build(file, labelColumn, examples);
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
        try (CsvExampleReader reader = CsvExampleReader.open(file, labelColumn)) {
            return parse(file, labelColumn, reader, null, null);
        }
    }

    /**
     * One pass over the reader's rows: checks every row and, when {@code examples} is given, adds the examples exactly
     * as Tribuo's {@code CSVLoader} builds them (a feature named after each column with its parsed value, zeros kept;
     * the trimmed label cell; weight 1).
     *
     * @param classes the accepted labels, or null for any
     */
    private static Summary parse(Path file, String labelColumn, CsvExampleReader reader, @Nullable Set<String> classes,
                                 @Nullable List<Example<Label>> examples) {
        LabelFactory factory = new LabelFactory();
        List<String> features = reader.getFeatureColumns();
        Map<String, Long> labels = new LinkedHashMap<>();
        while (reader.next()) {
            String label = classes == null ? reader.label() : reader.label(classes);
            labels.putIfAbsent(label, reader.getLine());
            ArrayExample<Label> example = examples == null ? null : new ArrayExample<>(factory.generateOutput(label));
            for (int f = 0; f < features.size(); f++) {
                double value = reader.value(f);
                if (example != null) {
                    example.add(features.get(f), value);
                }
            }
            if (examples != null) {
                examples.add(example);
            }
        }
        if (labels.size() < 2) {
            throw new InvalidDataException(file + ": column '" + CsvRecordReader.shown(labelColumn)
                    + "' has a single class '" + CsvRecordReader.shown(labels.keySet().iterator().next())
                    + "'; a classifier needs at least two");
        }
        return new Summary(reader.getColumns(), labels);
    }
}
