package dev.invariance.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;

import static dev.invariance.onnx.OnnxModels.floats;
import static dev.invariance.onnx.OnnxModels.model;
import static dev.invariance.onnx.OnnxModels.node;
import static dev.invariance.onnx.OnnxModels.value;

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
        GraphProto.Builder g = GraphProto.newBuilder().setName("gaussian").addInput(value("h0"))
                .addOutput(value("h" + count));
        for (int l = 0; l < count; l++) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * n * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n * n; i++) {
                b.putFloat((float) random.nextGaussian());
            }
            b.flip();
            g.addInitializer(ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("W" + l)
                    .setDataType(TensorPayload.FLOAT).addDims(n).addDims(n)
                    .setRawData(com.google.protobuf.ByteString.copyFrom(b)));
            g.addNode(node("MatMul", "mm" + l, new String[] {"h" + l, "W" + l}, new String[] {"h" + (l + 1)}));
        }
        return model(g.build());
    }
}
