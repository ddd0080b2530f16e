package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.invariance.network.ElementType;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which values of an indexed graph are constant, and the {@link ConstantTensor} each one is: an initializer, a
 * {@code Constant} node's value, or one of those passed through {@code Identity}, {@code Cast} to a floating-point
 * type, {@code Transpose}, {@code Reshape} with a constant shape, {@code Flatten}, {@code Squeeze},
 * {@code DequantizeLinear} (per tensor, per axis or blocked) or elementwise {@code Mul}/{@code Div}/{@code Add}/
 * {@code Sub} of two floating-point constants. Nothing is read: the result knows its shape and precision, and computes its values when asked. Each
 * value is folded once (memoised), so a graph is folded in time linear in its size, and a chain longer than
 * {@link #MAX_CONSTANT_CHAIN} counts as computed. The operators' own rules are checked by {@link FoldingRules}.
 */
final class ConstantFolding {
    /** The longest chain of operators a constant is followed through. */
    static final int MAX_CONSTANT_CHAIN = 64;
    /** The most values a shape or axes operand may have to be read. */
    static final int MAX_SHAPE_VALUES = 64;

    private final String file;
    private final ExternalData externalData;
    private final FoldingRules rules;
    private final Map<ValueId, Optional<ConstantTensor>> constants = new HashMap<>();

    /**
     * Folding for the graph of {@code file}, whose external data was located and checked when it was opened.
     *
     * @param file the model file's name for messages
     */
    ConstantFolding(String file, ExternalData externalData) {
        this.file = file;
        this.externalData = externalData;
        this.rules = new FoldingRules(file);
    }

    /**
     * The constant a value holds, or empty when it is computed from the model's inputs (or absent).
     *
     * @throws InvalidModelException when a stored tensor or an operator on the way is invalid
     */
    Optional<ConstantTensor> constant(@Nullable ValueId v) {
        return v == null ? Optional.empty() : constant(v, 0);
    }

    /** Whether {@code v} is a value computed from the model's inputs: present and not constant. */
    boolean isComputed(@Nullable ValueId v) {
        return v != null && constant(v).isEmpty();
    }

    private Optional<ConstantTensor> constant(@Nullable ValueId v, int depth) {
        if (v == null) {
            return Optional.empty();
        }
        Optional<ConstantTensor> known = constants.get(v);
        if (known != null) {
            return known;
        }
        Optional<ConstantTensor> c = depth > MAX_CONSTANT_CHAIN ? Optional.empty() : Optional.ofNullable(compute(v, depth));
        constants.put(v, c);
        return c;
    }

    private @Nullable ConstantTensor input(Node n, int index, int depth) {
        return constant(n.input(index), depth + 1).orElse(null);
    }

    private @Nullable ConstantTensor compute(ValueId v, int depth) {
        Object def = GraphIndex.definition(v);
        if (def instanceof TensorProto t) {
            return stored(t, t.getName());
        }
        if (!(def instanceof GraphIndex.NodeOutput out) || out.index() != 0 || !out.node().isStandard()) {
            return null;
        }
        Node n = out.node();
        switch (n.op()) {
            case "Constant" -> {
                return constantNode(n, v.name());
            }
            case "Identity" -> {
                return input(n, 0, depth);
            }
            case "Cast" -> {
                ConstantTensor src = input(n, 0, depth);
                int code = (int) n.intAttribute("to", 0);
                ElementType to = TensorPayload.floatType(code);
                return src == null || to == null ? null : new ConstantTensor.Cast(src, to, code);
            }
            case "Transpose" -> {
                ConstantTensor src = input(n, 0, depth);
                return src == null ? null
                        : new ConstantTensor.Transpose(src, rules.transposePerm(n, src.shape.length));
            }
            case "Reshape" -> {
                ConstantTensor src = input(n, 0, depth);
                ConstantTensor shape = input(n, 1, depth);
                long[] to = src == null ? null : integers(shape);
                if (src == null || to == null) {
                    return null;
                }
                return new ConstantTensor.Reshape(src, rules.reshaped(n, src.shape, to,
                        n.intAttribute("allowzero", 0) != 0));
            }
            case "Flatten" -> {
                ConstantTensor src = input(n, 0, depth);
                return src == null ? null
                        : new ConstantTensor.Reshape(src, rules.flattened(n, src.shape, src.count()));
            }
            case "Squeeze" -> {
                return squeeze(n, depth);
            }
            case "Unsqueeze" -> {
                return null; // weights are not unsqueezed in practice
            }
            case "DequantizeLinear" -> {
                return dequantize(n, depth);
            }
            case "Mul", "Div", "Add", "Sub" -> {
                ConstantTensor x = input(n, 0, depth);
                ConstantTensor y = input(n, 1, depth);
                if (x == null || y == null || x.precision == null || y.precision == null) {
                    return null;
                }
                long[] shape = Broadcasting.shape(x.shape, y.shape);
                char operator = switch (n.op()) {
                    case "Mul" -> '*';
                    case "Div" -> '/';
                    case "Add" -> '+';
                    default -> '-';
                };
                return shape == null ? null : new ConstantTensor.Elementwise(x, y, operator, shape);
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * The values of a stored integer constant of at most {@link #MAX_SHAPE_VALUES} values (a shape, axes), or null
     * when {@code c} is absent, computed, floating point or longer.
     */
    private static long @Nullable [] integers(@Nullable ConstantTensor c) {
        if (!(c instanceof ConstantTensor.Stored s) || s.count() > MAX_SHAPE_VALUES || s.precision != null) {
            return null;
        }
        return s.longs();
    }

    private ConstantTensor stored(TensorProto t, String name) {
        return new ConstantTensor.Stored(TensorPayload.of(file, externalData, t), name);
    }

    private @Nullable ConstantTensor constantNode(Node n, String outputName) {
        AttributeProto value = n.attribute("value");
        if (value != null && value.hasT()) {
            TensorProto t = value.getT();
            return stored(t, t.getName().isEmpty() ? outputName : t.getName());
        }
        AttributeProto floats = n.attribute("value_floats");
        AttributeProto one = n.attribute("value_float");
        if (floats != null || one != null) {
            TensorProto.Builder t = TensorProto.newBuilder().setName(outputName).setDataType(TensorPayload.FLOAT);
            if (floats != null) {
                t.addDims(floats.getFloatsCount()).addAllFloatData(floats.getFloatsList());
            } else if (one != null) {
                t.addFloatData(one.getF());
            }
            return stored(t.build(), outputName);
        }
        AttributeProto ints = n.attribute("value_ints");
        if (ints != null) {
            TensorProto t = TensorProto.newBuilder().setName(outputName).setDataType(TensorPayload.INT64)
                    .addDims(ints.getIntsCount()).addAllInt64Data(ints.getIntsList()).build();
            return stored(t, outputName);
        }
        return null;
    }

    /**
     * {@code Squeeze} of a constant: the axes given (the {@code axes} input from opset 13, the attribute before), each
     * of size 1, or every axis of size 1 when none are given, as ONNX defines it.
     */
    private @Nullable ConstantTensor squeeze(Node n, int depth) {
        ConstantTensor src = input(n, 0, depth);
        if (src == null) {
            return null;
        }
        long[] axes = null;
        if (n.input(1) != null) {
            axes = integers(input(n, 1, depth));
            if (axes == null) {
                return null;
            }
        } else if (n.attribute("axes") != null) {
            axes = n.attribute("axes").getIntsList().stream().mapToLong(Long::longValue).toArray();
        }
        return new ConstantTensor.Reshape(src, rules.squeezed(n, src.shape, axes));
    }

    private @Nullable ConstantTensor dequantize(Node n, int depth) {
        ConstantTensor x = input(n, 0, depth);
        ConstantTensor scale = input(n, 1, depth);
        ConstantTensor zero = n.input(2) == null ? null : input(n, 2, depth);
        if (x == null || scale == null || (n.input(2) != null && zero == null) || scale.precision == null) {
            return null;
        }
        int axis = rules.dequantizeAxis(n, x, scale, zero);
        return new ConstantTensor.Dequantize(x, scale, zero, axis, (int) rules.dequantizeBlockSize(n), n.op());
    }
}
