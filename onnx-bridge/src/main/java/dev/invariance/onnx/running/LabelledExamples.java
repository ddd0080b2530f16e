package dev.invariance.onnx.running;

import dev.invariance.onnx.running.internal.ModelInput;
import org.jspecify.annotations.Nullable;

import java.nio.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Labelled examples to run through a model: a CSV file, one example per row ({@link CsvFileExamples}), or a folder of
 * {@code .npy} files, one example per file, with a labels file ({@link NpyFolderExamples}).
 */
interface LabelledExamples {

    /**
     * The examples of {@code data}: a folder of {@code .npy} files with {@code labelsFile} (null: the folder's
     * {@code labels.csv}), or a CSV file.
     *
     * @param modelFeatures the model's feature names (its {@code feature_names} metadata), or null
     * @param warnings      receives one-line warnings
     * @throws InvalidOptionsException for a labels file given with a CSV file
     */
    static LabelledExamples of(Path data, @Nullable Path labelsFile, String labelColumn,
                               @Nullable List<String> modelFeatures, Consumer<String> warnings) {
        if (Files.isDirectory(data)) {
            return new NpyFolderExamples(data, labelsFile != null ? labelsFile : data.resolve("labels.csv"),
                    labelColumn);
        }
        if (labelsFile != null) {
            throw new InvalidOptionsException("--labels " + labelsFile + ": a labels file goes with a folder of .npy "
                    + "files, and --data " + data + " is not a folder");
        }
        return new CsvFileExamples(data, labelColumn, modelFeatures, warnings);
    }

    /** The data as the provenance and messages name it: the CSV file or the folder. */
    Path path();

    /** The labels file of a folder of {@code .npy} files, or null for a CSV file. */
    @Nullable Path labelsFile();

    /** The distinct labels (a first pass over the labels). */
    Set<String> labelValues();

    /**
     * The shape of one example of {@code input}: {@code given} ({@code --input-shape}), the declared one when it fixes
     * every axis but the batch axis, or the declared one with its dynamic sizes taken from the data
     * ({@link #shapeFromData}).
     *
     * @param source the model file's name for messages
     * @throws dev.invariance.data.InvalidDataException when the data cannot fix the sizes
     */
    default ExampleShape exampleShape(String source, ModelInput input, @Nullable ExampleShape given) {
        ExampleShape known = given != null ? given : InputShapes.declared(input);
        return known != null ? known : shapeFromData(source, input);
    }

    /**
     * The declared shape of {@code input}, which leaves sizes behind the batch axis dynamic (or declares none), with
     * those sizes taken from the data.
     *
     * @throws dev.invariance.data.InvalidDataException when the data cannot fix them
     */
    ExampleShape shapeFromData(String source, ModelInput input);

    /**
     * Opens the examples for reading, each of {@code shape}, as values of {@code input}'s element type.
     *
     * @param classes the accepted labels
     * @throws dev.invariance.data.InvalidDataException when an example cannot have that shape
     */
    Batches open(String source, ModelInput input, ExampleShape shape, Set<String> classes);

    /** The examples being read, batch by batch. */
    interface Batches extends AutoCloseable {
        /**
         * Reads up to {@code maxRows} examples into {@code into} (a FloatBuffer, IntBuffer or LongBuffer of the input's
         * element type, from its position) and their labels into {@code labels}.
         *
         * @return the examples read; 0 at the end
         */
        int read(Buffer into, int maxRows, List<String> labels);

        /** The names of an example's values (a CSV's feature columns), or none. */
        List<String> featureNames();

        /** Examples read so far. */
        long rows();

        @Override
        void close();
    }
}
