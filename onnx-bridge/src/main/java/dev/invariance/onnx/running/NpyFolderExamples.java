package dev.invariance.onnx.running;

import dev.invariance.data.InvalidDataException;
import dev.invariance.data.NpyExamples;
import dev.invariance.onnx.running.internal.ModelInput;

import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Examples in a folder of {@code .npy} files, one per file, named with their labels in a labels file
 * ({@link NpyExamples}: columns {@code file} and the label column). Every file must have the example's shape, with or
 * without the batch axis of 1 ({@code [1, 3, 8, 8]} or {@code [3, 8, 8]}); when the model leaves sizes dynamic and no
 * {@code --input-shape} is given, the first file fixes them. A float input takes float32 (or float64, rounded) arrays,
 * an int64 input int64 or int32 arrays, an int32 input int32 or int64 arrays within its range.
 */
final class NpyFolderExamples implements LabelledExamples {
    private final Path folder;
    private final Path labels;
    private final String labelColumn;

    NpyFolderExamples(Path folder, Path labels, String labelColumn) {
        this.folder = folder;
        this.labels = labels;
        this.labelColumn = labelColumn;
    }

    @Override
    public Path path() {
        return folder;
    }

    @Override
    public Path labelsFile() {
        return labels;
    }

    @Override
    public Set<String> labelValues() {
        return NpyExamples.labelValues(labels, labelColumn);
    }

    @Override
    public ExampleShape shapeFromData(String source, ModelInput input) {
        try (NpyExamples first = NpyExamples.open(folder, labels, labelColumn)) {
            if (!first.next()) {
                throw new InvalidDataException(labels + ": no data rows after the header");
            }
            ExampleShape shape = InputShapes.fromFile(input, first.getShape(),
                    "from the first file, " + first.getFile().getFileName());
            if (shape == null) {
                throw new InvalidDataException(first.getFile() + ": shape " + first.getShape() + " does not fit input '"
                        + input.name() + "' of " + source + ", " + input.describe()
                        + (input.rank() < 0 ? "; give its shape with --input-shape " + InputShapes.example(input) : ""));
            }
            return shape;
        }
    }

    @Override
    public Batches open(String source, ModelInput input, ExampleShape shape, Set<String> classes) {
        NpyExamples npy = NpyExamples.open(folder, labels, labelColumn);
        List<Long> withBatch = shape.withBatch();
        return new Batches() {
            @Override
            public int read(Buffer into, int maxRows, List<String> batchLabels) {
                int n = 0;
                while (n < maxRows && npy.next()) {
                    List<Long> s = npy.getShape();
                    if (!s.equals(withBatch) && !s.equals(shape.dims())) {
                        throw new InvalidDataException(npy.getFile() + ": shape " + s + ", but input '" + input.name()
                                + "' of " + source + " takes " + shape);
                    }
                    batchLabels.add(npy.label(classes));
                    if (into instanceof FloatBuffer f) {
                        npy.read(f);
                    } else if (into instanceof IntBuffer i) {
                        npy.read(i);
                    } else {
                        npy.read((LongBuffer) into);
                    }
                    n++;
                }
                return n;
            }

            @Override
            public List<String> featureNames() {
                return List.of();
            }

            @Override
            public long rows() {
                return npy.getRows();
            }

            @Override
            public void close() {
                npy.close();
            }
        };
    }
}
