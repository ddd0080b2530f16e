package dev.invariance.onnx.running;

import org.jspecify.annotations.Nullable;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How data are run through an ONNX model. Immutable; {@link #defaults()} then the {@code withX} methods.
 *
 * @param inputName the input to feed, or null when the model has exactly one input (other inputs with defaults are
 *                  left alone)
 * @param inputShapes the shape of one example of an input, by input name, batch axis (1) included: it fixes the sizes
 *                  the model leaves dynamic ({@code image → [1, 3, 240, 320]} for a declared {@code [N, 3, H, W]}); a
 *                  CSV row or a {@code .npy} file is read into it row-major. Only the fed input may be named
 * @param outputName the output read as class scores for the {@code LabelEvaluation}, or null: the model's only output,
 *                  or the second of a (labels, scores) pair as sklearn-onnx writes; other models with several outputs
 *                  must name one
 * @param labelsFile for data given as a folder of {@code .npy} files, the CSV naming each file and its label; null:
 *                  {@code labels.csv} in that folder
 * @param batchSize examples per ONNX Runtime call; 0 chooses one from the model's widths (about
 *                  {@value #AUTO_BATCH_BYTES} bytes of inputs and observed values per batch, at most
 *                  {@value #MAX_AUTO_BATCH} examples); either way the batch's buffers must fit
 *                  {@link #batchMemoryBudget()}
 * @param device    where ONNX Runtime runs
 * @param classes   the class labels in the order of the model's output columns; empty means the distinct labels of
 *                  the data, in numeric order when all are numbers and in string order otherwise
 * @param labelEvaluation whether to make Tribuo's {@code LabelEvaluation}, which keeps one prediction (label and
 *                  scores) per example; without it the model's outputs are not asked for at all, and memory does not
 *                  grow with the examples
 * @param runtimeLog whether ONNX Runtime's own log lines (its warnings and errors, which it writes to standard error
 *                  itself) are shown; without it only its fatal errors are, and a refusal is one line of ours
 */
public record OnnxDataOptions(@Nullable String inputName, Map<String, List<Long>> inputShapes,
                              @Nullable String outputName, @Nullable Path labelsFile, int batchSize,
                              ExecutionDevice device, List<String> classes, boolean labelEvaluation,
                              boolean runtimeLog) {
    /** Bytes of input and observed values aimed at per batch when {@code batchSize} is 0. */
    public static final long AUTO_BATCH_BYTES = 16L << 20;
    /** The largest automatic batch. */
    public static final int MAX_AUTO_BATCH = 1024;
    /** The most axes an input shape may have. */
    public static final int MAX_AXES = 32;

    /** Checks the batch size and the shapes, and copies the collections. */
    public OnnxDataOptions {
        if (batchSize < 0) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        }
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        inputShapes.forEach((name, dims) -> shapes.put(name, checkedShape(name, dims)));
        inputShapes = Collections.unmodifiableMap(shapes);
        classes = List.copyOf(classes);
    }

    /** The only input, an automatic batch size, the CPU, classes from the data, with the LabelEvaluation, quiet. */
    public static OnnxDataOptions defaults() {
        return new OnnxDataOptions(null, Map.of(), null, null, 0, ExecutionDevice.cpu(), List.of(), true, false);
    }

    /**
     * The most bytes one batch's buffers may take: a quarter of the Java heap's maximum, and at most 1 GiB (the input
     * batch is one direct buffer, which an {@code int} indexes).
     */
    public static long batchMemoryBudget() {
        return Math.min(Runtime.getRuntime().maxMemory() / 4, 1L << 30);
    }

    /**
     * Checks that {@link #batchSize()} examples of {@code bytesPerExample} bytes each fit {@link #batchMemoryBudget()}
     * (an automatic batch size always does).
     *
     * @param what what the bytes per example are made of, for the message (may be empty)
     * @throws InvalidOptionsException naming {@code --batch-size}, the bytes needed, the budget and the largest batch
     *                                  that fits
     */
    public void checkBatchMemory(long bytesPerExample, String what) {
        long budget = batchMemoryBudget();
        if (batchSize > 0 && bytesPerExample > 0 && batchSize > budget / bytesPerExample) {
            throw new InvalidOptionsException("--batch-size " + batchSize + ": a batch takes at least " + batchSize
                    + " x " + bytesPerExample + " bytes" + what + ", more than the " + (budget >> 20)
                    + " MB a batch may use (a quarter of the Java heap, at most 1 GiB); use at most "
                    + Math.max(1, budget / bytesPerExample));
        }
    }

    /** The same options feeding input {@code name} (null: the only input). */
    public OnnxDataOptions withInputName(@Nullable String name) {
        return new OnnxDataOptions(name, inputShapes, outputName, labelsFile, batchSize, device, classes,
                labelEvaluation, runtimeLog);
    }

    /**
     * The same options with one example of input {@code name} of shape {@code dims} (batch axis, 1, first).
     *
     * @throws InvalidOptionsException for a shape given twice for one input, without a batch axis and another, with a
     *                                 batch axis other than 1, a size below 1, or more than {@link #MAX_AXES} axes
     */
    public OnnxDataOptions withInputShape(String name, List<Long> dims) {
        if (inputShapes.containsKey(name)) {
            throw new InvalidOptionsException("--input-shape: input '" + name + "' is given a shape twice");
        }
        Map<String, List<Long>> shapes = new LinkedHashMap<>(inputShapes);
        shapes.put(name, dims);
        return new OnnxDataOptions(inputName, shapes, outputName, labelsFile, batchSize, device, classes,
                labelEvaluation, runtimeLog);
    }

    /**
     * The same options with the shape written {@code NAME=1x3x240x320} (as {@code --input-shape} takes it; the name
     * is what precedes the last {@code =}).
     *
     * @throws InvalidOptionsException naming the text for one without {@code =} or a name, a size that is not a
     *                                 positive whole number, and as {@link #withInputShape(String, List)}
     */
    public OnnxDataOptions withInputShape(String assignment) {
        int eq = assignment.lastIndexOf('=');
        String shown = assignment.length() > 60 ? assignment.substring(0, 60) + "..." : assignment;
        if (eq <= 0 || eq == assignment.length() - 1) {
            throw new InvalidOptionsException("--input-shape " + shown + ": expected NAME=SIZExSIZEx..., for example "
                    + "image=1x3x240x320");
        }
        String[] parts = assignment.substring(eq + 1).split("x", -1);
        if (parts.length > MAX_AXES) {
            throw new InvalidOptionsException("--input-shape " + shown + ": more than " + MAX_AXES + " axes");
        }
        List<Long> dims = new ArrayList<>(parts.length);
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 18 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new InvalidOptionsException("--input-shape " + shown + ": '" + (p.length() > 20
                        ? p.substring(0, 20) + "..." : p) + "' is not a size (a positive whole number)");
            }
            dims.add(Long.parseLong(p));
        }
        return withInputShape(assignment.substring(0, eq), dims);
    }

    /** The same options reading output {@code name} as class scores (null: the model's only output). */
    public OnnxDataOptions withOutputName(@Nullable String name) {
        return new OnnxDataOptions(inputName, inputShapes, name, labelsFile, batchSize, device, classes,
                labelEvaluation, runtimeLog);
    }

    /** The same options with the labels file of a folder of {@code .npy} files (null: the folder's labels.csv). */
    public OnnxDataOptions withLabelsFile(@Nullable Path file) {
        return new OnnxDataOptions(inputName, inputShapes, outputName, file, batchSize, device, classes,
                labelEvaluation, runtimeLog);
    }

    /** The same options with {@code n} examples per batch (0: automatic). */
    public OnnxDataOptions withBatchSize(int n) {
        return new OnnxDataOptions(inputName, inputShapes, outputName, labelsFile, n, device, classes,
                labelEvaluation, runtimeLog);
    }

    /** The same options on {@code d}. */
    public OnnxDataOptions withDevice(ExecutionDevice d) {
        return new OnnxDataOptions(inputName, inputShapes, outputName, labelsFile, batchSize, d, classes,
                labelEvaluation, runtimeLog);
    }

    /** The same options with ({@code true}) or without Tribuo's {@code LabelEvaluation}. */
    public OnnxDataOptions withLabelEvaluation(boolean on) {
        return new OnnxDataOptions(inputName, inputShapes, outputName, labelsFile, batchSize, device, classes, on,
                runtimeLog);
    }

    /** The same options with the model's class order given explicitly. */
    public OnnxDataOptions withClasses(List<String> order) {
        return new OnnxDataOptions(inputName, inputShapes, outputName, labelsFile, batchSize, device, order,
                labelEvaluation, runtimeLog);
    }

    /** The same options with ({@code true}) or without ONNX Runtime's own log lines. */
    public OnnxDataOptions withRuntimeLog(boolean on) {
        return new OnnxDataOptions(inputName, inputShapes, outputName, labelsFile, batchSize, device, classes,
                labelEvaluation, on);
    }

    /** {@code dims} checked as one example's shape of input {@code name}: batch axis 1 first, sizes of at least 1. */
    private static List<Long> checkedShape(String name, List<Long> dims) {
        String shape = "--input-shape " + name + "=" + dims.stream().map(String::valueOf)
                .reduce((a, b) -> a + "x" + b).orElse("");
        if (dims.size() < 2 || dims.size() > MAX_AXES) {
            throw new InvalidOptionsException(shape + ": give the batch axis (1) and every other axis, at most "
                    + MAX_AXES + " in all");
        }
        for (long d : dims) {
            if (d < 1) {
                throw new InvalidOptionsException(shape + ": every size must be at least 1");
            }
        }
        if (dims.get(0) != 1) {
            throw new InvalidOptionsException(shape + ": the first axis is the batch axis; give 1 (each CSV row or "
                    + ".npy file is one example)");
        }
        return List.copyOf(dims);
    }
}
