package dev.invariance.onnx;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * How data are run through an ONNX model. Immutable; {@link #defaults()} then the {@code withX} methods.
 *
 * @param inputName the input to feed, or null when the model has exactly one input (other inputs with defaults are
 *                  left alone)
 * @param batchSize examples per ONNX Runtime call; 0 chooses one from the model's widths (about
 *                  {@value #AUTO_BATCH_BYTES} bytes of inputs and observed values per batch, at most
 *                  {@value #MAX_AUTO_BATCH} examples)
 * @param device    where ONNX Runtime runs
 * @param classes   the class labels in the order of the model's output columns; empty means the distinct labels of
 *                  the data, in numeric order when all are numbers and in string order otherwise
 * @param labelEvaluation whether to make Tribuo's {@code LabelEvaluation}, which keeps one prediction (label and
 *                  scores) per example and a second session of the model in {@code ONNXExternalModel}; without it
 *                  memory does not grow with the examples at all
 */
public record OnnxDataOptions(@Nullable String inputName, int batchSize, ExecutionDevice device, List<String> classes,
                              boolean labelEvaluation) {
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

    /** The only input, an automatic batch size, the CPU, classes from the data, with the LabelEvaluation. */
    public static OnnxDataOptions defaults() {
        return new OnnxDataOptions(null, 0, ExecutionDevice.cpu(), List.of(), true);
    }

    /** The same options feeding input {@code name} (null: the only input). */
    public OnnxDataOptions withInputName(@Nullable String name) {
        return new OnnxDataOptions(name, batchSize, device, classes, labelEvaluation);
    }

    /** The same options with {@code n} examples per batch (0: automatic). */
    public OnnxDataOptions withBatchSize(int n) {
        return new OnnxDataOptions(inputName, n, device, classes, labelEvaluation);
    }

    /** The same options on {@code d}. */
    public OnnxDataOptions withDevice(ExecutionDevice d) {
        return new OnnxDataOptions(inputName, batchSize, d, classes, labelEvaluation);
    }

    /** The same options with ({@code true}) or without Tribuo's {@code LabelEvaluation}. */
    public OnnxDataOptions withLabelEvaluation(boolean on) {
        return new OnnxDataOptions(inputName, batchSize, device, classes, on);
    }

    /** The same options with the model's class order given explicitly. */
    public OnnxDataOptions withClasses(List<String> order) {
        return new OnnxDataOptions(inputName, batchSize, device, order, labelEvaluation);
    }
}
