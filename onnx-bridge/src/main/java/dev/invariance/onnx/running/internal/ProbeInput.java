package dev.invariance.onnx.running.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.invariance.onnx.reading.InvalidModelException;

import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * The input an {@link ActivationProbe} feeds, checked against the session's description of the model: the
 * {@link ModelInput} chosen from the graph, with every axis but the batch axis fixed (as declared, or as the data and
 * {@code --input-shape} fixed them), at most {@link ModelInput#MAX_EXAMPLE_VALUES} values per example. It wraps a batch of
 * examples (a direct buffer of the input's element type) in a tensor without copying it.
 */
final class ProbeInput {
    /** The input's name. */
    final String name;
    /** The element type: FLOAT, INT32 or INT64. */
    final OnnxJavaType type;
    /** The input's shape without the batch axis. */
    final long[] exampleShape;
    /** Values per example: the product of {@link #exampleShape}. */
    final int exampleSize;
    /** The fixed batch size (1), or −1 for a dynamic batch axis. */
    final int fixedBatch;

    private ProbeInput(String name, OnnxJavaType type, long[] exampleShape, int fixedBatch) {
        this.name = name;
        this.type = type;
        this.exampleShape = exampleShape;
        this.exampleSize = (int) ModelInput.product(exampleShape);
        this.fixedBatch = fixedBatch;
    }

    /**
     * The input {@code input} with examples of shape {@code exampleShape}, checked against the session.
     *
     * @param source the model file's name for messages
     * @throws InvalidModelException when ONNX Runtime describes the input otherwise, or an example is too large
     * @throws OrtException          when ONNX Runtime cannot describe the inputs
     */
    static ProbeInput of(String source, OrtSession session, ModelInput input, long[] exampleShape)
            throws OrtException {
        NodeInfo node = session.getInputInfo().get(input.name());
        if (node == null || !(node.getInfo() instanceof TensorInfo info)) {
            throw new InvalidModelException(source + ": ONNX Runtime does not list input '" + input.name()
                    + "' as a tensor");
        }
        if (info.type != input.type()) {
            throw new InvalidModelException(source + ": ONNX Runtime reads input '" + input.name() + "' as "
                    + info.type + ", the graph declares " + input.typeName());
        }
        long[] shape = info.getShape();
        if (shape.length != 0 && shape.length != exampleShape.length + 1) {
            throw new InvalidModelException(source + ": ONNX Runtime gives input '" + input.name() + "' the shape "
                    + Arrays.toString(shape) + ", not one of rank " + (exampleShape.length + 1));
        }
        for (int a = 1; a < shape.length; a++) {
            if (shape[a] > 0 && shape[a] != exampleShape[a - 1]) {
                throw new InvalidModelException(source + ": ONNX Runtime gives input '" + input.name() + "' the shape "
                        + Arrays.toString(shape) + ", not [N, " + Arrays.toString(exampleShape).substring(1));
            }
        }
        if (ModelInput.product(exampleShape) > ModelInput.MAX_EXAMPLE_VALUES) {
            throw new InvalidModelException(source + ": input '" + input.name() + "' takes "
                    + Arrays.toString(exampleShape) + " per example, more than " + ModelInput.MAX_EXAMPLE_VALUES
                    + " values");
        }
        int fixedBatch = shape.length > 0 && shape[0] > 0 ? (int) Math.min(shape[0], Integer.MAX_VALUE) : -1;
        if (fixedBatch > 1) {
            throw new InvalidModelException(source + ": input '" + input.name() + "' has a fixed batch dimension of "
                    + fixedBatch + "; only a dynamic batch dimension or 1 is supported");
        }
        return new ProbeInput(input.name(), input.type(), exampleShape.clone(), fixedBatch);
    }

    /** Bytes per value of the element type. */
    int valueBytes() {
        return type == OnnxJavaType.INT64 ? Long.BYTES : Integer.BYTES;
    }

    /**
     * A tensor over the first {@code rows} examples of {@code batch} (from its position), which must be a buffer of the
     * input's element type: FloatBuffer, IntBuffer or LongBuffer; a direct buffer in native order is not copied.
     */
    OnnxTensor tensor(OrtEnvironment env, Buffer batch, int rows) throws OrtException {
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = rows;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        int n = Math.multiplyExact(rows, exampleSize);
        if (type == OnnxJavaType.FLOAT && batch instanceof FloatBuffer f) {
            return OnnxTensor.createTensor(env, f.duplicate().limit(f.position() + n).slice(), shape);
        }
        if (type == OnnxJavaType.INT32 && batch instanceof IntBuffer i) {
            return OnnxTensor.createTensor(env, i.duplicate().limit(i.position() + n).slice(), shape);
        }
        if (type == OnnxJavaType.INT64 && batch instanceof LongBuffer l) {
            return OnnxTensor.createTensor(env, l.duplicate().limit(l.position() + n).slice(), shape);
        }
        throw new IllegalArgumentException("input '" + name + "' takes " + type + " values, not a "
                + batch.getClass().getSimpleName());
    }
}
