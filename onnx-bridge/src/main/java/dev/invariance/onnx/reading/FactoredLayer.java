package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.invariance.compression.LowRankFactors;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * The two nodes (and their new weight tensors) that replace one dense layer's node in the operator the model used,
 * for factors {@code W ≈ L·R} with L = U_r Σ_r^{1/2} (d_out × r) and R = Σ_r^{1/2} V_rᵀ (r × d_in):
 * <ul>
 *   <li>{@code MatMul(X, B)} (W = Bᵀ): {@code MatMul(MatMul(X, Rᵀ), Lᵀ)}; {@code MatMul(A, X)} (W = A):
 *       {@code MatMul(L, MatMul(R, X))}. A bias {@code Add} after the product is untouched.</li>
 *   <li>{@code Gemm(A, B, C)} with B constant, {@code W = alpha·op(B)ᵀ}: {@code Gemm(Gemm(A, R'), L', C)} with
 *       {@code alpha} folded into the factors, the first Gemm keeping {@code transA}, both keeping {@code transB}
 *       (R' = R, L' = L when transB = 1, else their transposes), the second carrying {@code C} and {@code beta}.</li>
 *   <li>{@code Conv(X, K, b)} with group 1, kernel [d_out, c_in, k…] (W its d_out × (c_in·k…) view): a Conv by R as a
 *       kernel [r, c_in, k…] with the node's strides, pads, dilations and auto_pad, then a 1×1 Conv by L as
 *       [d_out, r, 1…] carrying the bias.</li>
 *   <li>QDQ {@code MatMul(X, DequantizeLinear(q, s, z))}: each factor operand re-quantised per output column
 *       (axis 1) to q's integer type, symmetric ({@link QuantizedFactor}), each behind its own DequantizeLinear.</li>
 * </ul>
 *
 * @param nodes   the nodes, in an order valid for the graph (each reads only what precedes it or the original inputs)
 * @param tensors the new initializers
 */
record FactoredLayer(List<NodeProto> nodes, List<TensorProto> tensors) {

    /** Fresh names for the values, nodes and tensors added ({@link GraphNames}). */
    interface Names {
        String fresh(String base);
    }

    /** How the rewritten layer is applied: which operator form the layer plan read. */
    enum Form {
        MATMUL_RIGHT, MATMUL_LEFT, GEMM, CONV, QDQ_MATMUL
    }

    /**
     * The replacement of {@code node} (applying a layer of {@code form}) by the factors.
     *
     * @param elementType the ONNX element type of the float factors (the original weight's: float or double)
     * @param quantized   for {@link Form#QDQ_MATMUL}, the integer type, and whether per-axis scales are allowed
     *                    (opset 13 or later); null otherwise
     */
    static FactoredLayer of(Form form, NodeProto node, LowRankFactors factors, int elementType,
                            QuantizedFactor.@Nullable Target quantized, long @Nullable [] kernel, Names names) {
        String base = node.getName().isEmpty() ? node.getOpType() : node.getName();
        String inner = names.fresh(base + "_lowrank_inner");
        String firstName = names.fresh(base + "_lowrank_1");
        String secondName = names.fresh(base + "_lowrank_2");
        WeightMatrix left = factors.left();
        WeightMatrix right = factors.right();
        List<TensorProto> tensors = new ArrayList<>();
        List<NodeProto> nodes = new ArrayList<>();
        String output = node.getOutput(0);
        switch (form) {
            case MATMUL_RIGHT -> {
                String r = tensor(tensors, names.fresh(base + "_lowrank_R"), right.transpose(), elementType, null);
                String l = tensor(tensors, names.fresh(base + "_lowrank_L"), left.transpose(), elementType, null);
                nodes.add(node(node, firstName, "MatMul", List.of(node.getInput(0), r), inner, List.of()));
                nodes.add(node(node, secondName, "MatMul", List.of(inner, l), output, List.of()));
            }
            case MATMUL_LEFT -> {
                String r = tensor(tensors, names.fresh(base + "_lowrank_R"), right, elementType, null);
                String l = tensor(tensors, names.fresh(base + "_lowrank_L"), left, elementType, null);
                nodes.add(node(node, firstName, "MatMul", List.of(r, node.getInput(1)), inner, List.of()));
                nodes.add(node(node, secondName, "MatMul", List.of(l, inner), output, List.of()));
            }
            case GEMM -> {
                boolean transB = intAttribute(node, "transB", 0) != 0;
                long transA = intAttribute(node, "transA", 0);
                String r = tensor(tensors, names.fresh(base + "_lowrank_R"), transB ? right : right.transpose(),
                        elementType, null);
                String l = tensor(tensors, names.fresh(base + "_lowrank_L"), transB ? left : left.transpose(),
                        elementType, null);
                nodes.add(node(node, firstName, "Gemm", List.of(node.getInput(0), r), inner,
                        List.of(intAttr("transA", transA), intAttr("transB", transB ? 1 : 0))));
                List<String> secondInputs = new ArrayList<>(List.of(inner, l));
                List<AttributeProto> attrs = new ArrayList<>(List.of(intAttr("transB", transB ? 1 : 0)));
                if (node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
                    secondInputs.add(node.getInput(2));
                    attrs.add(AttributeProto.newBuilder().setName("beta").setType(AttributeProto.AttributeType.FLOAT)
                            .setF(floatAttribute(node, "beta", 1f)).build());
                }
                nodes.add(node(node, secondName, "Gemm", secondInputs, output, attrs));
            }
            case CONV -> {
                long[] k = java.util.Objects.requireNonNull(kernel, "a convolution's kernel shape");
                long[] first = k.clone();
                first[0] = factors.rank();
                long[] second = new long[k.length];
                java.util.Arrays.fill(second, 1);
                second[0] = k[0];
                second[1] = factors.rank();
                String r = tensor(tensors, names.fresh(base + "_lowrank_R"), right, elementType, first);
                String l = tensor(tensors, names.fresh(base + "_lowrank_L"), left, elementType, second);
                List<AttributeProto> kept = new ArrayList<>();
                for (AttributeProto a : node.getAttributeList()) {
                    if (!a.getName().equals("group")) {
                        kept.add(a);
                    }
                }
                nodes.add(node(node, firstName, "Conv", List.of(node.getInput(0), r), inner, kept));
                List<String> secondInputs = new ArrayList<>(List.of(inner, l));
                if (node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
                    secondInputs.add(node.getInput(2));
                }
                List<Long> ones = new ArrayList<>();
                for (int i = 2; i < k.length; i++) {
                    ones.add(1L);
                }
                nodes.add(node(node, secondName, "Conv", secondInputs, output, List.of(AttributeProto.newBuilder()
                        .setName("kernel_shape").setType(AttributeProto.AttributeType.INTS).addAllInts(ones).build())));
            }
            case QDQ_MATMUL -> {
                QuantizedFactor.Target q = java.util.Objects.requireNonNull(quantized, "the quantised target");
                String r = dequantized(nodes, tensors, names, base + "_lowrank_R", right.transpose(), q);
                String l = dequantized(nodes, tensors, names, base + "_lowrank_L", left.transpose(), q);
                nodes.add(node(node, firstName, "MatMul", List.of(node.getInput(0), r), inner, List.of()));
                nodes.add(node(node, secondName, "MatMul", List.of(inner, l), output, List.of()));
            }
        }
        return new FactoredLayer(List.copyOf(nodes), List.copyOf(tensors));
    }

    /** A {@code DequantizeLinear} of {@code operand} re-quantised; returns the float value it outputs. */
    private static String dequantized(List<NodeProto> nodes, List<TensorProto> tensors, Names names, String base,
                                      WeightMatrix operand, QuantizedFactor.Target target) {
        QuantizedFactor q = QuantizedFactor.of(operand, target);
        String integers = names.fresh(base + "_quantized");
        String scale = names.fresh(base + "_scale");
        String zero = names.fresh(base + "_zero_point");
        tensors.add(q.integers(integers));
        tensors.add(q.scale(scale));
        tensors.add(q.zeroPoint(zero));
        String output = names.fresh(base);
        NodeProto.Builder dq = NodeProto.newBuilder().setName(names.fresh(base + "_DequantizeLinear"))
                .setOpType("DequantizeLinear").addInput(integers).addInput(scale).addInput(zero).addOutput(output);
        if (target.perAxis()) {
            dq.addAttribute(intAttr("axis", 1));
        }
        nodes.add(dq.build());
        return output;
    }

    private static NodeProto node(NodeProto original, String name, String op, List<String> inputs, String output,
                                  List<AttributeProto> attributes) {
        return NodeProto.newBuilder().setName(name).setOpType(op).setDomain(original.getDomain())
                .addAllInput(inputs).addOutput(output).addAllAttribute(attributes).build();
    }

    /** Adds {@code m} as a tensor (shape {@code dims}, or m's own) and returns its name. */
    private static String tensor(List<TensorProto> tensors, String name, WeightMatrix m, int elementType,
                                 long @Nullable [] dims) {
        tensors.add(FloatTensors.of(name, m, elementType, dims));
        return name;
    }

    private static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static long intAttribute(NodeProto node, String name, long fallback) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }

    private static float floatAttribute(NodeProto node, String name, float fallback) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getF();
            }
        }
        return fallback;
    }
}
