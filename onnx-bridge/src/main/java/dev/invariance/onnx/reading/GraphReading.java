package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.invariance.network.Activation;
import dev.invariance.network.Convolution;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.GraphEdge;
import dev.invariance.network.GraphPort;
import dev.invariance.network.ElementType;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.Use;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the dense layers of an indexed ONNX graph and the data-flow edges between them.
 * <ul>
 *   <li>Dense nodes: {@code Gemm} and {@code MatMul} with exactly one constant 2-D operand, {@code Conv} and
 *       {@code ConvTranspose} with a constant kernel. The weight's conversion to {@code W} (d_out × d_in) follows
 *       science.md 1.2 from the attributes and the operand order only: {@code Gemm} with constant B gives
 *       {@code W = alpha·B} (transB = 1) or {@code alpha·Bᵀ} (transB = 0) and bias {@code beta·C}; with constant A
 *       (column-vector activations) {@code W = alpha·A'}; {@code MatMul(X, B)} gives {@code W = Bᵀ} and
 *       {@code MatMul(A, X)} gives {@code W = A}, with the bias taken from a following {@code Add} of a constant;
 *       a {@code Conv} kernel {@code [out, in/g, k…]} gives {@code out × (in/g·k…)} and a {@code ConvTranspose} kernel
 *       {@code [in, out/g, k…]} gives {@code (out/g·k…) × in}.</li>
 *   <li>Edges, the graph's inputs and outputs: {@link EdgeFinding}.</li>
 *   <li>Activation: ReLU when a {@code Relu} reads the layer's output through shape-only nodes; every other
 *       activation is recorded on the edges' op lists and in a note.</li>
 * </ul>
 */
final class GraphReading {
    private static final int MAX_CONSTANT_CHAIN = 64;
    private static final int MAX_SHAPE_VALUES = 64;

    /** Nodes that only move values around: a Relu behind them still acts on the layer's output. */
    private static final Set<String> SHAPE_ONLY = Set.of("Reshape", "Flatten", "Transpose", "Identity", "Squeeze",
            "Unsqueeze", "Dropout", "Cast");
    /** Elementwise activations other than ReLU, reported in a note. */
    private static final Set<String> OTHER_ACTIVATIONS = Set.of("Tanh", "Sigmoid", "Gelu", "LeakyRelu", "Elu", "Selu",
            "Softplus", "HardSigmoid", "HardSwish", "PRelu", "Mish", "Erf", "Softsign", "Celu", "ThresholdedRelu");

    private final String file;
    private final ExternalData externalData;
    private final GraphIndex graph;
    private final Map<ValueId, Optional<ConstantTensor>> constants = new HashMap<>();
    final List<LayerPlan> layers = new ArrayList<>();
    final List<DataFlowEdge> edges = new ArrayList<>();
    final List<GraphEdge> boundaryEdges = new ArrayList<>();
    final List<GraphPort> inputs = new ArrayList<>();
    final List<GraphPort> outputs = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    GraphReading(String file, ExternalData externalData, GraphIndex graph) {
        this.file = file;
        this.externalData = externalData;
        this.graph = graph;
        findLayers();
        findEdges();
        findActivations();
        if (layers.isEmpty()) {
            notes.add("no dense layer (Gemm or MatMul with a constant 2-D weight, Conv, ConvTranspose) in the graph");
        }
    }

    // ------------------------------------------------------------------ constants

    /** The constant a value holds, or empty when it is computed from the model's inputs. */
    Optional<ConstantTensor> constant(@Nullable ValueId v) {
        return v == null ? Optional.empty() : constant(v, 0);
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

    private @Nullable ConstantTensor compute(ValueId v, int depth) {
        Object def = GraphIndex.definition(v);
        if (def instanceof TensorProto t) {
            return new ConstantTensor.Stored(TensorPayload.of(file, externalData, t), t.getName());
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
                return constant(n.input(0), depth + 1).orElse(null);
            }
            case "Cast" -> {
                ConstantTensor src = constant(n.input(0), depth + 1).orElse(null);
                int code = (int) n.intAttribute("to", 0);
                ElementType to = floatType(code);
                return src == null || to == null ? null : new ConstantTensor.Cast(src, to, code);
            }
            case "Transpose" -> {
                ConstantTensor src = constant(n.input(0), depth + 1).orElse(null);
                if (src == null) {
                    return null;
                }
                int rank = src.shape.length;
                AttributeProto p = n.attribute("perm");
                int[] perm = new int[rank];
                if (p == null) {
                    for (int i = 0; i < rank; i++) {
                        perm[i] = rank - 1 - i;
                    }
                } else {
                    if (p.getIntsCount() != rank) {
                        throw invalid("Transpose '" + n.name + "' has a perm of " + p.getIntsCount()
                                + " axes for a rank-" + rank + " tensor");
                    }
                    boolean[] seen = new boolean[rank];
                    for (int i = 0; i < rank; i++) {
                        long a = p.getInts(i);
                        if (a < 0 || a >= rank || seen[(int) a]) {
                            throw invalid("Transpose '" + n.name + "' has an invalid perm " + p.getIntsList());
                        }
                        seen[(int) a] = true;
                        perm[i] = (int) a;
                    }
                }
                return new ConstantTensor.Transpose(src, perm);
            }
            case "Reshape" -> {
                ConstantTensor src = constant(n.input(0), depth + 1).orElse(null);
                ConstantTensor shape = constant(n.input(1), depth + 1).orElse(null);
                if (src == null || !(shape instanceof ConstantTensor.Stored s) || s.count() > MAX_SHAPE_VALUES
                        || s.precision != null) {
                    return null;
                }
                return new ConstantTensor.Reshape(src, reshape(n, src.shape, s.longs(), n.intAttribute("allowzero", 0) != 0));
            }
            case "Flatten" -> {
                ConstantTensor src = constant(n.input(0), depth + 1).orElse(null);
                if (src == null) {
                    return null;
                }
                int rank = src.shape.length;
                long axis = n.intAttribute("axis", 1);
                if (axis < 0) {
                    axis += rank;
                }
                if (axis < 0 || axis > rank) {
                    throw invalid("Flatten '" + n.name + "' has axis " + n.intAttribute("axis", 1) + " for rank " + rank);
                }
                long outer = 1;
                for (int i = 0; i < axis; i++) {
                    outer *= src.shape[i];
                }
                return new ConstantTensor.Reshape(src, new long[] {outer, src.count() / Math.max(outer, 1)});
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
                ConstantTensor x = constant(n.input(0), depth + 1).orElse(null);
                ConstantTensor y = constant(n.input(1), depth + 1).orElse(null);
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

    private @Nullable ConstantTensor constantNode(Node n, String outputName) {
        AttributeProto value = n.attribute("value");
        if (value != null && value.hasT()) {
            TensorProto t = value.getT();
            String name = t.getName().isEmpty() ? outputName : t.getName();
            return new ConstantTensor.Stored(TensorPayload.of(file, externalData, t), name);
        }
        AttributeProto floats = n.attribute("value_floats");
        AttributeProto one = n.attribute("value_float");
        if (floats != null || one != null) {
            TensorProto.Builder t = TensorProto.newBuilder().setName(outputName).setDataType(TensorPayload.FLOAT);
            if (floats != null) {
                t.addDims(floats.getFloatsCount()).addAllFloatData(floats.getFloatsList());
            } else {
                t.addFloatData(one.getF());
            }
            return new ConstantTensor.Stored(TensorPayload.of(file, externalData, t.build()), outputName);
        }
        AttributeProto ints = n.attribute("value_ints");
        if (ints != null) {
            TensorProto t = TensorProto.newBuilder().setName(outputName).setDataType(TensorPayload.INT64)
                    .addDims(ints.getIntsCount()).addAllInt64Data(ints.getIntsList()).build();
            return new ConstantTensor.Stored(TensorPayload.of(file, externalData, t), outputName);
        }
        return null;
    }

    /**
     * {@code Squeeze} of a constant: the axes given (the {@code axes} input from opset 13, the attribute before), each
     * of size 1, or every axis of size 1 when none are given, as ONNX defines it.
     */
    private @Nullable ConstantTensor squeeze(Node n, int depth) {
        ConstantTensor src = constant(n.input(0), depth + 1).orElse(null);
        if (src == null) {
            return null;
        }
        long[] axes = null;
        if (n.input(1) != null) {
            ConstantTensor given = constant(n.input(1), depth + 1).orElse(null);
            if (!(given instanceof ConstantTensor.Stored s) || s.precision != null || s.count() > MAX_SHAPE_VALUES) {
                return null;
            }
            axes = s.longs();
        } else if (n.attribute("axes") != null) {
            axes = n.attribute("axes").getIntsList().stream().mapToLong(Long::longValue).toArray();
        }
        int rank = src.shape.length;
        boolean[] removed = new boolean[rank];
        if (axes == null || axes.length == 0) {
            for (int i = 0; i < rank; i++) {
                removed[i] = src.shape[i] == 1;
            }
        } else {
            for (long a : axes) {
                long axis = a < 0 ? a + rank : a;
                if (axis < 0 || axis >= rank || removed[(int) axis] || src.shape[(int) axis] != 1) {
                    throw invalid("Squeeze '" + n.name + "' cannot remove axes " + Arrays.toString(axes)
                            + " of a tensor of shape " + Arrays.toString(src.shape) + " (each must be an axis of size 1,"
                            + " once)");
                }
                removed[(int) axis] = true;
            }
        }
        long[] shape = new long[rank];
        int kept = 0;
        for (int i = 0; i < rank; i++) {
            if (!removed[i]) {
                shape[kept++] = src.shape[i];
            }
        }
        return new ConstantTensor.Reshape(src, Arrays.copyOf(shape, kept));
    }

    private @Nullable ConstantTensor dequantize(Node n, int depth) {
        ConstantTensor x = constant(n.input(0), depth + 1).orElse(null);
        ConstantTensor scale = constant(n.input(1), depth + 1).orElse(null);
        ConstantTensor zero = n.input(2) == null ? null : constant(n.input(2), depth + 1).orElse(null);
        if (x == null || scale == null || (n.input(2) != null && zero == null) || scale.precision == null
                || n.attribute("block_size") != null && n.intAttribute("block_size", 0) != 0) {
            return null;
        }
        if (x.precision != null) {
            throw invalid("DequantizeLinear '" + n.name + "' dequantizes '" + x.rootName + "' of floating-point type "
                    + TensorPayload.typeName(x.elementCode()) + "; x must be a quantized integer tensor");
        }
        if (scale.shape.length > 1) {
            throw invalid("DequantizeLinear '" + n.name + "' has a scale of shape " + Arrays.toString(scale.shape)
                    + "; a scale is a scalar or a vector (one per slice along the axis)");
        }
        if (zero != null && (zero.elementCode() != x.elementCode() || zero.shape.length > 1)) {
            throw invalid("DequantizeLinear '" + n.name + "' has a zero point of type "
                    + TensorPayload.typeName(zero.elementCode()) + " and shape " + Arrays.toString(zero.shape)
                    + " for x of type " + TensorPayload.typeName(x.elementCode())
                    + "; it must have x's type and the scale's shape");
        }
        long axis = n.intAttribute("axis", 1);
        int rank = x.shape.length;
        if (axis < 0) {
            axis += rank;
        }
        if (scale.count() != 1) {
            if (axis < 0 || axis >= rank || scale.count() != x.shape[(int) axis]) {
                throw invalid("DequantizeLinear '" + n.name + "' has " + scale.count() + " scales for axis "
                        + n.intAttribute("axis", 1) + " of a tensor of shape " + Arrays.toString(x.shape));
            }
        }
        if (zero != null && zero.count() != scale.count()) {
            throw invalid("DequantizeLinear '" + n.name + "' has " + zero.count() + " zero points but "
                    + scale.count() + " scales");
        }
        return new ConstantTensor.Dequantize(x, scale, zero, (int) Math.max(axis, 0));
    }

    private long[] reshape(Node n, long[] from, long[] to, boolean allowZero) {
        long total = 1;
        for (long d : from) {
            total *= d;
        }
        long[] out = to.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= from.length) {
                    throw invalid("Reshape '" + n.name + "' copies dimension " + i + " of a rank-" + from.length + " tensor");
                }
                out[i] = from[i];
            }
            if (out[i] == -1) {
                if (infer >= 0) {
                    throw invalid("Reshape '" + n.name + "' has more than one -1 in " + Arrays.toString(to));
                }
                infer = i;
            } else if (out[i] < 0) {
                throw invalid("Reshape '" + n.name + "' has a negative dimension in " + Arrays.toString(to));
            } else {
                try {
                    known = Math.multiplyExact(known, out[i]);
                } catch (ArithmeticException e) {
                    throw invalid("Reshape '" + n.name + "' has a shape too large: " + Arrays.toString(to));
                }
            }
        }
        if (infer >= 0) {
            if (known == 0 || total % known != 0) {
                throw invalid("Reshape '" + n.name + "' cannot reshape " + Arrays.toString(from) + " to "
                        + Arrays.toString(to));
            }
            out[infer] = total / known;
        } else if (known != total) {
            throw invalid("Reshape '" + n.name + "' cannot reshape " + Arrays.toString(from) + " ("
                    + total + " values) to " + Arrays.toString(to));
        }
        return out;
    }

    private static @Nullable ElementType floatType(int code) {
        return switch (code) {
            case TensorPayload.FLOAT -> ElementType.FLOAT32;
            case TensorPayload.DOUBLE -> ElementType.FLOAT64;
            case TensorPayload.FLOAT16 -> ElementType.FLOAT16;
            case TensorPayload.BFLOAT16 -> ElementType.BFLOAT16;
            default -> null;
        };
    }

    private InvalidModelException invalid(String what) {
        return new InvalidModelException(file + ": " + what);
    }

    // ------------------------------------------------------------------ dense layers

    private void findLayers() {
        Set<String> names = new HashSet<>();
        for (Node n : graph.order) {
            if (!n.isStandard()) {
                continue;
            }
            LayerPlan p = switch (n.op()) {
                case "Gemm" -> gemm(n);
                case "MatMul" -> matMul(n);
                case "Conv", "ConvTranspose" -> conv(n);
                default -> null;
            };
            if (p == null) {
                continue;
            }
            if (!p.weight.precisionKnown()) {
                notes.add("node '" + n.name + "' (" + n.op() + ") multiplies by integer weights '" + p.weight.rootName
                        + "'; not read as a dense layer");
                continue;
            }
            long bytes = (long) p.outputWidth() * p.inputWidth() * Double.BYTES * 2;
            if (bytes > Runtime.getRuntime().maxMemory()) {
                throw invalid("tensor '" + p.weight.rootName + "' declares " + p.outputWidth() + " x " + p.inputWidth()
                        + " weights, too large to allocate in this JVM's heap (" + (Runtime.getRuntime().maxMemory() >> 20)
                        + " MB)");
            }
            String name = uniqueName(p.name, n, names);
            if (!name.equals(p.name)) {
                p = p.renamed(name);
            }
            layers.add(p);
        }
    }

    /**
     * A name no earlier layer has, recorded in {@code taken}: the weight's name for its first occurrence, then
     * {@code weight@node}, then {@code weight@path/node} with the node's body path (a weight shared by nodes of the
     * same name in different control-flow bodies), then that with {@code #2}, {@code #3}… (nodes named alike in one
     * graph).
     */
    private static String uniqueName(String weight, Node n, Set<String> taken) {
        String path = n.scope.path.isEmpty() ? n.name : n.scope.path + "/" + n.name;
        for (String candidate : List.of(weight, weight + "@" + n.name, weight + "@" + path)) {
            if (taken.add(candidate)) {
                return candidate;
            }
        }
        for (int k = 2; ; k++) {
            String candidate = weight + "@" + path + "#" + k;
            if (taken.add(candidate)) {
                return candidate;
            }
        }
    }

    /**
     * The operands of a two-input product of which exactly one is constant (science.md 1.2, rule 1): the weight, the
     * activation, and whether the weight is the first operand. Null when both or neither are constant.
     */
    private record Operands(ConstantTensor weight, ValueId activation, boolean weightFirst) {
    }

    private @Nullable Operands operands(Node n) {
        ValueId a = n.input(0);
        ValueId b = n.input(1);
        Optional<ConstantTensor> ca = constant(a);
        Optional<ConstantTensor> cb = constant(b);
        if (a == null || b == null || ca.isPresent() == cb.isPresent() || n.outputs.isEmpty()) {
            return null;
        }
        return ca.isPresent() ? new Operands(ca.get(), b, true) : new Operands(cb.orElseThrow(), a, false);
    }

    private @Nullable LayerPlan gemm(Node n) {
        Operands ops = operands(n);
        if (ops == null) {
            return null;
        }
        double alpha = n.floatAttribute("alpha", 1f);
        double beta = n.floatAttribute("beta", 1f);
        boolean weightFirst = ops.weightFirst();
        ConstantTensor w = ops.weight();
        if (w.shape.length != 2) {
            notes.add("node '" + n.name + "' (Gemm) has a rank-" + w.shape.length + " weight; not read as a dense layer");
            return null;
        }
        // Y = alpha·A'·B' + beta·C. Activations in rows (B constant): W = alpha·B'ᵀ, so transpose the stored B unless
        // transB = 1. Activations in columns (A constant): W = alpha·A', so transpose the stored A when transA = 1.
        boolean transpose = weightFirst ? n.intAttribute("transA", 0) != 0 : n.intAttribute("transB", 0) == 0;
        int rows = checkedDim(w, 0);
        int cols = checkedDim(w, 1);
        int out = transpose ? cols : rows;
        ConstantTensor bias = null;
        ValueId c = n.input(2);
        if (c != null) {
            ConstantTensor cc = constant(c).orElse(null);
            if (cc != null && cc.precisionKnown() && (cc.count() == out || cc.count() == 1)) {
                bias = cc;
            } else {
                notes.add("node '" + n.name + "' (Gemm): C is not a constant vector of " + out
                        + " entries; the layer is read without bias");
            }
        }
        return new LayerPlan(w.rootName, "Gemm", n, w, rows, cols, transpose, alpha, bias, beta, null,
                ops.activation(), n.outputs.get(0));
    }

    private @Nullable LayerPlan matMul(Node n) {
        Operands ops = operands(n);
        if (ops == null) {
            return null;
        }
        boolean weightFirst = ops.weightFirst();
        ConstantTensor w = ops.weight();
        if (w.shape.length != 2) {
            if (w.shape.length > 2) {
                notes.add("node '" + n.name + "' (MatMul) multiplies by the rank-" + w.shape.length + " constant '"
                        + w.rootName + "' " + Arrays.toString(w.shape) + " (a batched product); not read as a dense layer");
            }
            return null;
        }
        int rows = checkedDim(w, 0);
        int cols = checkedDim(w, 1);
        boolean transpose = !weightFirst; // X·B gives W = Bᵀ; A·X gives W = A
        int out = transpose ? cols : rows;
        ValueId output = n.outputs.get(0);
        ConstantTensor bias = null;
        List<Use> uses = graph.usesOf(output);
        if (uses.size() == 1 && uses.get(0).node().op().equals("Add") && uses.get(0).node().isStandard()
                && !uses.get(0).node().outputs.isEmpty()) {
            Node add = uses.get(0).node();
            ValueId other = add.input(1 - uses.get(0).input());
            ConstantTensor cc = other == null ? null : constant(other).orElse(null);
            if (cc != null && cc.precisionKnown() && cc.count() == out
                    && (weightFirst || cc.shape.length == 0 || cc.shape[cc.shape.length - 1] == out)) {
                bias = cc;
                output = add.outputs.get(0);
            }
        }
        return new LayerPlan(w.rootName, "MatMul", n, w, rows, cols, transpose, 1.0, bias, 1.0, null,
                ops.activation(), output);
    }

    private @Nullable LayerPlan conv(Node n) {
        ValueId x = n.input(0);
        ConstantTensor w = constant(n.input(1)).orElse(null);
        if (x == null || w == null || w.shape.length < 3 || n.outputs.isEmpty() || constant(x).isPresent()) {
            return null;
        }
        boolean transposed = n.op().equals("ConvTranspose");
        long groups = n.intAttribute("group", 1);
        if (groups < 1 || groups > Integer.MAX_VALUE) {
            throw invalid(n.op() + " '" + n.name + "' has group " + groups);
        }
        if (w.count() == 0) {
            throw invalid(n.op() + " '" + n.name + "' has a kernel with no elements ('" + w.rootName + "' of shape "
                    + Arrays.toString(w.shape) + ")");
        }
        // the groups split the kernel's first axis: a Conv's output channels, a ConvTranspose's input channels
        if (w.shape[0] % groups != 0) {
            throw invalid(n.op() + " '" + n.name + "' has group " + groups + ", which does not divide the "
                    + w.shape[0] + (transposed ? " input" : " output") + " channels of its kernel '" + w.rootName
                    + "' " + Arrays.toString(w.shape));
        }
        AttributeProto declared = n.attribute("kernel_shape");
        if (declared != null && !declared.getIntsList().equals(Arrays.stream(w.shape, 2, w.shape.length).boxed().toList())) {
            throw invalid(n.op() + " '" + n.name + "' declares kernel_shape " + declared.getIntsList() + " but its kernel '"
                    + w.rootName + "' has shape " + Arrays.toString(w.shape));
        }
        List<Integer> kernel = new ArrayList<>();
        long patch = w.shape[1];
        for (int i = 2; i < w.shape.length; i++) {
            kernel.add((int) w.shape[i]); // each at most the element count, which is below 2^31
            patch = Math.multiplyExact(patch, w.shape[i]); // at most the element count: never wraps
        }
        if (w.shape[0] > Integer.MAX_VALUE || patch > Integer.MAX_VALUE) {
            throw invalid("tensor '" + w.rootName + "' declares shape " + Arrays.toString(w.shape)
                    + ", too large to allocate as a matrix");
        }
        int rows = (int) w.shape[0];
        int cols = (int) patch;
        // Conv: [out, in/g, k...] -> out x (in/g·k...). ConvTranspose: [in, out/g, k...] -> (out/g·k...) x in.
        int out = transposed ? cols : rows;
        ConstantTensor bias = null;
        if (n.input(2) != null) {
            ConstantTensor cb = constant(n.input(2)).orElse(null);
            if (cb != null && cb.precisionKnown() && cb.count() == out) {
                bias = cb;
            } else {
                notes.add("node '" + n.name + "' (" + n.op() + "): its bias has no entry per row of the kernel matrix;"
                        + " the layer is read without bias");
            }
        }
        return new LayerPlan(w.rootName, n.op(), n, w, rows, cols, transposed, 1.0, bias, 1.0,
                new Convolution((int) groups, kernel, transposed), x, n.outputs.get(0));
    }

    private int checkedDim(ConstantTensor w, int axis) {
        long d = w.shape[axis];
        if (d > Integer.MAX_VALUE) {
            throw invalid("tensor '" + w.rootName + "' declares shape " + Arrays.toString(w.shape)
                    + ", too large to allocate as a matrix");
        }
        return (int) d;
    }

    // ------------------------------------------------------------------ data flow

    private void findEdges() {
        EdgeFinding found = new EdgeFinding(graph, layers, this::constant);
        edges.addAll(found.edges);
        boundaryEdges.addAll(found.boundaryEdges);
        inputs.addAll(found.inputs);
        outputs.addAll(found.outputs);
    }

    private void findActivations() {
        List<String> other = new ArrayList<>();
        for (LayerPlan l : layers) {
            ArrayDeque<ValueId> queue = new ArrayDeque<>();
            Set<ValueId> seen = new HashSet<>();
            queue.add(l.output);
            while (!queue.isEmpty() && l.reluOutput == null) {
                ValueId v = queue.poll();
                if (!seen.add(v)) {
                    continue;
                }
                for (Use u : graph.usesOf(v)) {
                    Node n = u.node();
                    if (n.op().equals("Relu") && !n.outputs.isEmpty()) {
                        l.activation = Activation.RELU;
                        l.reluOutput = n.outputs.get(0).name();
                        break;
                    }
                    if (OTHER_ACTIVATIONS.contains(n.op())) {
                        other.add(l.name + " (" + n.op() + ")");
                    } else if (SHAPE_ONLY.contains(n.op()) && u.input() == 0) {
                        queue.addAll(n.outputs);
                    }
                }
            }
        }
        if (!other.isEmpty()) {
            notes.add("activations other than ReLU are recorded on the edges and treated as linear in the layers: "
                    + String.join(", ", other.stream().distinct().toList()));
        }
    }
}
