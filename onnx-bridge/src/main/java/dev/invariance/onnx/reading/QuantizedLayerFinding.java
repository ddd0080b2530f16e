package dev.invariance.onnx.reading;

import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.Use;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The quantised operators read as dense layers: each node is matched to the floating-point product it computes, with
 * the dequantised weight {@code W = (q − zero_point) · scale} ({@link ConstantTensor.Dequantize},
 * {@link MatMulNBitsWeight}) and the value where the layer's output {@code W x + b} is, in the layouts ONNX Runtime's
 * quantisation tools write:
 * <ul>
 *   <li>dynamic: {@code MatMulInteger(x_q, B_q, x_zp, B_zp)} or {@code ConvInteger(x_q, w_q, x_zp, w_zp)} on the
 *       output of a {@code DynamicQuantizeLinear}, then {@code Cast} to float and {@code Mul} by
 *       {@code Mul(x_scale, W_scale)} with x_scale that node's scale output (the weight's scale is the constant
 *       factor), then for a convolution the bias {@code Add} of a constant of one entry per channel;</li>
 *   <li>QOperator: {@code QLinearMatMul} and {@code QLinearConv} (with its int32 bias, whose scale is
 *       {@code x_scale · w_scale}), their output through the {@code DequantizeLinear} that reads it with the same
 *       scale and zero point;</li>
 *   <li>{@code com.microsoft} {@code MatMulNBits}: 4-bit blocks along K;</li>
 *   <li>weight only: a {@code MatMul} by integers cast to float followed by a {@code Mul} by a constant scale, one or
 *       one per output unit ({@link #castScale}).</li>
 * </ul>
 * QDQ models need nothing here: their {@code DequantizeLinear} of a constant is folded into the weight
 * ({@link ConstantFolding}). Scales and zero points are one per tensor or one per output unit (per block for
 * {@code MatMulNBits}); the activation's own quantisation is not part of {@code W}. A node that breaks its
 * operator's rules is refused; one in a layout not read here (a constant first operand, a static activation scale
 * folded into the output scale, other bit widths) is named in a note.
 */
final class QuantizedLayerFinding {
    /** The standard quantised operators that hold a weight. */
    static final Set<String> STANDARD = Set.of("MatMulInteger", "QLinearMatMul", "ConvInteger", "QLinearConv");
    /** The domain of {@code MatMulNBits}. */
    static final String MICROSOFT = "com.microsoft";

    /**
     * The floating-point product a quantised node computes.
     *
     * @param activation the value multiplied (the quantised activation the node reads)
     * @param weight     the dequantised weight, laid out as the operand of the float operator: a {@code MatMul}'s
     *                   second operand {@code [K, N]}, a {@code Conv}'s kernel
     * @param bias       the bias the node itself adds, or null (a following {@code Add} is looked for as for a
     *                   {@code MatMul})
     * @param output     the value that holds the product in floating point
     */
    record Product(ValueId activation, ConstantTensor weight, @Nullable ConstantTensor bias, ValueId output) {
    }

    private final String file;
    private final GraphIndex graph;
    private final ConstantFolding constants;
    private final List<String> notes;

    /**
     * The quantised layers of {@code graph}, with {@code notes} receiving a note for each quantised node not read.
     *
     * @param file the model file's name for messages
     */
    QuantizedLayerFinding(String file, GraphIndex graph, ConstantFolding constants, List<String> notes) {
        this.file = file;
        this.graph = graph;
        this.constants = constants;
        this.notes = notes;
    }

    /** Whether {@code n} is a quantised operator that holds a weight ({@link #product} reads it). */
    static boolean isQuantized(Node n) {
        return n.isStandard() ? STANDARD.contains(n.op())
                : n.proto.getDomain().equals(MICROSOFT) && n.op().equals(MatMulNBitsWeight.OPERATOR);
    }

    /** Whether {@code n} is a convolution among the quantised operators. */
    static boolean isConvolution(Node n) {
        return n.op().equals("ConvInteger") || n.op().equals("QLinearConv");
    }

    /**
     * The product quantised node {@code n} computes, or null when it is not read as a layer (a note says why, unless
     * its weight is not constant: then it is no layer, as a {@code MatMul} of two computed values).
     *
     * @throws InvalidModelException when the node breaks its operator's rules
     */
    @Nullable Product product(Node n) {
        ValueId x = n.input(0);
        if (n.outputs.isEmpty() || x == null) {
            return null;
        }
        if (!constants.isComputed(x)) {
            note(n, "multiplies a constant first operand (only a computed input times a constant weight is read)");
            return null;
        }
        return switch (n.op()) {
            case "MatMulInteger" -> matMulInteger(n, x);
            case "ConvInteger" -> convInteger(n, x);
            case "QLinearMatMul" -> qLinear(n, x, false);
            case "QLinearConv" -> qLinear(n, x, true);
            default -> matMulNBits(n, x);
        };
    }

    /** Scaled integers: a constant {@code MatMul} weight that is a {@code Cast} of integers, and its scale. */
    record Scaled(ConstantTensor weight, ValueId output) {
    }

    /**
     * Weight-only quantisation: {@code MatMul(X, Cast(q))} whose product {@code product} is multiplied, and nothing
     * else, by a constant scale that is one number or one per output unit (broadcast along the last axis). Then
     * {@code W = (q · scale)ᵀ} and the layer's output is the {@code Mul}'s.
     *
     * @param weight the {@code MatMul}'s constant second operand
     * @return the scaled weight and the {@code Mul}'s output, or null when {@code weight} is not a cast of integers or
     *         no such scale follows
     */
    @Nullable Scaled castScale(ConstantTensor weight, ValueId product) {
        if (!(weight instanceof ConstantTensor.Cast c) || c.source.precision != null || weight.shape.length != 2) {
            return null;
        }
        Use use = onlyUse(product);
        if (use == null || !use.node().op().equals("Mul") || !use.node().isStandard() || use.node().outputs.isEmpty()) {
            return null;
        }
        ConstantTensor scale = constants.constant(use.node().input(1 - use.input())).orElse(null);
        long units = weight.shape[1];
        if (scale == null || scale.precision == null || !isUnitVector(scale, units, 0)) {
            return null;
        }
        return new Scaled(new ConstantTensor.Dequantize(c.source, scale, null, 1, "Cast"), use.node().outputs.get(0));
    }

    private @Nullable Product matMulInteger(Node n, ValueId x) {
        ConstantTensor b = constantWeight(n, 1, 2);
        if (b == null) {
            return null;
        }
        ConstantTensor zero = zeroPoint(n, 3, b.shape[1]);
        OutputScale scaled = outputScale(n);
        if (scaled == null) {
            return null;
        }
        if (!isUnitVector(scaled.scale(), b.shape[1], 0)) {
            throw invalid(n, "its weight's scale has shape " + Arrays.toString(scaled.scale().shape) + " for "
                    + b.shape[1] + " output columns");
        }
        return new Product(x, new ConstantTensor.Dequantize(b, scaled.scale(), zero, 1, n.op()), null,
                scaled.output());
    }

    private @Nullable Product convInteger(Node n, ValueId x) {
        ConstantTensor w = constantWeight(n, 1, 3);
        if (w == null) {
            return null;
        }
        int spatial = w.shape.length - 2;
        ConstantTensor zero = zeroPoint(n, 3, w.shape[0]);
        OutputScale scaled = outputScale(n);
        if (scaled == null) {
            return null;
        }
        if (!isUnitVector(scaled.scale(), w.shape[0], spatial)) {
            throw invalid(n, "its weight's scale has shape " + Arrays.toString(scaled.scale().shape) + " for "
                    + w.shape[0] + " output channels");
        }
        ValueId output = scaled.output();
        ConstantTensor bias = null;
        Use add = onlyUse(output);
        if (add != null && add.node().op().equals("Add") && add.node().isStandard() && !add.node().outputs.isEmpty()) {
            ConstantTensor c = constants.constant(add.node().input(1 - add.input())).orElse(null);
            if (c != null && c.precision != null && isUnitVector(c, w.shape[0], spatial) && c.count() == w.shape[0]) {
                bias = c;
                output = add.node().outputs.get(0);
            }
        }
        return new Product(x, new ConstantTensor.Dequantize(w, scaled.scale(), zero, 0, n.op()), bias,
                output);
    }

    /**
     * {@code QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp)} or
     * {@code QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B)}: the weight {@code (w − w_zp) · w_scale}
     * per tensor or per output unit, the convolution's int32 bias {@code B · x_scale · w_scale}.
     */
    private @Nullable Product qLinear(Node n, ValueId x, boolean convolution) {
        ConstantTensor w = constantWeight(n, 3, convolution ? 3 : 2);
        if (w == null) {
            return null;
        }
        int axis = convolution ? 0 : 1;
        long units = w.shape[axis];
        ConstantTensor scale = floatOperand(n, 4, "w_scale");
        if (scale.shape.length > 1 || (scale.count() != 1 && scale.count() != units)) {
            throw invalid(n, "has a weight scale of shape " + Arrays.toString(scale.shape) + " for " + units
                    + " output units (one scale, or one per unit)");
        }
        ConstantTensor zero = zeroPoint(n, 5, units);
        ConstantTensor weight = new ConstantTensor.Dequantize(w, scale, zero, axis, n.op());
        ConstantTensor bias = null;
        if (convolution && n.input(8) != null) {
            ConstantTensor b = constants.constant(n.input(8)).orElse(null);
            ConstantTensor xScale = floatOperand(n, 1, "x_scale");
            if (b == null || b.precision != null || b.shape.length != 1 || b.count() != units || xScale.count() != 1) {
                throw invalid(n, "has a bias that is not a constant integer vector of " + units
                        + " entries with one input scale");
            }
            long[] shape = Broadcasting.shape(xScale.shape, scale.shape);
            bias = new ConstantTensor.Dequantize(b,
                    new ConstantTensor.Elementwise(xScale, scale, '*', shape == null ? scale.shape : shape), null, 0,
                    n.op());
        }
        return new Product(x, weight, bias, dequantized(n.outputs.get(0), n.input(6), n.input(7)));
    }

    /**
     * {@code com.microsoft} {@code MatMulNBits(A, B, scales, zero_points, g_idx, bias)} with attributes K, N, bits and
     * block_size: B of {@code [N, ceil(K / block_size), block_size · bits / 8]} bytes.
     */
    private @Nullable Product matMulNBits(Node n, ValueId x) {
        long k = n.intAttribute("K", -1);
        long outputs = n.intAttribute("N", -1);
        long bits = n.intAttribute("bits", 4);
        long blockSize = n.intAttribute("block_size", -1);
        if (k < 1 || outputs < 1 || blockSize < 1 || k > Integer.MAX_VALUE || outputs > Integer.MAX_VALUE
                || blockSize > Integer.MAX_VALUE || k * outputs > TensorPayload.MAX_ELEMENTS) {
            throw invalid(n, "has K " + k + ", N " + outputs + " and block_size " + blockSize
                    + "; each must be at least 1 and the weight below 2^31 values");
        }
        if (bits != 4) {
            note(n, "stores " + bits + "-bit weights (only 4-bit blocks are read)");
            return null;
        }
        if (blockSize % 2 != 0) {
            throw invalid(n, "has block_size " + blockSize + ", which does not fill whole bytes of 4-bit values");
        }
        if (n.input(4) != null) {
            note(n, "orders its weights by g_idx (act-order quantisation is not read)");
            return null;
        }
        long blocks = MatMulNBitsWeight.blocks(k, blockSize);
        ConstantTensor b = constants.constant(n.input(1)).orElse(null);
        long[] packedShape = {outputs, blocks, blockSize / 2};
        if (b == null || b.elementCode() != TensorPayload.UINT8 || !Arrays.equals(b.shape, packedShape)) {
            throw invalid(n, "needs a constant uint8 B of shape " + Arrays.toString(packedShape) + " for K " + k
                    + ", N " + outputs + " and block_size " + blockSize + (b == null ? ""
                    : ", not " + TensorPayload.typeName(b.elementCode()) + " " + Arrays.toString(b.shape)));
        }
        ConstantTensor scales = floatOperand(n, 2, "scales");
        if (scales.count() != outputs * blocks) {
            throw invalid(n, "has " + scales.count() + " scales for " + outputs * blocks + " blocks");
        }
        ConstantTensor zeros = null;
        if (n.input(3) != null) {
            zeros = constants.constant(n.input(3)).orElse(null);
            if (zeros != null && zeros.precision != null) {
                note(n, "has floating-point zero points (only packed uint8 zero points are read)");
                return null;
            }
            long expected = outputs * ((blocks + 1) / 2);
            if (zeros == null || zeros.elementCode() != TensorPayload.UINT8 || zeros.count() != expected) {
                throw invalid(n, "needs constant uint8 zero points, " + expected + " bytes of packed 4-bit values");
            }
        }
        ConstantTensor bias = null;
        if (n.input(5) != null) {
            bias = constants.constant(n.input(5)).orElse(null);
            if (bias == null || bias.precision == null || bias.count() != outputs) {
                throw invalid(n, "has a bias that is not a constant vector of " + outputs + " values");
            }
        }
        MatMulNBitsWeight weight = new MatMulNBitsWeight(b, scales, zeros, (int) outputs, (int) k, 4, (int) blockSize);
        return new Product(x, weight, bias, n.outputs.get(0));
    }

    /**
     * The node's constant integer weight at input {@code index}, of rank {@code rank} (at least that for a
     * convolution's kernel), or null when it is computed (the node is then no layer) or the first operand is
     * constant (with a note).
     */
    private @Nullable ConstantTensor constantWeight(Node n, int index, int rank) {
        ConstantTensor w = constants.constant(n.input(index)).orElse(null);
        if (w == null) {
            return null;
        }
        if (w.precision != null) {
            throw invalid(n, "has a weight '" + w.rootName + "' of floating-point type "
                    + TensorPayload.typeName(w.elementCode()) + "; a quantised weight is an integer tensor");
        }
        boolean convolution = isConvolution(n);
        if (convolution ? w.shape.length < rank : w.shape.length != rank) {
            note(n, "multiplies by the rank-" + w.shape.length + " constant '" + w.rootName + "' "
                    + Arrays.toString(w.shape));
            return null;
        }
        return w;
    }

    /**
     * The weight's zero point at input {@code index}: absent (0), or a constant integer that is one number or one per
     * output unit ({@code units} values along the last axis, every other axis of size 1).
     */
    private @Nullable ConstantTensor zeroPoint(Node n, int index, long units) {
        if (n.input(index) == null) {
            return null;
        }
        ConstantTensor z = constants.constant(n.input(index)).orElse(null);
        if (z == null || z.precision != null || !isUnitVector(z, units, 0)) {
            throw invalid(n, "has a weight zero point that is not a constant integer, one for the tensor or one per "
                    + "output unit (" + units + ")");
        }
        return z;
    }

    private ConstantTensor floatOperand(Node n, int index, String what) {
        ConstantTensor c = constants.constant(n.input(index)).orElse(null);
        if (c == null || c.precision == null) {
            throw invalid(n, "has a " + what + " that is not a floating-point constant");
        }
        return c;
    }

    /** The weight's scale of a dynamic product, and the value where the scaled product is. */
    private record OutputScale(ConstantTensor scale, ValueId output) {
    }

    /**
     * ONNX Runtime's dynamic layout after {@code MatMulInteger} or {@code ConvInteger}: the integer product, and
     * nothing else, goes through {@code Cast} to float and a {@code Mul} by {@code Mul(x_scale, W_scale)}, x_scale the
     * scale output of the {@code DynamicQuantizeLinear} that gave the node its input. Null, with a note, otherwise.
     */
    private @Nullable OutputScale outputScale(Node n) {
        Use cast = onlyUse(n.outputs.get(0));
        Use mul = cast == null || !isStandard(cast.node(), "Cast") || cast.node().outputs.isEmpty()
                || TensorPayload.floatType((int) cast.node().intAttribute("to", 0)) == null
                ? null : onlyUse(cast.node().outputs.get(0));
        ValueId scales = mul == null || !isStandard(mul.node(), "Mul") || mul.node().outputs.isEmpty()
                ? null : mul.node().input(1 - mul.input());
        Node product = scales == null ? null : GraphIndex.producer(scales);
        ConstantTensor weightScale = null;
        if (product != null && isStandard(product, "Mul") && product.inputs.size() == 2) {
            for (int i = 0; i < 2; i++) {
                Optional<ConstantTensor> c = constants.constant(product.input(i));
                if (c.isPresent() && c.get().precision != null && isActivationScale(product.input(1 - i), n)) {
                    weightScale = c.get();
                }
            }
        }
        if (weightScale == null || mul == null) {
            note(n, "is not followed by Cast and Mul by Mul(x_scale, W_scale), with x_scale from the "
                    + "DynamicQuantizeLinear of its input, as ONNX Runtime's dynamic quantisation writes it");
            return null;
        }
        return new OutputScale(weightScale, mul.node().outputs.get(0));
    }

    /** Whether {@code v} is the scale output of the {@code DynamicQuantizeLinear} whose codes {@code n} reads. */
    private static boolean isActivationScale(@Nullable ValueId v, Node n) {
        if (v == null) {
            return false;
        }
        Node q = GraphIndex.producer(v);
        ValueId input = n.input(0);
        return q != null && isStandard(q, "DynamicQuantizeLinear") && q.outputs.size() >= 2
                && q.outputs.get(1).equals(v) && input != null && q.outputs.get(0).equals(input);
    }

    /**
     * The float value of a requantised output: the output of the one {@code DequantizeLinear} that reads it with the
     * node's own output scale and zero point, else the quantised output itself.
     */
    private ValueId dequantized(ValueId output, @Nullable ValueId scale, @Nullable ValueId zero) {
        Use use = onlyUse(output);
        if (use == null || use.input() != 0 || !isStandard(use.node(), "DequantizeLinear")
                || use.node().outputs.isEmpty() || !sameValue(use.node().input(1), scale)
                || !sameValue(use.node().input(2), zero)) {
            return output;
        }
        return use.node().outputs.get(0);
    }

    /** Whether two operands hold the same value: the same value, or constants with equal values. */
    private boolean sameValue(@Nullable ValueId a, @Nullable ValueId b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.equals(b)) {
            return true;
        }
        ConstantTensor ca = constants.constant(a).orElse(null);
        ConstantTensor cb = constants.constant(b).orElse(null);
        return ca != null && cb != null && ca.count() <= ConstantFolding.MAX_SHAPE_VALUES
                && ca.count() == cb.count() && Arrays.equals(ca.values(), cb.values());
    }

    /**
     * Whether {@code c} holds one value, or {@code units} values along the axis that is followed by {@code trailing}
     * axes (the unit axis of a product's output, counted from the end), every other axis of size 1.
     */
    static boolean isUnitVector(ConstantTensor c, long units, int trailing) {
        if (c.count() == 1) {
            return true;
        }
        int rank = c.shape.length;
        if (c.count() != units || rank < trailing + 1) {
            return false;
        }
        for (int i = 0; i < rank; i++) {
            if (i != rank - 1 - trailing && c.shape[i] != 1) {
                return false;
            }
        }
        return true;
    }

    private @Nullable Use onlyUse(ValueId v) {
        List<Use> uses = graph.usesOf(v);
        return uses.size() == 1 ? uses.get(0) : null;
    }

    private static boolean isStandard(Node n, String op) {
        return n.isStandard() && n.op().equals(op);
    }

    private void note(Node n, String why) {
        notes.add("node '" + n.name + "' (" + n.op() + ") " + why + "; not read as a dense layer");
    }

    private InvalidModelException invalid(Node n, String what) {
        return new InvalidModelException(file + ": " + n.op() + " '" + n.name + "' " + what);
    }
}
