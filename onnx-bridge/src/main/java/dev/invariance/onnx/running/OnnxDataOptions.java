package dev.invariance.onnx.running;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * How data are run through an ONNX model. Immutable; {@link #defaults()} then the {@code withX} methods.
 *
 * @param inputName the input to feed, or null when the model has exactly one input (other inputs with defaults are
 *                  left alone)
 * @param batchSize examples per ONNX Runtime call; 0 chooses one from the model's widths (about
 *                  {@value #AUTO_BATCH_BYTES} bytes of inputs and observed values per batch, at most
 *                  {@value #MAX_AUTO_BATCH} examples); either way the batch's buffers must fit
 *                  {@link #batchMemoryBudget()}
 * @param device    where ONNX Runtime runs
 * @param classes   the class labels in the order of the model's output columns; empty means the distinct labels of
 *                  the data, in numeric order when all are numbers and in string order otherwise
 * @param labelEvaluation whether to make Tribuo's {@code LabelEvaluation}, which keeps one prediction (label and
 *                  scores) per example; without it memory does not grow with the examples at all
 * @param runtimeLog whether ONNX Runtime's own log lines (its warnings and errors, which it writes to standard error
 *                  itself) are shown; without it only its fatal errors are, and a refusal is one line of ours
 */
public record OnnxDataOptions(@Nullable String inputName, int batchSize, ExecutionDevice device, List<String> classes,
                              boolean labelEvaluation, boolean runtimeLog) {
    /** Bytes of input and observed values aimed at per batch when {@code batchSize} is 0. */
    public static final long AUTO_BATCH_BYTES = 16L << 20;
    /** The largest automatic batch. */
    public static final int MAX_AUTO_BATCH = 1024;

    /** Checks the batch size and copies the class list. */
    public OnnxDataOptions {
        if (batchSize < 0) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        }
        classes = List.copyOf(classes);
    }

    /** The only input, an automatic batch size, the CPU, classes from the data, with the LabelEvaluation, quiet. */
    public static OnnxDataOptions defaults() {
        return new OnnxDataOptions(null, 0, ExecutionDevice.cpu(), List.of(), true, false);
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
        return new OnnxDataOptions(name, batchSize, device, classes, labelEvaluation, runtimeLog);
    }

    /** The same options with {@code n} examples per batch (0: automatic). */
    public OnnxDataOptions withBatchSize(int n) {
        return new OnnxDataOptions(inputName, n, device, classes, labelEvaluation, runtimeLog);
    }

    /** The same options on {@code d}. */
    public OnnxDataOptions withDevice(ExecutionDevice d) {
        return new OnnxDataOptions(inputName, batchSize, d, classes, labelEvaluation, runtimeLog);
    }

    /** The same options with ({@code true}) or without Tribuo's {@code LabelEvaluation}. */
    public OnnxDataOptions withLabelEvaluation(boolean on) {
        return new OnnxDataOptions(inputName, batchSize, device, classes, on, runtimeLog);
    }

    /** The same options with the model's class order given explicitly. */
    public OnnxDataOptions withClasses(List<String> order) {
        return new OnnxDataOptions(inputName, batchSize, device, order, labelEvaluation, runtimeLog);
    }

    /** The same options with ({@code true}) or without ONNX Runtime's own log lines. */
    public OnnxDataOptions withRuntimeLog(boolean on) {
        return new OnnxDataOptions(inputName, batchSize, device, classes, labelEvaluation, on);
    }
}
