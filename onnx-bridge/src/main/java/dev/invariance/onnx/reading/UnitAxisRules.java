package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which axes hold a path's producer units ({@link UnitAxes}) as the path passes each node, and what a product of two
 * computed values does to them. A matrix product {@code A·B} (over the last two axes, the others batch axes) sums
 * over A's last axis and B's second-to-last: units there are <em>contracted</em> (each output value mixes all of
 * them: attention's query and key projections in {@code Q·Kᵀ}), units on A's second-to-last axis, on B's last axis
 * or on a batch axis survive (the value projection in {@code softmax(Q·Kᵀ)·V}). Axes are followed through elementwise
 * and axis-wise operations (unchanged), {@code Transpose} (moved), {@code Reshape} (split into or merged from
 * trailing axes, when the target's trailing dimensions are constant), {@code Flatten}, {@code Squeeze},
 * {@code Unsqueeze}, {@code Concat}, {@code Split} and {@code Slice}; anything else leaves them unknown.
 */
final class UnitAxisRules {
    /** Nodes that multiply matrices: a product of two computed values when both data operands are computed. */
    static final Set<String> PRODUCTS = Set.of("MatMul", "Gemm", "Einsum", "FusedMatMul");
    /** Nodes whose output has the axes of their data input(s), extents included (elementwise, axis-wise). */
    private static final Set<String> SAME_AXES = Set.of("Abs", "Acos", "Acosh", "Add", "And", "Asin", "Asinh", "Atan",
            "Atanh", "BatchNormalization", "BiasGelu", "BitShift", "Cast", "CastLike", "Ceil", "Celu", "Clip", "Cos",
            "Cosh", "CumSum", "DequantizeLinear", "Div", "Dropout", "DynamicQuantizeLinear", "Elu", "Equal", "Erf",
            "Exp", "FastGelu", "Floor", "Gelu", "Greater", "GreaterOrEqual", "GroupNormalization", "HardSigmoid",
            "HardSwish", "Hardmax", "Identity", "InstanceNormalization", "IsInf", "IsNaN", "LayerNormalization",
            "LeakyRelu", "Less", "LessOrEqual", "Log", "LogSoftmax", "LpNormalization", "Max", "Mean",
            "MeanVarianceNormalization", "Min", "Mish", "Mod", "Mul", "Neg", "Not", "Or", "PRelu", "Pow",
            "QuantizeLinear", "QuickGelu", "Reciprocal", "Relu", "Round", "Selu", "Shrink", "Sigmoid", "Sign",
            "SimplifiedLayerNormalization", "Sin", "Sinh", "SkipLayerNormalization",
            "SkipSimplifiedLayerNormalization", "Softmax", "Softplus", "Softsign", "Sqrt", "Sub", "Sum", "Tan", "Tanh",
            "ThresholdedRelu", "Where", "Xor");
    /** Nodes that keep the rank and the axes but may change an axis's extent (pooling, padding, repeating). */
    private static final Set<String> SAME_AXES_NEW_EXTENT = Set.of("AveragePool", "Expand", "GlobalAveragePool",
            "GlobalLpPool", "GlobalMaxPool", "LpPool", "MaxPool", "Pad", "Resize", "Tile", "TopK", "Upsample");
    /** The most axes followed (a value of more axes has unknown unit axes). */
    private static final int MAX_RANK = UnitAxes.MAX_AXES;

    /** What a product of two computed values does to the units of one operand. */
    record Passage(UnitAxes axes, @Nullable String ended) {
        static Passage kept(UnitAxes axes) {
            return new Passage(axes, null);
        }

        static Passage ended(String reason) {
            return new Passage(UnitAxes.UNKNOWN, reason);
        }
    }

    /** The reason of a path whose units a product sums over. */
    static final String CONTRACTED = "contracted";
    /** The reason of a path that reaches a product with units on axes not known. */
    static final String AXES_UNKNOWN = "units on axes not known";

    private final ConstantFolding constants;
    private final ValueShapes shapes;
    private final UnitMappingRules units;

    /** The rules for a graph whose constants, shapes and unit mappings are those given. */
    UnitAxisRules(ConstantFolding constants, ValueShapes shapes, UnitMappingRules units) {
        this.constants = constants;
        this.shapes = shapes;
        this.units = units;
    }

    /**
     * Whether {@code n}'s output has the rank of its data input: elementwise and axis-wise operations, pooling, padding,
     * and reductions that keep the reduced axes.
     */
    static boolean keepsRank(Node n) {
        String op = n.op();
        return SAME_AXES.contains(op) || SAME_AXES_NEW_EXTENT.contains(op)
                || (op.startsWith("Reduce") && n.intAttribute("keepdims", 1) != 0);
    }

    /** Whether {@code n} multiplies two computed values (matrices or an {@code Einsum} of two operands). */
    boolean isProductOfComputedValues(Node n) {
        String op = n.op();
        boolean known = op.equals("FusedMatMul") ? n.proto.getDomain().equals("com.microsoft")
                : PRODUCTS.contains(op) && n.isStandard();
        return known && n.inputs.size() >= 2 && (!op.equals("Einsum") || n.inputs.size() == 2)
                && constants.isComputed(n.input(0)) && constants.isComputed(n.input(1));
    }

    /**
     * The units of operand {@code input} of a product of two computed values ({@link #isProductOfComputedValues}):
     * kept on the output's axes, or ended: {@value #CONTRACTED} when the product sums over an axis that holds them,
     * {@value #AXES_UNKNOWN} when where they lie is not known.
     */
    Passage product(Node n, int input, ValueId value, UnitAxes a) {
        if (n.op().equals("Gemm") && input == 2) {
            return Passage.kept(a); // C is added to the product
        }
        if (!a.isKnown()) {
            return Passage.ended(AXES_UNKNOWN);
        }
        if (n.op().equals("Einsum")) {
            return einsum(n, input, a);
        }
        boolean transposed = n.intAttribute(input == 0 ? "transA" : "transB", 0) != 0;
        if (n.intAttribute("transBatchA", 0) != 0 || n.intAttribute("transBatchB", 0) != 0) {
            return Passage.ended(AXES_UNKNOWN);
        }
        if (shapes.rank(value) == 1) { // a vector operand: its one axis is summed over
            return Passage.ended(CONTRACTED);
        }
        // A [..., m, k] · B [..., k, n] = [..., m, n]: A keeps axis -2, B axis -1 (with transA/transB the other one)
        int summed = input == 0 ? (transposed ? -2 : -1) : (transposed ? -1 : -2);
        int kept = input == 0 ? (transposed ? -1 : -2) : (transposed ? -2 : -1);
        List<Integer> out = new ArrayList<>(a.fromEnd().size());
        for (int u : a.fromEnd()) {
            if (u == summed) {
                return Passage.ended(CONTRACTED);
            }
            out.add(u == kept ? (input == 0 ? -2 : -1) : u);
        }
        return Passage.kept(UnitAxes.of(out, a.extent()));
    }

    /**
     * An {@code Einsum} of two operands with an explicit output ({@code "bhid,bhjd->bhij"}, an ellipsis only in
     * front): a unit axis whose letter is not in the output is summed over.
     */
    private Passage einsum(Node n, int input, UnitAxes a) {
        AttributeProto eq = n.attribute("equation");
        String equation = eq == null ? "" : eq.getS().toStringUtf8().replace(" ", "");
        int arrow = equation.indexOf("->");
        String[] operands = arrow < 0 ? new String[0] : equation.substring(0, arrow).split(",", -1);
        if (operands.length != 2) {
            return Passage.ended(AXES_UNKNOWN);
        }
        String operand = operands[input];
        String output = equation.substring(arrow + 2);
        boolean ellipsis = operand.startsWith("...");
        String letters = ellipsis ? operand.substring(3) : operand;
        String outLetters = output.startsWith("...") ? output.substring(3) : output;
        List<Integer> out = new ArrayList<>(a.fromEnd().size());
        for (int u : a.fromEnd()) {
            int position = letters.length() + u;
            if (position < 0) { // inside the ellipsis: kept where the output has one
                if (!ellipsis || !output.startsWith("...")) {
                    return Passage.ended(AXES_UNKNOWN);
                }
                out.add(position - outLetters.length());
                continue;
            }
            char letter = letters.charAt(position);
            if (!Character.isLetter(letter) || letters.indexOf(letter) != letters.lastIndexOf(letter)) {
                return Passage.ended(AXES_UNKNOWN); // a diagonal or a malformed equation
            }
            int at = outLetters.indexOf(letter);
            if (at < 0) {
                return Passage.ended(CONTRACTED);
            }
            out.add(at - outLetters.length());
        }
        return Passage.kept(UnitAxes.of(out, a.extent()));
    }

    /**
     * The unit axes on output {@code output} of node {@code n} (not a product of computed values) that read
     * {@code value}, whose units lie on {@code a}, on input {@code input}.
     */
    UnitAxes through(Node n, int input, int output, ValueId value, UnitAxes a) {
        if (!a.isKnown()) {
            return a;
        }
        String op = n.op();
        if (SAME_AXES.contains(op) || (op.equals("Gemm") && input == 2)) {
            return a;
        }
        if (SAME_AXES_NEW_EXTENT.contains(op)) {
            return a.withExtent(-1);
        }
        if (!n.isStandard()) {
            return UnitAxes.UNKNOWN;
        }
        return switch (op) {
            case "Transpose" -> transposed(n, value, a);
            case "Reshape" -> reshaped(n, a);
            case "Flatten" -> flattened(n, value, a);
            case "Squeeze" -> squeezed(n, value, a);
            case "Unsqueeze" -> unsqueezed(n, value, a);
            case "Concat" -> concatenated(n, value, a);
            case "Split" -> split(n, output, value, a);
            case "Slice" -> sliced(n, value, a);
            case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                 "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare" ->
                    n.intAttribute("keepdims", 1) != 0 ? a.withExtent(-1) : UnitAxes.UNKNOWN;
            default -> UnitAxes.UNKNOWN;
        };
    }

    private UnitAxes transposed(Node n, ValueId value, UnitAxes a) {
        AttributeProto perm = n.attribute("perm");
        int rank = perm != null ? perm.getIntsCount() : shapes.rank(value);
        if (rank <= 0 || rank > MAX_RANK) {
            return UnitAxes.UNKNOWN;
        }
        List<Integer> out = new ArrayList<>();
        for (int u : a.fromEnd()) {
            int axis = rank + u;
            int to = -1;
            for (int i = 0; i < rank; i++) {
                long from = perm == null ? rank - 1 - i : perm.getInts(i);
                if (from == axis) {
                    to = i;
                }
            }
            if (to < 0) {
                return UnitAxes.UNKNOWN;
            }
            out.add(to - rank);
        }
        return UnitAxes.of(out, a.extent());
    }

    /**
     * A row-major {@code Reshape}: units filling the last axes in order, spanning {@code extent} positions, fill the
     * shortest run of the target's last dimensions whose product is that extent (a split into heads, a merge back).
     */
    private UnitAxes reshaped(Node n, UnitAxes a) {
        if (!a.isTrailingBlock() || a.extent() <= 0 || n.intAttribute("allowzero", 0) != 0) {
            return UnitAxes.UNKNOWN;
        }
        long[] tail = trailingShape(n.input(1));
        long product = 1;
        for (int k = 1; k <= tail.length; k++) {
            long d = tail[tail.length - k];
            if (d <= 0) {
                return UnitAxes.UNKNOWN; // 0 copies an input dimension, -1 is inferred: not known here
            }
            if (d > a.extent() / product) {
                return UnitAxes.UNKNOWN; // the product would pass the extent (and could overflow)
            }
            product *= d;
            if (product == a.extent()) {
                List<Integer> out = new ArrayList<>(k);
                for (int i = -k; i < 0; i++) {
                    out.add(i);
                }
                return UnitAxes.of(out, a.extent());
            }
        }
        return UnitAxes.UNKNOWN;
    }

    /**
     * The last dimensions of a {@code Reshape}'s target that are constant: all of a constant target, or the constant
     * pieces at the end of a {@code Concat} that builds it from {@code Shape} arithmetic (PyTorch's
     * {@code view(B, T, heads, d)} with dynamic B and T).
     */
    private long[] trailingShape(@Nullable ValueId target) {
        if (target == null) {
            return new long[0];
        }
        long[] whole = units.integers(target);
        if (whole != null) {
            return whole;
        }
        Node concat = GraphIndex.producer(target);
        if (concat == null || !concat.op().equals("Concat") || !concat.isStandard()) {
            return new long[0];
        }
        List<long[]> pieces = new ArrayList<>();
        int total = 0;
        for (int i = concat.inputs.size() - 1; i >= 0 && total <= MAX_RANK; i--) {
            ValueId in = concat.input(i);
            long[] piece = in == null ? null : units.integers(in);
            if (piece == null) {
                break;
            }
            pieces.add(0, piece);
            total += piece.length;
        }
        long[] tail = new long[total];
        int at = 0;
        for (long[] piece : pieces) {
            System.arraycopy(piece, 0, tail, at, piece.length);
            at += piece.length;
        }
        return tail;
    }

    /** {@code Flatten(axis)} to {@code [outer, inner]}: units before the axis go to axis −2, from it on to −1. */
    private UnitAxes flattened(Node n, ValueId value, UnitAxes a) {
        long axis = n.intAttribute("axis", 1);
        if (axis >= 0) {
            int rank = shapes.rank(value);
            if (rank < 0) {
                return UnitAxes.UNKNOWN;
            }
            axis -= rank; // counted from the end, as the unit axes are
        }
        boolean inner = a.fromEnd().get(0) >= axis;
        for (int u : a.fromEnd()) {
            if ((u >= axis) != inner) {
                return UnitAxes.UNKNOWN; // units on both sides: spread over both axes
            }
        }
        boolean wholeTail = inner && a.isTrailingBlock() && a.fromEnd().size() == -axis;
        return UnitAxes.of(List.of(inner ? -1 : -2), wholeTail ? a.extent() : -1);
    }

    /** The axes of {@code Squeeze}/{@code Unsqueeze}: the {@code axes} attribute (before opset 13) or input 1. */
    private long @Nullable [] axesOperand(Node n) {
        AttributeProto attr = n.attribute("axes");
        if (attr != null) {
            return UnitMappingRules.integers(attr);
        }
        ValueId in = n.input(1);
        long[] axes = in == null ? null : units.integers(in);
        return axes == null ? null : axes.clone(); // turned into counts from the end in place
    }

    /** {@code Squeeze} of size-1 axes: the unit axes nearer the end move by the removed axes after them. */
    private UnitAxes squeezed(Node n, ValueId value, UnitAxes a) {
        long[] axes = axesOperand(n);
        if (axes == null || !fromEnd(axes, shapes.rank(value))) {
            return UnitAxes.UNKNOWN;
        }
        List<Integer> out = new ArrayList<>();
        for (int u : a.fromEnd()) {
            int shift = 0;
            for (long s : axes) {
                if (s == u) {
                    return UnitAxes.UNKNOWN;
                }
                if (s > u) {
                    shift++;
                }
            }
            out.add(u + shift);
        }
        return UnitAxes.of(out, a.extent());
    }

    /** {@code Unsqueeze}: new size-1 axes at the given output positions; unit axes keep their order among the rest. */
    private UnitAxes unsqueezed(Node n, ValueId value, UnitAxes a) {
        long[] axes = axesOperand(n);
        int rank = shapes.rank(value);
        if (axes == null || axes.length > MAX_RANK || !fromEnd(axes, rank < 0 ? -1 : rank + axes.length)) {
            return UnitAxes.UNKNOWN;
        }
        List<Integer> out = new ArrayList<>();
        for (int u : a.fromEnd()) {
            int position = 0; // walk the output from its end, counting the input's axes
            for (int seen = 0; seen < -u; ) {
                position--;
                boolean inserted = false;
                for (long s : axes) {
                    inserted |= s == position;
                }
                if (!inserted) {
                    seen++;
                }
            }
            out.add(position);
        }
        return UnitAxes.of(out, a.extent());
    }

    /** Turns axes into counts from the end (in place) for a value of {@code rank} axes (−1: not known). */
    private static boolean fromEnd(long[] axes, int rank) {
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] >= 0) {
                if (rank < 0) {
                    return false;
                }
                axes[i] -= rank;
            }
        }
        return true;
    }

    /** Axis {@code axis} of a value of rank {@code rank} counted from the end, or null when it cannot be told. */
    private static @Nullable Integer fromEnd(long axis, int rank) {
        if (axis < 0) {
            return axis < -MAX_RANK ? null : (int) axis;
        }
        return rank < 0 || axis >= rank ? null : (int) (axis - rank);
    }

    /** {@code Concat}: along a unit axis (alone) the extent grows by the other inputs' widths. */
    private UnitAxes concatenated(Node n, ValueId value, UnitAxes a) {
        Integer axis = fromEnd(n.intAttribute("axis", 1), shapes.rank(value));
        if (axis == null) {
            return UnitAxes.UNKNOWN;
        }
        if (!a.holds(axis)) {
            return a;
        }
        if (a.fromEnd().size() > 1 || axis != -1) {
            return a.withExtent(-1);
        }
        long sum = 0;
        for (ValueId in : n.inputs) {
            int w = shapes.width(in);
            if (w < 0) {
                return a.withExtent(-1);
            }
            sum += w;
        }
        return a.withExtent(sum);
    }

    /** Output {@code k} of a {@code Split}: along the unit axis (alone) its extent is that output's size. */
    private UnitAxes split(Node n, int k, ValueId value, UnitAxes a) {
        Integer axis = fromEnd(n.intAttribute("axis", 0), shapes.rank(value));
        if (axis == null) {
            return UnitAxes.UNKNOWN;
        }
        if (!a.holds(axis)) {
            return a;
        }
        long[] sizes = a.fromEnd().size() == 1 ? units.splitSizes(n, a.extent()) : null;
        return a.withExtent(sizes == null || k >= sizes.length ? -1 : sizes[k]);
    }

    /** {@code Slice}: along the unit axis (alone, step 1) its extent is the window's length. */
    private UnitAxes sliced(Node n, ValueId value, UnitAxes a) {
        UnitMappingRules.SliceBounds bounds = units.sliceBounds(n);
        if (bounds == null) {
            return UnitAxes.UNKNOWN;
        }
        long extent = a.extent();
        for (int i = 0; i < bounds.starts().length; i++) {
            Integer axis = fromEnd(bounds.axis(i), shapes.rank(value));
            if (axis == null) {
                return UnitAxes.UNKNOWN;
            }
            if (a.holds(axis)) {
                extent = a.fromEnd().size() == 1 && bounds.step(i) == 1 && extent >= 0 ? bounds.length(i, extent) : -1;
            }
        }
        return a.withExtent(extent);
    }
}
