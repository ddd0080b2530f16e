package dev.invariance.onnx.running.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an {@link ActivationProbe}'s session is asked for each batch: the model's own outputs and the observed values.
 * An observed value that ONNX Runtime can write straight into a buffer of ours (float, every axis but the batch
 * known, not also a model output) is pinned to such a direct buffer, grown as batches need: no output allocation and
 * copy per batch. The others come back in the session's result. The outputs asked for are the model's outputs
 * requested (all, one, or none) and the observed values.
 */
final class ObservedOutputs {
    private final List<ActivationProbe.Point> points;
    private final Set<String> requested;
    private final Set<String> requestedUnpinned;
    /** Per point: the value's shape without the batch axis when ONNX Runtime writes it into our buffer, else null. */
    private final long[] @Nullable [] pinnedShape;
    private final @Nullable FloatBuffer[] pinnedBuffer;

    /**
     * The outputs to ask for.
     *
     * @param modelOutputs the model's own outputs to ask for, in order
     * @param points       the values to observe
     * @param outputInfo   the session's description of its outputs (the observed values included)
     */
    ObservedOutputs(List<String> modelOutputs, List<ActivationProbe.Point> points, Map<String, NodeInfo> outputInfo) {
        this.points = points;
        LinkedHashSet<String> req = new LinkedHashSet<>(modelOutputs);
        for (ActivationProbe.Point p : points) {
            req.add(p.value());
        }
        this.requested = req;
        this.pinnedShape = new long[points.size()][];
        this.pinnedBuffer = new FloatBuffer[points.size()];
        LinkedHashSet<String> unpinned = new LinkedHashSet<>(modelOutputs);
        for (int i = 0; i < points.size(); i++) {
            ActivationProbe.Point p = points.get(i);
            NodeInfo info = outputInfo.get(p.value());
            long[] rest = null;
            if (!modelOutputs.contains(p.value()) && info != null && info.getInfo() instanceof TensorInfo t
                    && t.type == OnnxJavaType.FLOAT && p.holdsUnits(t.getShape())) {
                rest = Arrays.copyOfRange(t.getShape(), 1, t.getShape().length);
                for (long dim : rest) {
                    if (dim <= 0) {
                        rest = null;
                        break;
                    }
                }
            }
            pinnedShape[i] = rest;
            if (rest == null) {
                unpinned.add(p.value());
            }
        }
        this.requestedUnpinned = unpinned;
    }

    /**
     * The bytes of Java buffers one example takes in a batch: its {@code inputBytes} and, for every observed value,
     * its values per example (the value's shape without the batch axis as ONNX Runtime describes it, unknown sizes
     * counted as 1; at least the layer's units), float32 each.
     */
    static long bytesPerExample(long inputBytes, List<ActivationProbe.Point> points, Map<String, NodeInfo> outputInfo) {
        long values = 0;
        for (ActivationProbe.Point p : points) {
            NodeInfo info = outputInfo.get(p.value());
            long perExample = p.units();
            if (info != null && info.getInfo() instanceof TensorInfo t && t.getShape().length >= 2) {
                perExample = Math.max(perExample,
                        ModelInput.product(Arrays.copyOfRange(t.getShape(), 1, t.getShape().length)));
            }
            values = perExample > Long.MAX_VALUE / 8 - values ? Long.MAX_VALUE / 8 : values + perExample;
        }
        return Math.min(Long.MAX_VALUE / 2, values * Float.BYTES + inputBytes);
    }

    /** Whether point {@code i} is written into our buffer. */
    boolean isPinned(int i) {
        return pinnedShape[i] != null;
    }

    /**
     * Puts into {@code pins} a tensor over our buffer of every pinned point for {@code rows} examples, which ONNX
     * Runtime fills; the caller closes them (also those put before a failure).
     */
    void pin(OrtEnvironment env, int rows, Map<String, OnnxTensor> pins) throws OrtException {
        for (int i = 0; i < points.size(); i++) {
            if (pinnedShape[i] != null) {
                pins.put(points.get(i).value(), pinnedTensor(env, i, rows));
            }
        }
    }

    /**
     * Runs one batch: the session asked for every output, the pinned ones written into their buffers.
     *
     * @param pins the tensors of {@link #pin} for this batch
     */
    OrtSession.Result run(OrtSession session, Map<String, OnnxTensor> inputs, Map<String, OnnxTensor> pins)
            throws OrtException {
        return pins.isEmpty() ? session.run(inputs, requested) : session.run(inputs, requestedUnpinned, pins);
    }

    /** The values ONNX Runtime wrote for pinned point {@code i} in a batch of {@code rows} examples, from position 0. */
    FloatBuffer written(int i, int rows) {
        FloatBuffer written = pinnedBuffer[i].duplicate();
        written.clear().limit(Math.multiplyExact(rows, perExample(pinnedShape[i])));
        return written;
    }

    /** The shape of pinned point {@code i}'s value in a batch of {@code rows} examples. */
    long[] shape(int i, int rows) {
        long[] rest = pinnedShape[i];
        long[] shape = new long[rest.length + 1];
        shape[0] = rows;
        System.arraycopy(rest, 0, shape, 1, rest.length);
        return shape;
    }

    private static int perExample(long[] rest) {
        int n = 1;
        for (long d : rest) {
            n = Math.multiplyExact(n, (int) d);
        }
        return n;
    }

    /** A tensor over our buffer of point i for {@code rows} examples, which ONNX Runtime fills. */
    private OnnxTensor pinnedTensor(OrtEnvironment env, int i, int rows) throws OrtException {
        long[] rest = pinnedShape[i];
        int n = Math.multiplyExact(rows, perExample(rest));
        FloatBuffer b = pinnedBuffer[i];
        if (b == null || b.capacity() < n) {
            b = ByteBuffer.allocateDirect(Math.multiplyExact(n, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
            pinnedBuffer[i] = b;
        }
        FloatBuffer view = b.duplicate();
        view.clear().limit(n);
        return OnnxTensor.createTensor(env, view.slice(), shape(i, rows));
    }
}
