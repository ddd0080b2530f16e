package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The nodes at which a data-flow path ends because they apply weights that are not read as layers, so that no pair
 * of layers is formed across them: every recurrent node ({@code LSTM}, {@code GRU}, {@code RNN}: its output mixes its
 * gates over time), and every node not read as a layer that takes a computed value and a constant of rank ≥ 2 and
 * whose operator is not one of those understood ({@link #UNDERSTOOD}: elementwise arithmetic with constant masks,
 * shapes, indices, gathers, normalisations, pools, quantisation, control flow). Such an operator (a custom one, an
 * {@code Einsum} that is not a matrix product, a batched {@code MatMul}, {@code EmbedLayerNormalization}…) is named in
 * one note, by node name and op type, never passed silently.
 */
final class UnreadWeights {
    /**
     * Standard operators whose constant operands are not weights applied to the units (masks, shapes, indices,
     * embedding tables looked up, normalisation parameters, pads) or are read by constant folding.
     */
    static final Set<String> UNDERSTOOD = Set.of("Abs", "Acos", "Acosh", "Add", "And", "ArgMax", "ArgMin", "Asin",
            "Asinh", "Atan", "Atanh", "AveragePool", "BatchNormalization", "BitShift", "BitwiseAnd", "BitwiseNot",
            "BitwiseOr", "BitwiseXor", "Cast", "CastLike", "Ceil", "Celu", "Clip", "Compress", "Concat", "Constant",
            "ConstantOfShape", "Cos", "Cosh", "CumSum", "DepthToSpace", "DequantizeLinear", "Div", "Dropout",
            "DynamicQuantizeLinear", "Elu", "Equal", "Erf", "Exp", "Expand", "EyeLike", "Flatten", "Floor", "Gather",
            "GatherElements", "GatherND", "Gelu", "GlobalAveragePool", "GlobalLpPool", "GlobalMaxPool", "Greater",
            "GreaterOrEqual", "GridSample", "GroupNormalization", "HardSigmoid", "HardSwish", "Hardmax", "Identity",
            "If", "InstanceNormalization", "IsInf", "IsNaN", "LRN", "LayerNormalization", "LeakyRelu", "Less",
            "LessOrEqual", "Log", "LogSoftmax", "Loop", "LpNormalization", "LpPool", "Max", "MaxPool", "MaxRoiPool",
            "MaxUnpool", "Mean", "MeanVarianceNormalization", "Min", "Mish", "Mod", "Mul", "Neg", "NonMaxSuppression",
            "NonZero", "Not", "OneHot", "Or", "PRelu", "Pad", "Pow", "QuantizeLinear", "Range", "Reciprocal",
            "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin",
            "ReduceProd", "ReduceSum", "ReduceSumSquare", "Relu", "Reshape", "Resize", "ReverseSequence", "RoiAlign",
            "Round", "Scan", "Scatter", "ScatterElements", "ScatterND", "Selu", "Shape", "Shrink", "Sigmoid", "Sign",
            "Sin", "Sinh", "Size", "Slice", "Softmax", "Softplus", "Softsign", "SpaceToDepth", "Split", "Sqrt",
            "Squeeze", "Sub", "Sum", "Tan", "Tanh", "ThresholdedRelu", "Tile", "TopK", "Transpose", "Trilu", "Unique",
            "Unsqueeze", "Upsample", "Where", "Xor");
    /**
     * ONNX Runtime's ({@code com.microsoft}) operators that apply no weight matrix: normalisations, activations,
     * rotary tables.
     */
    static final Set<String> UNDERSTOOD_MICROSOFT = Set.of("BiasAdd", "BiasDropout", "BiasGelu", "BiasSoftmax",
            "FastGelu", "Gelu", "GroupQueryAttention", "LayerNormalization", "MultiHeadAttention", "QuickGelu",
            "RotaryEmbedding", "SimplifiedLayerNormalization", "SkipLayerNormalization",
            "SkipSimplifiedLayerNormalization");
    /** The most nodes named in the note; the rest are counted. */
    static final int MAX_NAMED = 20;

    private final Set<Node> ends = Collections.newSetFromMap(new IdentityHashMap<>());
    /** One note naming the nodes that end paths for their unread weights (recurrent nodes aside), or none. */
    final List<String> notes = new ArrayList<>(1);

    /**
     * Finds the nodes of {@code graph} that end paths, given its layers and constants.
     *
     * @throws InvalidModelException when a constant read on the way is invalid
     */
    UnreadWeights(GraphIndex graph, List<LayerPlan> layers, ConstantFolding constants) {
        Set<Node> read = Collections.newSetFromMap(new IdentityHashMap<>());
        for (LayerPlan l : layers) {
            read.add(l.node);
        }
        List<String> named = new ArrayList<>();
        int unnamed = 0;
        for (Node n : graph.nodes) {
            if (RecurrentLayers.isRecurrent(n)) {
                ends.add(n); // read as layers or explained by RecurrentLayers' note
                continue;
            }
            if (read.contains(n) || understood(n)) {
                continue;
            }
            ConstantTensor weight = unreadWeight(n, constants);
            if (weight == null) {
                continue;
            }
            ends.add(n);
            if (named.size() < MAX_NAMED) {
                named.add(describe(n, weight));
            } else {
                unnamed++;
            }
        }
        if (!named.isEmpty()) {
            notes.add("data-flow paths end at operators that apply weights this reader does not read as layers: "
                    + String.join("; ", named) + (unnamed == 0 ? "" : "; and " + unnamed + " more"));
        }
    }

    /** Whether a path reaching {@code n} ends there. */
    boolean endsPaths(Node n) {
        return ends.contains(n);
    }

    private static boolean understood(Node n) {
        String domain = n.proto.getDomain();
        return n.isStandard() ? UNDERSTOOD.contains(n.op())
                : domain.equals("com.microsoft") && UNDERSTOOD_MICROSOFT.contains(n.op());
    }

    /** The first constant of rank ≥ 2 {@code n} takes, when it also takes a computed value; else null. */
    private static @Nullable ConstantTensor unreadWeight(Node n, ConstantFolding constants) {
        boolean computed = false;
        @Nullable ConstantTensor weight = null;
        for (ValueId in : n.inputs) {
            if (in == null) {
                continue;
            }
            ConstantTensor c = constants.constant(in).orElse(null);
            if (c == null) {
                computed = true;
            } else if (weight == null && c.shape.length >= 2) {
                weight = c;
            }
        }
        return computed ? weight : null;
    }

    private static String describe(Node n, ConstantTensor weight) {
        String domain = n.proto.getDomain();
        String op = n.isStandard() ? n.op() : domain + "." + n.op();
        AttributeProto equation = n.op().equals("Einsum") ? n.attribute("equation") : null;
        return "node '" + n.name + "' (" + op
                + (equation == null ? "" : " '" + equation.getS().toStringUtf8() + "', not a matrix product")
                + ") with the constant '" + weight.rootName + "' " + Arrays.toString(weight.shape);
    }
}
