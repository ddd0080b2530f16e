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

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs an ONNX model with ONNX Runtime and records, for chosen intermediate values, which units are ever positive
 * and ever non-positive over the data (science.md 2.11: {@code Act[n, j] = 1[h_j(x_n) > 0]}).
 * <p>
 * The values come from the model itself: they are added as graph outputs of an in-memory copy of the model, which
 * is opened in one {@link OrtSession} ({@link OrtSessions#open}); nothing of the forward pass is re-implemented here.
 * The input fed is chosen and checked by {@code ProbeInput}; the outputs asked for, and the buffers ONNX Runtime
 * writes observed values into, are {@code ObservedOutputs}'; each observed value's running statistics are
 * {@code SignCounts} (per unit: ever positive, ever non-positive, how many exact zeros), so memory does not grow with
 * the number of examples. Every batch's tensors are closed after the batch.
 * <p>
 * A value of shape {@code [N, ..., d]} has its units on the last axis; every leading index (the example, and for
 * example a sequence position) is one observation, so a unit is stably active only if it is positive at every
 * position of every example. A convolution's value {@code [N, C, ...]} has its units (channels) on axis 1, ONNX's
 * layout; every example and spatial position is one observation.
 */
public final class ActivationProbe implements AutoCloseable {

    /**
     * One value to observe.
     *
     * @param layer         the layer index in the network description
     * @param name          the layer's name
     * @param value         the ONNX value holding the layer's pre-activation {@code h = W x + b}
     * @param units         the layer's width d_out
     * @param channelsFirst whether the units are on axis 1 (a convolution's channels) rather than the last axis
     */
    public record Point(int layer, String name, String value, int units, boolean channelsFirst) {
        /** A value with its units on the last axis (a fully connected layer). */
        public Point(int layer, String name, String value, int units) {
            this(layer, name, value, units, false);
        }

        /** Whether a value of {@code shape} (batch axis first) has this point's units where they belong. */
        boolean holdsUnits(long[] shape) {
            return shape.length >= 2 && shape[channelsFirst ? 1 : shape.length - 1] == units;
        }

        /** Where the units are, for messages. */
        String unitAxis() {
            return channelsFirst ? "axis 1 (channels)" : "the last axis";
        }
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
    private final ProbeInput input;
    private final List<String> modelOutputs;
    private final List<Point> points;
    private final ObservedOutputs observed;
    /** Per point: its running statistics. */
    private final List<SignCounts> counts;
    private final long bytesPerExample;
    private float[] scratch = new float[0];
    private float[] unitsLast = new float[0];
    private long examples;

    private ActivationProbe(OrtEnvironment env, OrtSessions.Opened opened, String source, ProbeInput input,
                            List<String> modelOutputs, List<String> requestedOutputs, List<Point> points,
                            Map<String, NodeInfo> outputInfo) {
        this.env = env;
        this.opened = opened;
        this.source = source;
        this.input = input;
        this.modelOutputs = List.copyOf(modelOutputs);
        this.points = List.copyOf(points);
        this.observed = new ObservedOutputs(requestedOutputs, this.points, outputInfo);
        this.bytesPerExample = ObservedOutputs.bytesPerExample((long) input.exampleSize * input.valueBytes(), this.points,
                outputInfo);
        List<SignCounts> c = new ArrayList<>(points.size());
        for (Point p : points) {
            c.add(new SignCounts(p.units()));
        }
        this.counts = List.copyOf(c);
    }

    /**
     * Opens the probe on the input the model alone has, or {@code inputName}, whose every axis but the batch axis the
     * model fixes; the model's own outputs are handed to {@link #runBatch}'s consumer. As
     * {@link #open(OrtEnvironment, OnnxModel, ModelInput, long[], List, boolean, ExecutionDevice, boolean, Consumer)}.
     *
     * @throws InvalidModelException when the input has dynamic sizes besides the batch axis
     */
    public static ActivationProbe open(OrtEnvironment env, OnnxModel model, @Nullable String inputName,
                                       List<Point> points, ExecutionDevice device, boolean runtimeLog,
                                       Consumer<String> notes) {
        String source = model.info().path();
        ModelInput input = ModelInput.choose(source, model.getModelProto(), inputName);
        long[] example = input.fixedExampleShape();
        if (example == null) {
            throw new InvalidModelException(source + ": input '" + input.name() + "' has shape " + input.describe()
                    + "; every axis but the batch axis must have a fixed size");
        }
        return open(env, model, input, example, points, true, device, runtimeLog, notes);
    }

    /**
     * Opens the probe: one ONNX Runtime session of the reader's {@code model} with the observed values added as
     * outputs and {@code input}'s sizes behind the batch axis fixed to {@code exampleShape}
     * ({@link OrtSessions#open}; external data from the locations checked when the model was opened).
     *
     * @param input        the input fed ({@link ModelInput#choose})
     * @param exampleShape the shape of one example (the input's shape without the batch axis)
     * @param points       the values to observe
     * @param modelOutputs whether the model's own outputs are asked for and handed to {@link #runBatch}'s consumer
     *                     (without them, and without points, the first output is asked for: the model still runs)
     * @param device       where to run
     * @param runtimeLog   whether ONNX Runtime logs its warnings and errors (else only fatal ones)
     * @param notes        receives one-line notes (the {@code auto} fallback)
     * @throws InvalidModelException      when the input or a value cannot be used
     * @throws DeviceUnavailableException for {@code cuda} without a usable CUDA provider
     */
    public static ActivationProbe open(OrtEnvironment env, OnnxModel model, ModelInput input, long[] exampleShape,
                                       List<Point> points, boolean modelOutputs, ExecutionDevice device,
                                       boolean runtimeLog, Consumer<String> notes) {
        String source = model.info().path();
        List<String> outputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto o : model.getModelProto().getGraph().getOutputList()) {
            if (modelOutputs || (points.isEmpty() && outputs.isEmpty())) {
                outputs.add(o.getName());
            }
        }
        List<String> observed = new ArrayList<>();
        for (Point p : points) {
            observed.add(p.value());
        }
        OrtSessions.Opened opened = OrtSessions.open(env, model, observed, input.name(), exampleShape, device,
                runtimeLog, notes);
        try {
            OrtSession session = opened.session();
            ProbeInput fed = ProbeInput.of(source, session, input, exampleShape);
            return new ActivationProbe(env, opened, source, fed, modelOutputs ? outputs : List.of(), outputs, points,
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

    /** The fed input's name. */
    public String getInputName() {
        return input.name;
    }

    /** The input's element type: FLOAT, INT32 or INT64. */
    public OnnxJavaType getInputType() {
        return input.type;
    }

    /** The input's shape without the batch axis. */
    public long[] getExampleShape() {
        return input.exampleShape.clone();
    }

    /** Values per example (the product of {@link #getExampleShape()}). */
    public int getExampleSize() {
        return input.exampleSize;
    }

    /**
     * The bytes of Java buffers one example takes in a batch: its input values (4 or 8 bytes each) and, for every
     * observed value, its values per example (the value's shape without the batch axis as ONNX Runtime describes it,
     * unknown sizes counted as 1; at least the layer's units), float32 each.
     */
    public long getBytesPerExample() {
        return bytesPerExample;
    }

    /** The largest batch the input accepts: 1 for a fixed batch axis of 1, otherwise unbounded. */
    public int getMaxBatch() {
        return input.fixedBatch == 1 ? 1 : Integer.MAX_VALUE;
    }

    /** The execution provider running the session. */
    public String getProvider() {
        return opened.provider();
    }

    /** The CUDA device ordinal, or null on the CPU. */
    public @Nullable Integer getDeviceId() {
        return opened.deviceId();
    }

    /** The model's own output names, in order, as handed to {@link #runBatch}'s consumer (none when not asked for). */
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
     * position, in a buffer of the input's element type ({@link #getInputType()}: FloatBuffer, IntBuffer or
     * LongBuffer; a direct buffer in native order is passed to ONNX Runtime without a copy). Updates the statistics
     * and hands the model's outputs to {@code outputs}.
     *
     * @throws InvalidModelException when ONNX Runtime fails or an observed value has the wrong width
     */
    public void runBatch(Buffer batch, int rows, @Nullable OutputConsumer outputs) {
        Map<String, OnnxTensor> pins = new HashMap<>();
        try {
            observed.pin(env, rows, pins);
            try (OnnxTensor tensor = input.tensor(env, batch, rows);
                 OrtSession.Result result = observed.run(opened.session(), Map.of(input.name, tensor), pins)) {
                for (int i = 0; i < points.size(); i++) {
                    Point p = points.get(i);
                    if (observed.isPinned(i)) {
                        count(i, observed.written(i, rows), observed.shape(i, rows));
                    } else {
                        observe(i, p, result.get(p.value()).orElseThrow());
                    }
                }
                if (outputs != null && !modelOutputs.isEmpty()) {
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

    /**
     * Counts the float values of point i that ONNX Runtime wrote into {@code values} (position to limit), of a value of
     * {@code shape}.
     */
    private void count(int index, FloatBuffer values, long[] shape) {
        int n = values.remaining();
        if (scratch.length < n) {
            scratch = new float[n];
        }
        values.get(scratch, 0, n);
        add(index, n, shape);
    }

    /**
     * Adds the first n values of {@link #scratch}, a value of {@code shape}, to point i's statistics: as they are when
     * the units are on the last axis; a convolution's {@code [N, C, P...]} first rearranged to {@code [N, P..., C]},
     * so that every example and position is one observation of the C units.
     */
    private void add(int index, int n, long[] shape) {
        Point p = points.get(index);
        if (!p.channelsFirst()) {
            counts.get(index).add(scratch, n);
            return;
        }
        int c = p.units();
        int positions = (int) (n / ((long) Math.max(1, shape[0]) * c));
        if (unitsLast.length < n) {
            unitsLast = new float[n];
        }
        for (int e = 0, block = c * positions; e * (long) block < n; e++) {
            int base = e * block;
            for (int u = 0; u < c; u++) {
                int from = base + u * positions;
                for (int q = 0; q < positions; q++) {
                    unitsLast[base + q * c + u] = scratch[from + q];
                }
            }
        }
        counts.get(index).add(unitsLast, n);
    }

    /** Counts the values of point i in the session's result, float or double, after checking their shape. */
    private void observe(int index, Point p, OnnxValue value) {
        if (!(value instanceof OnnxTensor t)) {
            throw new InvalidModelException(source + ": value '" + p.value() + "' of layer " + p.name()
                    + " is not a tensor");
        }
        long[] shape = t.getInfo().getShape();
        if (!p.holdsUnits(shape)) {
            throw new InvalidModelException(source + ": value '" + p.value() + "' of layer " + p.name() + " has shape "
                    + Arrays.toString(shape) + "; expected the layer's " + p.units() + " units on " + p.unitAxis());
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
        add(index, n, shape);
    }

    /**
     * The activation pattern of every observed layer over the examples run so far: S = units positive at every
     * observation, Z = units never positive, ties (h = 0 exactly, counted as inactive) reported separately.
     */
    public List<LayerActivation> activations() {
        List<LayerActivation> out = new ArrayList<>(points.size());
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            out.add(counts.get(i).activation(p.layer(), p.name()));
        }
        return List.copyOf(out);
    }

    /** Closes the session. */
    @Override
    public void close() {
        opened.close();
    }
}
