package dev.invariance.onnx.running.internal;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxJavaType;
import dev.invariance.onnx.reading.InvalidModelException;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The input an ONNX model is fed from data, as its graph declares it (before any session exists): its name, its
 * element type (float32, int32 or int64: what a CSV cell or a {@code .npy} file can hold) and its declared shape with
 * the symbolic names of its dynamic sizes ({@code [N, 3, H, W]}), so that messages name them as the model does. Axis 0
 * is the batch axis: dynamic, or fixed at 1.
 *
 * @param name   the input's name
 * @param type   {@link OnnxJavaType#FLOAT}, {@link OnnxJavaType#INT32} or {@link OnnxJavaType#INT64}
 * @param dims   the declared sizes as the model writes them, each a number, a symbolic name, or {@code ?} for a dynamic
 *               size without a name; null when the model declares no shape
 * @param sizes  the declared sizes, -1 for a dynamic one; null when the model declares no shape
 * @param inputs every input of the graph that is not an initializer (the inputs one may choose from)
 */
public record ModelInput(String name, OnnxJavaType type, @Nullable List<String> dims, @Nullable List<Long> sizes,
                         List<String> inputs) {

    /** Most values one example of an input may have (one batch row must fit a Java buffer). */
    public static final long MAX_EXAMPLE_VALUES = Integer.MAX_VALUE / Float.BYTES;

    /** Copies the lists. */
    public ModelInput {
        dims = dims == null ? null : List.copyOf(dims);
        sizes = sizes == null ? null : List.copyOf(sizes);
        inputs = List.copyOf(inputs);
    }

    /**
     * The input to feed: {@code wanted}, or the graph's only input that is not an initializer when {@code wanted} is
     * null.
     *
     * @param source the model file's name for messages
     * @throws InvalidModelException when there is no such input, a choice is needed, the input is not a tensor of
     *                               float32, int32 or int64, its declared shape has no axis besides the batch axis, or
     *                               its batch axis is fixed at more than 1
     */
    public static ModelInput choose(String source, OnnxMl.ModelProto proto, @Nullable String wanted) {
        Set<String> initializers = new HashSet<>();
        for (OnnxMl.TensorProto t : proto.getGraph().getInitializerList()) {
            initializers.add(t.getName());
        }
        List<String> names = new ArrayList<>();
        OnnxMl.ValueInfoProto chosen = null;
        for (OnnxMl.ValueInfoProto v : proto.getGraph().getInputList()) {
            if (initializers.contains(v.getName())) {
                continue;
            }
            names.add(v.getName());
            if (v.getName().equals(wanted) || (wanted == null && chosen == null)) {
                chosen = v;
            }
        }
        if (wanted != null && chosen == null) {
            throw new InvalidModelException(source + ": no input '" + wanted + "' (inputs: " + String.join(", ", names)
                    + ")");
        }
        if (chosen == null || (wanted == null && names.size() != 1)) {
            throw new InvalidModelException(source + ": the model has " + names.size() + " inputs ("
                    + String.join(", ", names) + "); choose one with --input");
        }
        String input = chosen.getName();
        if (!chosen.getType().hasTensorType()) {
            throw new InvalidModelException(source + ": input '" + input + "' is not a tensor");
        }
        OnnxMl.TypeProto.Tensor tensor = chosen.getType().getTensorType();
        OnnxJavaType type = switch (tensor.getElemType()) {
            case 1 -> OnnxJavaType.FLOAT;
            case 6 -> OnnxJavaType.INT32;
            case 7 -> OnnxJavaType.INT64;
            default -> throw new InvalidModelException(source + ": input '" + input + "' holds "
                    + elementName(tensor.getElemType()) + " values; only float32, int32 and int64 inputs can be fed "
                    + "from data");
        };
        List<String> dims = tensor.hasShape() ? dims(tensor.getShape()) : null;
        List<Long> sizes = null;
        if (tensor.hasShape()) {
            sizes = new ArrayList<>();
            for (OnnxMl.TensorShapeProto.Dimension d : tensor.getShape().getDimList()) {
                sizes.add(d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1L);
            }
        }
        ModelInput result = new ModelInput(input, type, dims, sizes, names);
        if (dims != null && dims.size() < 2) {
            throw new InvalidModelException(source + ": input '" + input + "' has shape " + result.describe()
                    + "; expected a batch axis and at least one feature axis");
        }
        if (dims != null && result.size(0) > 1) {
            throw new InvalidModelException(source + ": input '" + input + "' has a fixed batch dimension of "
                    + result.size(0) + "; only a dynamic batch dimension or 1 is supported");
        }
        return result;
    }

    /** The declared sizes of a tensor shape: numbers, symbolic names, or {@code ?}. */
    private static List<String> dims(OnnxMl.TensorShapeProto shape) {
        List<String> out = new ArrayList<>(shape.getDimCount());
        for (OnnxMl.TensorShapeProto.Dimension d : shape.getDimList()) {
            if (d.hasDimValue() && d.getDimValue() > 0) {
                out.add(Long.toString(d.getDimValue()));
            } else if (d.hasDimParam() && !d.getDimParam().isEmpty()) {
                out.add(d.getDimParam());
            } else {
                out.add("?");
            }
        }
        return out;
    }

    /**
     * A value's declared shape as messages show it: {@code [N, 3, H, W]} (symbolic names as the model gives them,
     * {@code ?} for an unnamed dynamic size), or {@code (no shape)}.
     */
    public static String describe(OnnxMl.ValueInfoProto value) {
        if (!value.getType().hasTensorType()) {
            return "(not a tensor)";
        }
        OnnxMl.TypeProto.Tensor t = value.getType().getTensorType();
        return t.hasShape() ? dims(t.getShape()).toString() : "(no shape)";
    }

    /** This input's declared shape as {@link #describe(OnnxMl.ValueInfoProto)} shows it. */
    public String describe() {
        return dims == null ? "(no shape)" : dims.toString();
    }

    /** The element type in ONNX's words: float32, int32 or int64. */
    public String typeName() {
        return type == OnnxJavaType.FLOAT ? "float32" : type == OnnxJavaType.INT32 ? "int32" : "int64";
    }

    /** The declared rank, or -1 when no shape is declared. */
    public int rank() {
        return dims == null ? -1 : dims.size();
    }

    /** The fixed size of {@code axis}, or -1 when it is dynamic (or no shape is declared). */
    public long size(int axis) {
        return sizes == null ? -1 : sizes.get(axis);
    }

    /**
     * The sizes of one example (every axis but the batch axis) when the model declares them all, else null.
     */
    public long @Nullable [] fixedExampleShape() {
        if (dims == null) {
            return null;
        }
        long[] shape = new long[dims.size() - 1];
        for (int a = 1; a < dims.size(); a++) {
            shape[a - 1] = size(a);
            if (shape[a - 1] < 0) {
                return null;
            }
        }
        return shape;
    }

    /** The product of positive sizes (unknown sizes count as 1), saturating at {@link Long#MAX_VALUE}. */
    public static long product(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n = d > 0 && n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * Math.max(1, d);
        }
        return n;
    }

    /** ONNX's name of an element type for messages. */
    private static String elementName(int type) {
        return switch (type) {
            case 2 -> "uint8";
            case 3 -> "int8";
            case 4 -> "uint16";
            case 5 -> "int16";
            case 8 -> "string";
            case 9 -> "bool";
            case 10 -> "float16";
            case 11 -> "float64";
            case 12 -> "uint32";
            case 13 -> "uint64";
            case 16 -> "bfloat16";
            default -> "element type " + type;
        };
    }
}
