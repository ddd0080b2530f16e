package dev.invariance.onnx.running.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.invariance.onnx.reading.InvalidModelException;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * The input an {@link ActivationProbe} feeds from a CSV file, chosen and checked against the session's description of
 * the model: a float32 tensor with a batch axis (dynamic, or fixed at 1) and at least one more axis, every other axis
 * of fixed size, at most {@link #MAX_EXAMPLE_VALUES} values per example.
 */
final class ProbeInput {
    /** Most values one example of the input may have (one batch row must fit a Java buffer). */
    static final long MAX_EXAMPLE_VALUES = Integer.MAX_VALUE / Float.BYTES;

    /** The input's name. */
    final String name;
    /** The input's shape without the batch axis. */
    final long[] exampleShape;
    /** Values per example: the product of {@link #exampleShape}. */
    final int exampleSize;
    /** The fixed batch size (1), or −1 for a dynamic batch axis. */
    final int fixedBatch;

    private ProbeInput(String name, long[] exampleShape, int fixedBatch) {
        this.name = name;
        this.exampleShape = exampleShape;
        this.exampleSize = (int) product(exampleShape);
        this.fixedBatch = fixedBatch;
    }

    /**
     * The input to feed: {@code wanted}, or the model's only input when {@code wanted} is null.
     *
     * @param source the model file's name for messages
     * @throws InvalidModelException when there is no such input, a choice is needed, or the input cannot be fed from
     *                               a CSV file
     * @throws OrtException          when ONNX Runtime cannot describe the inputs
     */
    static ProbeInput choose(String source, OrtSession session, @Nullable String wanted) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        String input = chooseName(source, inputs.keySet(), wanted);
        NodeInfo chosen = inputs.get(input); // chooseName returns one of the keys
        if (chosen == null || !(chosen.getInfo() instanceof TensorInfo info)) {
            throw new InvalidModelException(source + ": input '" + input + "' is not a tensor");
        }
        if (info.type != OnnxJavaType.FLOAT) {
            throw new InvalidModelException(source + ": input '" + input + "' holds " + info.type
                    + " values; only float32 inputs can be fed from a CSV file");
        }
        long[] shape = info.getShape();
        if (shape.length < 2) {
            throw new InvalidModelException(source + ": input '" + input + "' has shape " + Arrays.toString(shape)
                    + "; expected a batch axis and at least one feature axis");
        }
        int fixedBatch = shape[0] > 0 ? (int) shape[0] : -1;
        if (fixedBatch > 1) {
            throw new InvalidModelException(source + ": input '" + input + "' has a fixed batch dimension of "
                    + fixedBatch + "; only a dynamic batch dimension or 1 is supported");
        }
        long[] example = Arrays.copyOfRange(shape, 1, shape.length);
        for (long d : example) {
            if (d <= 0) {
                throw new InvalidModelException(source + ": input '" + input + "' has shape "
                        + ActivationProbe.describeShape(shape) + "; every axis but the batch axis must have a fixed size");
            }
        }
        if (product(example) > MAX_EXAMPLE_VALUES) {
            throw new InvalidModelException(source + ": input '" + input + "' has shape "
                    + ActivationProbe.describeShape(shape) + ", more than " + MAX_EXAMPLE_VALUES + " values per example");
        }
        return new ProbeInput(input, example, fixedBatch);
    }

    /** The product of positive sizes (unknown sizes count as 1), saturating at {@link Long#MAX_VALUE}. */
    static long product(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n = d > 0 && n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * Math.max(1, d);
        }
        return n;
    }

    private static String chooseName(String source, Set<String> inputs, @Nullable String wanted) {
        if (wanted != null) {
            if (!inputs.contains(wanted)) {
                throw new InvalidModelException(source + ": no input '" + wanted + "' (inputs: "
                        + String.join(", ", inputs) + ")");
            }
            return wanted;
        }
        if (inputs.size() != 1) {
            throw new InvalidModelException(source + ": the model has " + inputs.size() + " inputs ("
                    + String.join(", ", inputs) + "); choose one with --input");
        }
        return inputs.iterator().next();
    }
}
