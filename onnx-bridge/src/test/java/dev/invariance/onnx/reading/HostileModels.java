package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.value;

/**
 * Generators of the small hostile models of issue 19 (files of a few bytes to a few MB that used to hang the reader
 * or exhaust its memory); the regression inputs of {@link OnnxReaderFuzzTest} hold some of them as files.
 */
final class HostileModels {
    private HostileModels() {
    }

    /**
     * {@code W_{i+1} = Add(W_i, W_i)} for {@code levels} levels feeding one {@code Gemm}: each constant is read twice by
     * the next, so evaluating them without memoisation costs 2^levels reads.
     */
    static ModelProto doublingConstants(int levels) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("doubling").addInput(value("x")).addOutput(value("y"))
                .addInitializer(floats("W0", new long[] {2, 2}, 1, 0, 0, 1));
        for (int i = 0; i < levels; i++) {
            g.addNode(node("Add", "add" + i, new String[] {"W" + i, "W" + i}, new String[] {"W" + (i + 1)}));
        }
        g.addNode(node("Gemm", "gemm", new String[] {"x", "W" + levels}, new String[] {"y"}));
        return model(g.build());
    }

    /** {@code count} 2 × 2 {@code Gemm}s of the input, summed by a chain of {@code Add}s into the output. */
    static ModelProto summedGemms(int count) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("summed").addInput(value("x")).addOutput(value("s"));
        for (int i = 0; i < count; i++) {
            g.addInitializer(floats("W" + i, new long[] {2, 2}, 1, i, 0, 1));
            g.addNode(node("Gemm", "gemm" + i, new String[] {"x", "W" + i}, new String[] {"y" + i}));
            String sum = i == count - 1 ? "s" : "s" + i;
            if (i == 0) {
                g.addNode(node("Identity", "id", new String[] {"y0"}, new String[] {sum}));
            } else {
                g.addNode(node("Add", "add" + i, new String[] {"s" + (i - 1), "y" + i}, new String[] {sum}));
            }
        }
        return model(g.build());
    }

    /** A chain of {@code count} 2 × 2 {@code Gemm}s, each with its own weight. */
    static ModelProto gemmChain(int count) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("chain").addInput(value("h0"))
                .addOutput(value("h" + count));
        for (int i = 0; i < count; i++) {
            g.addInitializer(floats("W" + i, new long[] {2, 2}, 1, 0.5f, 0, 1));
            g.addNode(node("Gemm", "gemm" + i, new String[] {"h" + i, "W" + i}, new String[] {"h" + (i + 1)}));
        }
        return model(g.build());
    }

    /** One {@code Gemm} followed by a chain of {@code count} {@code Relu}s. */
    static ModelProto reluChain(int count) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("relus").addInput(value("x"))
                .addOutput(value("r" + count)).addInitializer(floats("W", new long[] {2, 2}, 1, 0, 0, 1))
                .addNode(node("Gemm", "gemm", new String[] {"x", "W"}, new String[] {"r0"}));
        for (int i = 0; i < count; i++) {
            g.addNode(node("Relu", "relu" + i, new String[] {"r" + i}, new String[] {"r" + (i + 1)}));
        }
        return model(g.build());
    }

    /** A graph of {@code count} empty {@code NodeProto}s (two bytes each in the file). */
    static ModelProto emptyNodes(int count) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("empty");
        NodeProto empty = NodeProto.getDefaultInstance();
        for (int i = 0; i < count; i++) {
            g.addNode(empty);
        }
        return model(g.build());
    }

    /**
     * {@code count} chained {@code MatMul}s of {@code n × n} float32 Gaussian weights (seeded), stored in raw_data:
     * {@code count · n² · 4} bytes of weights.
     */
    static ModelProto gaussianMatMuls(int count, int n, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        return matMuls(count, n, random::nextGaussian);
    }

    /** {@code count} chained {@code MatMul}s of {@code n × n} float32 zeros, stored in raw_data. */
    static ModelProto zeroMatMuls(int count, int n) {
        return matMuls(count, n, () -> 0.0);
    }

    private static ModelProto matMuls(int count, int n, java.util.function.DoubleSupplier entries) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("matmuls").addInput(value("h0"))
                .addOutput(value("h" + count));
        for (int l = 0; l < count; l++) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * n * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n * n; i++) {
                b.putFloat((float) entries.getAsDouble());
            }
            b.flip();
            g.addInitializer(ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("W" + l)
                    .setDataType(TensorPayload.FLOAT).addDims(n).addDims(n)
                    .setRawData(com.google.protobuf.ByteString.copyFrom(b)));
            g.addNode(node("MatMul", "mm" + l, new String[] {"h" + l, "W" + l}, new String[] {"h" + (l + 1)}));
        }
        return model(g.build());
    }

    /** {@code y = Conv(x, W)} with the given kernel initializer and attributes. */
    static ModelProto conv(TensorProto kernel, AttributeProto... attributes) {
        return model(GraphProto.newBuilder().setName("conv").addInput(value("x")).addOutput(value("y"))
                .addInitializer(kernel)
                .addNode(node("Conv", "conv", new String[] {"x", kernel.getName()}, new String[] {"y"}, attributes))
                .build());
    }

    /** A float32 tensor of the given shape, every entry 0.5 (none when the shape has a 0). */
    static TensorProto halves(String name, long... shape) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        float[] v = new float[(int) count];
        java.util.Arrays.fill(v, 0.5f);
        return floats(name, shape, v);
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /**
     * {@code y = MatMul(x, DequantizeLinear(Wq, scale, zero))} with Wq an int8 2 × 3 tensor and the given scale and
     * zero point (null: none).
     */
    static ModelProto dequantized(TensorProto quantized, TensorProto scale, TensorProto zero) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("dq").addInput(value("x")).addOutput(value("y"))
                .addInitializer(quantized).addInitializer(scale);
        String[] inputs = {quantized.getName(), scale.getName()};
        if (zero != null) {
            g.addInitializer(zero);
            inputs = new String[] {quantized.getName(), scale.getName(), zero.getName()};
        }
        return model(g.addNode(node("DequantizeLinear", "dq", inputs, new String[] {"W"}))
                .addNode(node("MatMul", "mm", new String[] {"x", "W"}, new String[] {"y"})).build());
    }

    /** An integer tensor of ONNX type {@code type} (int8, uint8, int32: in int32_data) holding {@code values}. */
    static TensorProto integers(String name, int type, long[] shape, int... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type);
        for (long d : shape) {
            t.addDims(d);
        }
        for (int v : values) {
            t.addInt32Data(v);
        }
        return t.build();
    }

    /** An int64 vector (shapes, axes). */
    static TensorProto longs(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorPayload.INT64)
                .addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    /** {@code y = MatMul(x, Squeeze(W, axes))} with the axes as the opset-13 input. */
    static ModelProto squeezedWeight(TensorProto weight, long... axes) {
        return model(GraphProto.newBuilder().setName("squeeze").addInput(value("x")).addOutput(value("y"))
                .addInitializer(weight).addInitializer(longs("axes", axes))
                .addNode(node("Squeeze", "sq", new String[] {weight.getName(), "axes"}, new String[] {"W2"}))
                .addNode(node("MatMul", "mm", new String[] {"x", "W2"}, new String[] {"y"})).build());
    }

    /**
     * One weight {@code Wdeep} read by an unnamed {@code Gemm} (so each is "Gemm_0") in the main graph and in every
     * body of unnamed {@code If}s nested two deep: seven occurrences.
     */
    static ModelProto sharedWeightInNestedBodies() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("nested").addInput(value("x")).addInput(value("cond"))
                .addOutput(value("y0")).addOutput(value("y1"))
                .addInitializer(floats("Wdeep", new long[] {2, 2}, 1, 2, 3, 4))
                .addNode(unnamed("Gemm", new String[] {"x", "Wdeep"}, "y0"))
                .addNode(unnamed("If", new String[] {"cond"}, "y1", OnnxModels.graphAttribute("then_branch", body(1, "t")),
                        OnnxModels.graphAttribute("else_branch", body(1, "e"))));
        return model(g.build());
    }

    private static GraphProto body(int level, String path) {
        GraphProto.Builder b = GraphProto.newBuilder().setName(path).addOutput(value(path + "_out"));
        if (level == 0) {
            return b.addNode(unnamed("Gemm", new String[] {"x", "Wdeep"}, path + "_out")).build();
        }
        return b.addNode(unnamed("Gemm", new String[] {"x", "Wdeep"}, path + "_g"))
                .addNode(unnamed("If", new String[] {"cond"}, path + "_out",
                        OnnxModels.graphAttribute("then_branch", body(level - 1, path + "t")),
                        OnnxModels.graphAttribute("else_branch", body(level - 1, path + "e")))).build();
    }

    private static NodeProto unnamed(String op, String[] inputs, String output, AttributeProto... attributes) {
        return node(op, "", inputs, new String[] {output}, attributes);
    }

    /** {@code y = Gemm(x, W)} with W named {@code name}, holding {@code first} then ones ({@code 2 × 2}). */
    static ModelProto gemmNamed(String name, float first) {
        return model(GraphProto.newBuilder().setName("named").addInput(value("x")).addOutput(value("y"))
                .addInitializer(floats(name, new long[] {2, 2}, first, 1, 1, 1))
                .addNode(node("Gemm", "gemm", new String[] {"x", name}, new String[] {"y"})).build());
    }

    /** A float32 tensor of shape {@code dims} (negative dimensions included) with no payload. */
    static ModelProto declaredDims(long... dims) {
        TensorProto.Builder w = TensorProto.newBuilder().setName("W").setDataType(TensorPayload.FLOAT);
        for (long d : dims) {
            w.addDims(d);
        }
        return model(OnnxModels.matMul(w.build()));
    }
}
