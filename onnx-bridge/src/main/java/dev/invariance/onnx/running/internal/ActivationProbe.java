package dev.invariance.onnx.running.internal;

import dev.invariance.onnx.running.DeviceUnavailableException;
import dev.invariance.onnx.running.ExecutionDevice;
import dev.invariance.onnx.reading.InvalidModelException;
import dev.invariance.onnx.reading.OnnxModel;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.invariance.analysis.LayerActivation;
import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs an ONNX model with ONNX Runtime and records, for chosen intermediate values, which units are ever positive
 * and ever non-positive over the data (science.md 2.11: {@code Act[n, j] = 1[h_j(x_n) > 0]}).
 * <p>
 * The values come from the model itself: they are added as graph outputs of an in-memory copy of the model, which
 * is opened in one {@link OrtSession} ({@link OrtSessions#open}); nothing of the forward pass is re-implemented here. Only running statistics
 * are kept (per unit: ever positive, ever non-positive, how many exact zeros), so memory does not grow with the
 * number of examples. Every batch's tensors are closed after the batch.
 * <p>
 * A value of shape {@code [N, ..., d]} has its units on the last axis; every leading index (the example, and for
 * example a sequence position) is one observation, so a unit is stably active only if it is positive at every
 * position of every example.
 */
public final class ActivationProbe implements AutoCloseable {

    /**
     * One value to observe.
     *
     * @param layer the layer index in the network description
     * @param name  the layer's name
     * @param value the ONNX value holding the layer's pre-activation {@code h = W x + b}
     * @param units the layer's width d_out (the value's last axis)
     */
    public record Point(int layer, String name, String value, int units) {
    }

    /** Receives the model's own outputs of one batch (valid only during the call). */
    @FunctionalInterface
    public interface OutputConsumer {
        /**
         * @param outputs the model's graph outputs, in the model's order
         * @param rows    the examples in the batch
         */
        void accept(List<OnnxValue> outputs, int rows);
    }

    private final OrtEnvironment env;
    private final OrtSessions.Opened opened;
    private final String source;
    private final String inputName;
    private final long[] exampleShape;
    private final int exampleSize;
    private final int fixedBatch;
    private final List<String> modelOutputs;
    private final List<Point> points;
    private final Set<String> requested;
    /** Per point and unit: ever h > 0, ever h <= 0 (or NaN), observations with h = 0 exactly. */
    private final boolean[][] positive;
    private final boolean[][] nonPositive;
    private final long[][] zero;
    private final long[] observations;
    /** Per point: the units not yet seen on both sides of 0 (the first {@code undecidedCount} entries). */
    private final int[][] undecided;
    private final int[] undecidedCount;
    private final int[][] batchPositive;
    private final int[][] batchZero;
    /** Per point: the value's shape without the batch axis when ONNX Runtime writes it into our buffer, else null. */
    private final long[] @Nullable [] pinnedShape;
    private final @Nullable FloatBuffer[] pinnedBuffer;
    private final Set<String> requestedUnpinned;
    private final long bytesPerExample;
    private float[] scratch = new float[0];
    private long examples;

    private ActivationProbe(OrtEnvironment env, OrtSessions.Opened opened, String source, String inputName,
                            long[] exampleShape, int fixedBatch, List<String> modelOutputs, List<Point> points,
                            Map<String, NodeInfo> outputInfo) {
        this.env = env;
        this.opened = opened;
        this.source = source;
        this.inputName = inputName;
        this.exampleShape = exampleShape;
        this.exampleSize = (int) product(exampleShape);
        this.fixedBatch = fixedBatch;
        this.modelOutputs = List.copyOf(modelOutputs);
        this.points = List.copyOf(points);
        LinkedHashSet<String> req = new LinkedHashSet<>(modelOutputs);
        for (Point p : points) {
            req.add(p.value());
        }
        this.requested = req;
        // values ONNX Runtime can write straight into a buffer of ours (float, every axis but the batch known): no
        // output allocation and copy per batch
        this.pinnedShape = new long[points.size()][];
        this.pinnedBuffer = new FloatBuffer[points.size()];
        LinkedHashSet<String> unpinned = new LinkedHashSet<>(modelOutputs);
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            NodeInfo info = outputInfo.get(p.value());
            long[] rest = null;
            if (!modelOutputs.contains(p.value()) && info != null && info.getInfo() instanceof TensorInfo t
                    && t.type == OnnxJavaType.FLOAT && t.getShape().length >= 2
                    && t.getShape()[t.getShape().length - 1] == p.units()) {
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
        long values = exampleSize;
        for (Point p : points) {
            NodeInfo info = outputInfo.get(p.value());
            long perExample = p.units();
            if (info != null && info.getInfo() instanceof TensorInfo t && t.getShape().length >= 2) {
                perExample = Math.max(perExample, product(Arrays.copyOfRange(t.getShape(), 1, t.getShape().length)));
            }
            values = perExample > Long.MAX_VALUE / 8 - values ? Long.MAX_VALUE / 8 : values + perExample;
        }
        this.bytesPerExample = values * Float.BYTES;
        this.positive = new boolean[points.size()][];
        this.nonPositive = new boolean[points.size()][];
        this.zero = new long[points.size()][];
        this.observations = new long[points.size()];
        this.undecided = new int[points.size()][];
        this.undecidedCount = new int[points.size()];
        this.batchPositive = new int[points.size()][];
        this.batchZero = new int[points.size()][];
        for (int i = 0; i < points.size(); i++) {
            int d = points.get(i).units();
            positive[i] = new boolean[d];
            nonPositive[i] = new boolean[d];
            zero[i] = new long[d];
            undecided[i] = new int[d];
            for (int j = 0; j < d; j++) {
                undecided[i][j] = j;
            }
            undecidedCount[i] = d;
            batchPositive[i] = new int[d];
            batchZero[i] = new int[d];
        }
    }

    /**
     * Opens the probe: one ONNX Runtime session of the reader's {@code model} with the observed values added as
     * outputs ({@link OrtSessions#open}; external data from the locations checked when the model was opened).
     *
     * @param inputName  the input to feed, or null when the model has exactly one input
     * @param points     the values to observe
     * @param device     where to run
     * @param runtimeLog whether ONNX Runtime logs its warnings and errors (else only fatal ones)
     * @param notes      receives one-line notes (the {@code auto} fallback)
     * @throws InvalidModelException      when the input or a value cannot be used
     * @throws DeviceUnavailableException for {@code cuda} without a usable CUDA provider
     */
    public static ActivationProbe open(OrtEnvironment env, OnnxModel model, @Nullable String inputName,
                                       List<Point> points, ExecutionDevice device, boolean runtimeLog,
                                       Consumer<String> notes) {
        String source = model.info().path();
        List<String> outputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto o : model.getModelProto().getGraph().getOutputList()) {
            outputs.add(o.getName());
        }
        List<String> observed = new ArrayList<>();
        for (Point p : points) {
            observed.add(p.value());
        }
        OrtSessions.Opened opened = OrtSessions.open(env, model, observed, device, runtimeLog, notes);
        try {
            OrtSession session = opened.session();
            Map<String, NodeInfo> inputs = session.getInputInfo();
            String input = chooseInput(source, inputs.keySet(), inputName);
            if (!(inputs.get(input).getInfo() instanceof TensorInfo info)) {
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
                            + describeShape(shape) + "; every axis but the batch axis must have a fixed size");
                }
            }
            if (product(example) > MAX_EXAMPLE_VALUES) {
                throw new InvalidModelException(source + ": input '" + input + "' has shape " + describeShape(shape)
                        + ", more than " + MAX_EXAMPLE_VALUES + " values per example");
            }
            return new ActivationProbe(env, opened, source, input, example, fixedBatch, outputs, points,
                    session.getOutputInfo());
        } catch (OrtException e) {
            opened.close();
            throw new InvalidModelException(source + ": ONNX Runtime cannot describe the model's inputs ("
                    + OrtSessions.firstLine(e.getMessage()) + ")", e);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** Most values one example of the input may have (one batch row must fit a Java buffer). */
    static final long MAX_EXAMPLE_VALUES = Integer.MAX_VALUE / Float.BYTES;

    /** The product of positive sizes, saturating at {@link Long#MAX_VALUE}. */
    private static long product(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n = d > 0 && n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * Math.max(1, d);
        }
        return n;
    }

    private static String chooseInput(String source, Set<String> inputs, @Nullable String wanted) {
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

    public static String describeShape(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i] < 0 ? "N" : Long.toString(shape[i]));
        }
        return sb.append(']').toString();
    }

    /** The fed input's name. */
    public String getInputName() {
        return inputName;
    }

    /** The input's shape without the batch axis. */
    public long[] getExampleShape() {
        return exampleShape.clone();
    }

    /** Values per example (the product of {@link #getExampleShape()}). */
    public int getExampleSize() {
        return exampleSize;
    }

    /**
     * The bytes of Java buffers one example takes in a batch: its input values and, for every observed value, its
     * values per example (the value's shape without the batch axis as ONNX Runtime describes it, unknown sizes counted
     * as 1; at least the layer's units), float32 each.
     */
    public long getBytesPerExample() {
        return bytesPerExample;
    }

    /** The largest batch the input accepts: 1 for a fixed batch axis of 1, otherwise unbounded. */
    public int getMaxBatch() {
        return fixedBatch == 1 ? 1 : Integer.MAX_VALUE;
    }

    /** The execution provider running the session. */
    public String getProvider() {
        return opened.provider();
    }

    /** The CUDA device ordinal, or null on the CPU. */
    public @Nullable Integer getDeviceId() {
        return opened.deviceId();
    }

    /** The model's own output names, in order. */
    public List<String> getModelOutputs() {
        return modelOutputs;
    }

    /** The session's description of the model's output {@code name}. */
    public TensorInfo outputInfo(String name) {
        try {
            NodeInfo info = opened.session().getOutputInfo().get(name);
            if (info == null || !(info.getInfo() instanceof TensorInfo t)) {
                throw new InvalidModelException(source + ": output '" + name + "' is not a tensor");
            }
            return t;
        } catch (OrtException e) {
            throw new InvalidModelException(source + ": ONNX Runtime cannot describe output '" + name + "' ("
                    + OrtSessions.firstLine(e.getMessage()) + ")", e);
        }
    }

    /** Examples run so far. */
    public long getExamples() {
        return examples;
    }

    /**
     * Runs one batch: {@code rows} examples of {@link #getExampleSize()} values each, row-major from the buffer's
     * position (a direct buffer in native order is passed to ONNX Runtime without a copy). Updates the statistics
     * and hands the model's outputs to {@code outputs}.
     *
     * @throws InvalidModelException when ONNX Runtime fails or an observed value has the wrong width
     */
    public void runBatch(FloatBuffer batch, int rows, @Nullable OutputConsumer outputs) {
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = rows;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        FloatBuffer view = batch.duplicate();
        view.limit(view.position() + rows * exampleSize);
        Map<String, OnnxTensor> pins = new HashMap<>();
        try {
            for (int i = 0; i < points.size(); i++) {
                if (pinnedShape[i] != null) {
                    pins.put(points.get(i).value(), pinnedTensor(i, rows));
                }
            }
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, view.slice(), shape);
                 OrtSession.Result result = pins.isEmpty() ? opened.session().run(Map.of(inputName, tensor), requested)
                         : opened.session().run(Map.of(inputName, tensor), requestedUnpinned, pins)) {
                for (int i = 0; i < points.size(); i++) {
                    Point p = points.get(i);
                    if (pinnedShape[i] != null) {
                        FloatBuffer written = pinnedBuffer[i].duplicate();
                        int n = Math.multiplyExact(rows, perExample(pinnedShape[i]));
                        written.clear().limit(n);
                        count(i, p, written, n);
                    } else {
                        observe(i, p, result.get(p.value()).orElseThrow());
                    }
                }
                if (outputs != null) {
                    List<OnnxValue> own = new ArrayList<>(modelOutputs.size());
                    for (String name : modelOutputs) {
                        own.add(result.get(name).orElseThrow());
                    }
                    outputs.accept(own, rows);
                }
            }
        } catch (OrtException e) {
            throw new InvalidModelException(source + ": ONNX Runtime failed on examples " + (examples + 1) + "-"
                    + (examples + rows) + " (" + OrtSessions.firstLine(e.getMessage()) + ")", e);
        } finally {
            for (OnnxTensor t : pins.values()) {
                t.close();
            }
        }
        examples += rows;
    }

    private static int perExample(long[] rest) {
        int n = 1;
        for (long d : rest) {
            n = Math.multiplyExact(n, (int) d);
        }
        return n;
    }

    /** A tensor over our buffer of point i for {@code rows} examples, which ONNX Runtime fills. */
    private OnnxTensor pinnedTensor(int i, int rows) throws OrtException {
        long[] rest = pinnedShape[i];
        int n = Math.multiplyExact(rows, perExample(rest));
        FloatBuffer b = pinnedBuffer[i];
        if (b == null || b.capacity() < n) {
            b = ByteBuffer.allocateDirect(Math.multiplyExact(n, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
            pinnedBuffer[i] = b;
        }
        long[] shape = new long[rest.length + 1];
        shape[0] = rows;
        System.arraycopy(rest, 0, shape, 1, rest.length);
        FloatBuffer view = b.duplicate();
        view.clear().limit(n);
        return OnnxTensor.createTensor(env, view.slice(), shape);
    }

    /** Counts n float values of point i read from {@code values}. */
    private void count(int index, Point p, FloatBuffer values, int n) {
        if (scratch.length < n) {
            scratch = new float[n];
        }
        values.get(scratch, 0, n);
        accumulate(index, p.units(), n);
    }

    private void observe(int index, Point p, OnnxValue value) {
        if (!(value instanceof OnnxTensor t)) {
            throw new InvalidModelException(source + ": value '" + p.value() + "' of layer " + p.name()
                    + " is not a tensor");
        }
        long[] shape = t.getInfo().getShape();
        int d = p.units();
        if (shape.length < 2 || shape[shape.length - 1] != d) {
            throw new InvalidModelException(source + ": value '" + p.value() + "' of layer " + p.name() + " has shape "
                    + Arrays.toString(shape) + "; expected the layer's " + d + " units on the last axis");
        }
        int n;
        if (t.getInfo().type == OnnxJavaType.FLOAT) {
            FloatBuffer fb = t.getFloatBuffer();
            n = fb.remaining();
            if (scratch.length < n) {
                scratch = new float[n];
            }
            fb.get(scratch, 0, n);
        } else if (t.getInfo().type == OnnxJavaType.DOUBLE) {
            DoubleBuffer db = t.getDoubleBuffer();
            n = db.remaining();
            if (scratch.length < n) {
                scratch = new float[n];
            }
            // keep each value's sign class (positive, negative, zero, NaN): a tiny double must not round to 0
            for (int k = 0; k < n; k++) {
                double v = db.get(k);
                scratch[k] = v > 0 ? Math.max((float) v, Float.MIN_VALUE) : v < 0 ? Math.min((float) v, -Float.MIN_VALUE)
                        : (float) v;
            }
        } else {
            throw new InvalidModelException(source + ": value '" + p.value() + "' of layer " + p.name() + " holds "
                    + t.getInfo().type + " values; expected float or double");
        }
        accumulate(index, d, n);
    }

    /**
     * Adds the first n scratch values (d units per observation) to point {@code index}. Exact zeros are rare, so a
     * cheap scan looks for one first: without any, only the units not yet seen on both sides of 0 are visited; with
     * one, every unit is counted (its zeros included).
     */
    private void accumulate(int index, int d, int n) {
        observations[index] += n / d;
        boolean[] pos = positive[index];
        boolean[] non = nonPositive[index];
        if (anyZero(scratch, n)) {
            count(scratch, n, d, batchPositive[index], batchZero[index]);
            int rows = n / d;
            long[] zer = zero[index];
            int[] bp = batchPositive[index];
            int[] bz = batchZero[index];
            for (int j = 0; j < d; j++) {
                pos[j] |= bp[j] > 0;
                non[j] |= bp[j] < rows;
                zer[j] += bz[j];
            }
        } else {
            int[] units = undecided[index];
            int u = undecidedCount[index];
            for (int k = 0; k < n && u > 0; k += d) {
                for (int i = 0; i < u; i++) {
                    int j = units[i];
                    if (scratch[k + j] > 0) {
                        pos[j] = true;
                    } else {
                        non[j] = true;
                    }
                }
            }
        }
        int[] units = undecided[index];
        int kept = 0;
        for (int i = 0; i < undecidedCount[index]; i++) {
            int j = units[i];
            if (!(pos[j] && non[j])) {
                units[kept++] = j;
            }
        }
        undecidedCount[index] = kept;
    }

    /** Whether any of the first n values is exactly 0 (either sign; branch-free so the JIT vectorises it). */
    private static boolean anyZero(float[] v, int n) {
        int z = 0;
        for (int k = 0; k < n; k++) {
            z |= v[k] == 0 ? 1 : 0;
        }
        return z != 0;
    }

    /**
     * Per unit j, the entries {@code v[k·d + j] > 0} and {@code == 0} among the first n values (branch-free, so the
     * JIT vectorises it; NaN counts as neither, so as inactive).
     */
    private static void count(float[] v, int n, int d, int[] positive, int[] zero) {
        java.util.Arrays.fill(positive, 0);
        java.util.Arrays.fill(zero, 0);
        for (int k = 0; k < n; k += d) {
            for (int j = 0; j < d; j++) {
                float x = v[k + j];
                positive[j] += x > 0 ? 1 : 0;
                zero[j] += x == 0 ? 1 : 0;
            }
        }
    }

    /**
     * The activation pattern of every observed layer over the examples run so far: S = units positive at every
     * observation, Z = units never positive, ties (h = 0 exactly, counted as inactive) reported separately.
     */
    public List<LayerActivation> activations() {
        List<LayerActivation> out = new ArrayList<>(points.size());
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            List<Integer> active = new ArrayList<>();
            List<Integer> dead = new ArrayList<>();
            int tiedUnits = 0;
            long ties = 0;
            for (int j = 0; j < p.units(); j++) {
                if (observations[i] > 0 && positive[i][j] && !nonPositive[i][j]) {
                    active.add(j);
                } else if (!positive[i][j]) {
                    dead.add(j);
                }
                if (zero[i][j] > 0) {
                    tiedUnits++;
                    ties += zero[i][j];
                }
            }
            out.add(new LayerActivation(p.layer(), p.name(), active, dead, p.units() - active.size() - dead.size(),
                    tiedUnits, ties));
        }
        return List.copyOf(out);
    }

    /** Closes the session. */
    @Override
    public void close() {
        opened.close();
    }
}
