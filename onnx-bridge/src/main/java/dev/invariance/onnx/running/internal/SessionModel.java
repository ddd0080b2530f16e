package dev.invariance.onnx.running.internal;

import dev.invariance.onnx.reading.ExternalTensor;
import dev.invariance.onnx.reading.InvalidModelException;
import dev.invariance.onnx.reading.OnnxModel;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What ONNX Runtime is given for one model, made from the reader's {@link OnnxModel} without writing any file: a copy
 * of its protobuf with chosen intermediate values added as graph outputs, in which no tensor is left for ONNX Runtime
 * to find by its location, so ONNX Runtime reads exactly the bytes the reader checked ({@link OnnxModel#rewriteExternalTensors}) and nothing else.
 * <ul>
 *   <li>An initializer of the main graph stored externally (every weight of the usual exported model) stays in the
 *       copy as a stub (name, type, shape; external, with no location). Its bytes are mapped read-only from the checked
 *       file ({@link ExternalTensor#open}) and handed to the session in the session options: on the CPU as a shared
 *       initializer, which ONNX Runtime uses in place (no copy; with prepacking off, as prepacked copies would double
 *       the weights' memory), or, when ONNX Runtime's optimizers need to read one (constant folding a
 *       {@code Transpose} of a weight) and on CUDA, as an external initializer, which ONNX Runtime copies. (ONNX
 *       Runtime 1.20 refuses external data in a model given from memory, "model_path must not be empty"; these are its
 *       ways of taking the values instead.)</li>
 *   <li>Any other tensor stored externally (in a control-flow body, a {@code Constant}, a function), small tensors
 *       ({@link #MAX_INLINED_TENSOR_BYTES}: shapes, which shape inference reads from the model itself) and
 *       initializers of element types ONNX Runtime's Java API cannot wrap are read into the copy's {@code raw_data}, at
 *       most {@link #MAX_INLINED_BYTES} in all.</li>
 * </ul>
 * The copy is serialised into a direct buffer, off the Java heap. Close this after the session: the mapped values must
 * outlive it.
 */
final class SessionModel implements AutoCloseable {
    /** Most bytes of external data read into the copy itself (tensors that cannot be handed over as initializers). */
    static final long MAX_INLINED_BYTES = 256L << 20;

    /**
     * External tensors up to this size are read into the copy even in the main graph: ONNX's shape inference reads
     * the values of shape inputs ({@code Reshape}'s shape, {@code Slice}'s starts) from the model itself, before any
     * initializer is handed over, and refuses external ones ("Cannot parse data from external tensors").
     */
    static final long MAX_INLINED_TENSOR_BYTES = 64L << 10;

    /** ONNX Runtime's session option that turns prepacking of constant weights off. */
    private static final String DISABLE_PREPACKING = "session.disable_prepacking";

    private final ByteBuffer serialized;
    private final Map<String, OnnxTensor> initializers;

    private SessionModel(ByteBuffer serialized, Map<String, OnnxTensor> initializers) {
        this.serialized = serialized;
        this.initializers = initializers;
    }

    /**
     * The model as ONNX Runtime will get it.
     *
     * @param extraOutputs values to add as graph outputs (their types are left to ONNX Runtime's inference); those
     *                     that are outputs already are not added twice
     * @param input        the input fed, whose declared shape the copy fixes to {@code exampleShape} behind the batch
     *                     axis (so ONNX Runtime's shape inference knows every observed value's size); null: the
     *                     inputs as declared
     * @param exampleShape the shape of one example (ignored when {@code input} is null)
     * @throws InvalidModelException when an external file cannot be read, a tensor is too large for ONNX Runtime's
     *                               Java API, or more than {@link #MAX_INLINED_BYTES} would be read into the copy
     */
    static SessionModel of(OrtEnvironment env, OnnxModel model, List<String> extraOutputs, @Nullable String input,
                           long[] exampleShape) {
        ModelProto proto = model.getModelProto();
        String source = model.info().path();
        Set<TensorProto> main = Collections.newSetFromMap(new IdentityHashMap<>());
        main.addAll(proto.getGraph().getInitializerList());
        Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        long[] inlined = {0};
        try {
            ModelProto copy = model.rewriteExternalTensors((t, location) -> {
                OnnxJavaType type = javaType(t.getDataType());
                if (main.contains(t) && type != null && location.length() > MAX_INLINED_TENSOR_BYTES) {
                    initializers.put(t.getName(), mapped(env, source, t, location, type));
                    return t.toBuilder().clearExternalData().addExternalData(StringStringEntryProto.newBuilder()
                            .setKey("location").setValue("")).build();
                }
                inlined[0] += location.length();
                if (inlined[0] > MAX_INLINED_BYTES) {
                    throw new InvalidModelException(source + ": tensor '" + t.getName() + "' is stored externally where"
                            + " ONNX Runtime can only take it inside the model; over " + (MAX_INLINED_BYTES >> 20)
                            + " MB of such tensors is more than this reads into memory");
                }
                return t.toBuilder().clearExternalData().setDataLocation(TensorProto.DataLocation.DEFAULT)
                        .setRawData(read(source, t, location)).build();
            });
            ModelProto given = withOutputs(copy, extraOutputs);
            return new SessionModel(serialize(source, input == null ? given : withInputShape(given, input, exampleShape)),
                    initializers);
        } catch (RuntimeException e) {
            initializers.values().forEach(OnnxTensor::close);
            throw e;
        }
    }

    /** The copy's graph outputs: the model's own, then each of {@code extra} not among them. */
    private static ModelProto withOutputs(ModelProto model, List<String> extra) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        Set<String> present = new LinkedHashSet<>();
        for (ValueInfoProto o : graph.getOutputList()) {
            present.add(o.getName());
        }
        for (String value : extra) {
            if (present.add(value)) {
                graph.addOutput(ValueInfoProto.newBuilder().setName(value));
            }
        }
        return model.toBuilder().setGraph(graph).build();
    }

    /**
     * The copy with input {@code input} declared as {@code [batch, exampleShape...]}: the batch axis as the model
     * declares it (dynamic when it declares none), every other axis fixed.
     */
    private static ModelProto withInputShape(ModelProto model, String input, long[] exampleShape) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (ValueInfoProto.Builder v : graph.getInputBuilderList()) {
            if (!v.getName().equals(input) || !v.getType().hasTensorType()) {
                continue;
            }
            TypeProto.Tensor.Builder tensor = v.getTypeBuilder().getTensorTypeBuilder();
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            if (tensor.hasShape() && tensor.getShape().getDimCount() > 0) {
                shape.addDim(tensor.getShape().getDim(0));
            } else {
                shape.addDimBuilder().setDimParam("N");
            }
            for (long d : exampleShape) {
                shape.addDimBuilder().setDimValue(d);
            }
            tensor.setShape(shape);
        }
        return model.toBuilder().setGraph(graph).build();
    }

    /** The Java API's type for an ONNX element type, or null where it has none. */
    private static @Nullable OnnxJavaType javaType(int onnxType) {
        return switch (onnxType) {
            case 1 -> OnnxJavaType.FLOAT;
            case 2 -> OnnxJavaType.UINT8;
            case 3 -> OnnxJavaType.INT8;
            case 5 -> OnnxJavaType.INT16;
            case 6 -> OnnxJavaType.INT32;
            case 7 -> OnnxJavaType.INT64;
            case 9 -> OnnxJavaType.BOOL;
            case 10 -> OnnxJavaType.FLOAT16;
            case 11 -> OnnxJavaType.DOUBLE;
            case 16 -> OnnxJavaType.BFLOAT16;
            default -> null;
        };
    }

    private static OnnxTensor mapped(OrtEnvironment env, String source, TensorProto t, ExternalTensor location,
                                     OnnxJavaType type) {
        if (location.length() > Integer.MAX_VALUE - 8L) {
            throw new InvalidModelException(source + ": tensor '" + t.getName() + "' has " + location.length()
                    + " bytes; ONNX Runtime's Java API takes at most 2 GiB per tensor");
        }
        long[] shape = new long[t.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.getDims(i);
        }
        try (FileChannel ch = location.open()) {
            ByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, location.offset(), location.length());
            return OnnxTensor.createTensor(env, bytes, shape, type);
        } catch (IOException e) {
            throw unreadable(source, t, location, e);
        } catch (OrtException e) {
            throw new InvalidModelException(source + ": ONNX Runtime cannot take tensor '" + t.getName() + "' ("
                    + OrtSessions.firstLine(e.getMessage()) + ")", e);
        }
    }

    private static ByteString read(String source, TensorProto t, ExternalTensor location) {
        ByteBuffer bytes = ByteBuffer.allocate((int) location.length());
        try (FileChannel ch = location.open()) {
            while (bytes.hasRemaining()) {
                if (ch.read(bytes, location.offset() + bytes.position()) < 0) {
                    throw new InvalidModelException(source + ": external data file '" + location.file().getFileName()
                            + "' of tensor '" + t.getName() + "' ended early (it changed while being read?)");
                }
            }
        } catch (IOException e) {
            throw unreadable(source, t, location, e);
        }
        bytes.flip();
        return ByteString.copyFrom(bytes);
    }

    private static InvalidModelException unreadable(String source, TensorProto t, ExternalTensor location,
                                                    IOException e) {
        return new InvalidModelException(source + ": cannot read external data of tensor '" + t.getName() + "' from '"
                + location.file().getFileName() + "' (" + e.getClass().getSimpleName() + ")", e);
    }

    private static ByteBuffer serialize(String source, ModelProto model) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(model.getSerializedSize());
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(buffer);
            model.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(source + ": cannot serialise the model for ONNX Runtime", e);
        }
        buffer.flip();
        return buffer;
    }

    /** Whether any values are handed over in the session options rather than in the copy. */
    boolean hasInitializers() {
        return !initializers.isEmpty();
    }

    /** The serialised copy, for {@code OrtEnvironment.createSession(ByteBuffer, options)}. */
    ByteBuffer serialized() {
        return serialized.duplicate();
    }

    /**
     * Hands the mapped initializers to a session about to be created: in place ({@code inPlace}, the CPU; prepacking
     * is turned off so the weights are not held twice) or to be copied to the execution provider's device.
     */
    void configure(OrtSession.SessionOptions options, boolean inPlace) throws OrtException {
        if (initializers.isEmpty()) {
            return;
        }
        if (inPlace) {
            for (Map.Entry<String, OnnxTensor> e : initializers.entrySet()) {
                options.addInitializer(e.getKey(), e.getValue());
            }
            options.addConfigEntry(DISABLE_PREPACKING, "1");
        } else {
            options.addExternalInitializers(new LinkedHashMap<String, OnnxTensorLike>(initializers));
        }
    }

    /** Releases the mapped initializers (after the session that uses them is closed). */
    @Override
    public void close() {
        initializers.values().forEach(OnnxTensor::close);
    }
}
