package dev.invariance.cli;

import dev.invariance.onnx.reading.OnnxReadOption;
import dev.invariance.onnx.running.ExecutionDevice;
import dev.invariance.onnx.running.InvalidOptionsException;
import dev.invariance.onnx.running.OnnxDataOptions;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The options that say how an ONNX model is read and run by ONNX Runtime over {@code --data}, shared by
 * {@code analyze} and {@code report} (a picocli mixin): the input, its shape, the labels of a {@code .npy} folder,
 * the batch size, the device, the classes, whether Tribuo's {@code LabelEvaluation} is made, and whether a
 * {@code BatchNormalization} is folded. Which output holds the scores is the command's own option ({@code analyze}
 * names it {@code --output}, where {@code report} writes its file), passed to {@link #dataOptions}.
 */
final class OnnxRunArguments {
    @Option(names = "--input", paramLabel = "NAME", description = "ONNX models with --data: the input to feed (when there are several; others keep their defaults).")
    private @Nullable String input;

    @Option(names = "--input-shape", paramLabel = "NAME=1xDxD", description = "ONNX models with --data: the shape of one example of input NAME, batch axis (1) first, fixing the sizes the model leaves dynamic (repeatable; e.g. image=1x3x240x320).")
    private List<String> inputShapes = new ArrayList<>();

    @Option(names = "--labels", paramLabel = "FILE.csv", description = "ONNX models with --data FOLDER: the CSV naming each example's .npy file (column 'file') and its label (default: FOLDER/labels.csv).")
    private @Nullable Path labels;

    @Option(names = "--batch-size", paramLabel = "N", description = "ONNX models with --data: examples per ONNX Runtime call (default: sized from the model's widths; at most what fits a quarter of the heap).")
    private int batchSize;

    @Option(names = "--device", paramLabel = "D", description = "ONNX models with --data: cpu, cuda, cuda:N or auto (CUDA when usable, else the CPU with a note; default: ${DEFAULT-VALUE}).", defaultValue = "cpu")
    private String device = "cpu";

    @Option(names = "--classes", paramLabel = "C1,C2,...", split = ",", description = "ONNX models with --data: the class of each output column, in order (default: the labels of --data, sorted numerically when all are numbers).")
    private List<String> classes = new ArrayList<>();

    @Option(names = "--no-label-evaluation", description = "ONNX models with --data: skip Tribuo's LabelEvaluation (it keeps one prediction per example), so memory does not grow with the data.")
    private boolean noLabelEvaluation;

    @Option(names = "--fold-batchnorm", description = "ONNX models: fold an inference-mode BatchNormalization that "
            + "follows a layer into it (W' = diag(gamma/sqrt(var+eps)) W, b' = (b - mean) gamma/sqrt(var+eps) + beta); "
            + "without it such a layer is analysed as stored, with a note.")
    private boolean foldBatchNorm;

    /**
     * Refuses options that do not apply: the run options ({@code outputOption} among them, when
     * {@code outputName} is given) without an ONNX model and {@code --data}, {@code --fold-batchnorm} without an
     * ONNX model.
     *
     * @param anyOnnx whether an ONNX model is analysed
     * @param data    whether {@code --data} is given
     */
    void checkApplicable(CommandSpec spec, boolean anyOnnx, boolean data, String outputOption,
                         @Nullable String outputName) {
        boolean runtimeOptions = input != null || batchSize != 0 || !device.equals("cpu") || !classes.isEmpty()
                || noLabelEvaluation || !inputShapes.isEmpty() || outputName != null || labels != null;
        if (runtimeOptions && (!anyOnnx || !data)) {
            throw new ParameterException(spec.commandLine(), "--input, --input-shape, " + outputOption + ", --labels, "
                    + "--batch-size, --device, --classes and --no-label-evaluation run an ONNX model over --data; they "
                    + "do not apply here");
        }
        if (foldBatchNorm && !anyOnnx) {
            throw new ParameterException(spec.commandLine(), "--fold-batchnorm reads ONNX models; it does not apply here");
        }
    }

    /** How to read an ONNX model: with a {@code BatchNormalization} folded, or as stored. */
    Set<OnnxReadOption> readOptions() {
        return foldBatchNorm ? Set.of(OnnxReadOption.FOLD_BATCH_NORMALIZATION) : Set.of();
    }

    /**
     * The checked options of an ONNX Runtime run that scores output {@code outputName} (null: the model's scores,
     * found as {@link OnnxDataOptions} finds them), with ONNX Runtime's own log when {@code --verbose} was given.
     *
     * @throws ParameterException naming the option, for picocli's one-line usage error
     */
    OnnxDataOptions dataOptions(CommandSpec spec, @Nullable String outputName) {
        if (batchSize < 0) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be positive");
        }
        checkClasses(spec);
        ExecutionDevice target;
        try {
            target = ExecutionDevice.parse(device);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            OnnxDataOptions options = OnnxDataOptions.defaults().withInputName(input).withOutputName(outputName)
                    .withLabelsFile(labels).withBatchSize(batchSize).withDevice(target).withClasses(classes)
                    .withLabelEvaluation(!noLabelEvaluation).withRuntimeLog(verbose(spec));
            for (String shape : inputShapes) {
                options = options.withInputShape(shape);
            }
            options.checkBatchMemory(Float.BYTES, ""); // the least an example takes: before the model is even read
            return options;
        } catch (InvalidOptionsException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * Runs {@code action}, turning the options it finds wrong only once the model is read ({@code --input-shape}
     * against the model's inputs, {@code --output}) into picocli's one-line usage error.
     */
    static <T> T reportingOptionErrors(CommandSpec spec, Supplier<T> action) {
        try {
            return action.get();
        } catch (InvalidOptionsException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Refuses a {@code --classes} list with an empty name or a class named twice: no output column could be told. */
    private void checkClasses(CommandSpec spec) {
        Set<String> seen = new HashSet<>();
        for (String c : classes) {
            if (c.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--classes " + String.join(",", classes)
                        + ": an empty class name");
            }
            if (!seen.add(c)) {
                throw new ParameterException(spec.commandLine(), "--classes " + String.join(",", classes)
                        + ": class '" + c + "' is named twice");
            }
        }
    }

    /** Whether {@code --verbose} was given (before or after the command's name). */
    static boolean verbose(CommandSpec spec) {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            ParseResult parsed = s.commandLine().getParseResult();
            if (parsed != null && parsed.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
