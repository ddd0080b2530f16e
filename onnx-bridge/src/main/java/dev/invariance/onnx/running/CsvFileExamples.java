package dev.invariance.onnx.running;

import dev.invariance.data.CsvExampleReader;
import dev.invariance.data.InvalidDataException;
import dev.invariance.onnx.running.internal.ModelInput;
import org.jspecify.annotations.Nullable;

import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Examples in a CSV file, one per row, read by {@link CsvExampleReader}: the columns other than the label (or the
 * model's own {@code feature_names}, in its order) are one example, reshaped row-major into the input's shape; float32
 * for a float input, whole numbers for an int32 or int64 input. When the model leaves one size behind the batch axis
 * dynamic and no {@code --input-shape} is given, the column count fixes it.
 */
final class CsvFileExamples implements LabelledExamples {
    private final Path file;
    private final String labelColumn;
    private final @Nullable List<String> modelFeatures;
    private final Consumer<String> warnings;

    CsvFileExamples(Path file, String labelColumn, @Nullable List<String> modelFeatures, Consumer<String> warnings) {
        this.file = file;
        this.labelColumn = labelColumn;
        this.modelFeatures = modelFeatures;
        this.warnings = warnings;
    }

    @Override
    public Path path() {
        return file;
    }

    @Override
    public @Nullable Path labelsFile() {
        return null;
    }

    @Override
    public Set<String> labelValues() {
        return CsvExampleReader.labelValues(file, labelColumn);
    }

    @Override
    public ExampleShape shapeFromData(String source, ModelInput input) {
        int columns;
        try (CsvExampleReader header = CsvExampleReader.open(file, labelColumn, modelFeatures, warning -> { })) {
            columns = header.getFeatureColumns().size();
        }
        ExampleShape shape = InputShapes.withOneOpenSize(input, columns, "from the " + columns + " feature columns");
        if (shape == null) {
            throw new InvalidDataException(file + ": line 1: " + columns + " feature columns, but input '"
                    + input.name() + "' of " + source + " has shape " + input.describe() + ", dynamic in "
                    + InputShapes.openSizes(input) + "; give its shape with --input-shape " + InputShapes.example(input));
        }
        return shape;
    }

    @Override
    public Batches open(String source, ModelInput input, ExampleShape shape, Set<String> classes) {
        CsvExampleReader reader = CsvExampleReader.open(file, labelColumn, modelFeatures, warnings);
        List<String> features = reader.getFeatureColumns();
        if (features.size() != shape.values()) {
            reader.close();
            throw new InvalidDataException(file + ": line 1: " + features.size()
                    + " feature columns (every column but '" + labelColumn + "'), but input '" + input.name()
                    + "' of " + source + " takes " + shape.values() + " values per example (shape "
                    + (shape.origin().equals(InputShapes.DECLARED) ? input.describe()
                    : shape.withBatch() + ", " + shape.origin()) + ")");
        }
        return new Batches() {
            @Override
            public int read(Buffer into, int maxRows, List<String> labels) {
                if (into instanceof FloatBuffer f) {
                    return reader.read(f, maxRows, labels, classes);
                }
                if (into instanceof IntBuffer i) {
                    return reader.read(i, maxRows, labels, classes);
                }
                return reader.read((LongBuffer) into, maxRows, labels, classes);
            }

            @Override
            public List<String> featureNames() {
                return features;
            }

            @Override
            public long rows() {
                return reader.getRows();
            }

            @Override
            public void close() {
                reader.close();
            }
        };
    }
}
