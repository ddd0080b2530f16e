package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.value;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Weights that reach a dense node through constant operations, with W worked out by hand (science.md 1.2). */
class WeightChainTest {
    @TempDir
    Path dir;

    private DenseLayer onlyLayer(GraphProto g) throws IOException {
        try (OnnxModel m = OnnxModelReader.open(write(dir.resolve("m.onnx"), model(g)))) {
            assertEquals(1, m.outline().layers().size(), m.notes().toString());
            return m.load(0);
        }
    }

    private static TensorProto longs(String name, long... values) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorPayload.INT64).addDims(values.length)
                .addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()).build();
    }

    @Test
    void reshapedFlatWeightFeedingMatMul() throws IOException {
        // B = reshape([1..6], [2, -1]) = [[1, 2, 3], [4, 5, 6]] (in = 2, out = 3); MatMul(X, B) gives W = Bᵀ.
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(value("x")).addOutput(value("y"))
                .addInitializer(floats("flat", new long[] {6}, 1, 2, 3, 4, 5, 6)).addInitializer(longs("shape", 2, -1))
                .addNode(node("Reshape", "r", new String[] {"flat", "shape"}, new String[] {"B"}))
                .addNode(node("MatMul", "mm", new String[] {"x", "B"}, new String[] {"y"})).build();
        DenseLayer l = onlyLayer(g);
        assertEquals("flat", l.name());
        assertEquals(WeightMatrix.fromRows(new double[] {1, 4}, new double[] {2, 5}, new double[] {3, 6}), l.weights());
    }

    @Test
    void uint8PerTensorDequantizationWithMatMulBiasFromTheFollowingAdd() throws IOException {
        // q = [[0, 255], [128, 130]] uint8, scale 0.5, zero point 128: B = (q - 128) * 0.5 = [[-64, 63.5], [0, 1]].
        TensorProto q = TensorProto.newBuilder().setName("q").setDataType(TensorPayload.UINT8).addDims(2).addDims(2)
                .setRawData(ByteString.copyFrom(new byte[] {0, (byte) 255, (byte) 128, (byte) 130})).build();
        TensorProto zero = TensorProto.newBuilder().setName("z").setDataType(TensorPayload.UINT8)
                .setRawData(ByteString.copyFrom(new byte[] {(byte) 128})).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(value("x")).addOutput(value("y"))
                .addInitializer(q).addInitializer(floats("s", new long[] {}, 0.5f)).addInitializer(zero)
                .addInitializer(floats("b", new long[] {2}, 7, -7))
                .addNode(node("DequantizeLinear", "dq", new String[] {"q", "s", "z"}, new String[] {"B"}))
                .addNode(node("MatMul", "mm", new String[] {"x", "B"}, new String[] {"h"}))
                .addNode(node("Add", "bias", new String[] {"h", "b"}, new String[] {"y"})).build();
        DenseLayer l = onlyLayer(g);
        assertEquals(WeightMatrix.fromRows(new double[] {-64, 0}, new double[] {63.5, 1}), l.weights());
        assertEquals(7.0, l.bias().get(0));
        assertEquals(-7.0, l.bias().get(1));
        assertEquals(ElementType.FLOAT32, l.elementType(), "the dequantised matrix is float32 (the scale's type)");
    }

    @Test
    void castToFloat16RoundsAndLowersThePrecision() throws IOException {
        // 1 + 2^-12 is not a float16: it rounds to 1 (ties to even); 3.0 stays.
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1 + 0x1p-12).putDouble(3.0);
        TensorProto w = TensorProto.newBuilder().setName("w64").setDataType(TensorPayload.DOUBLE).addDims(1).addDims(2)
                .setRawData(ByteString.copyFrom(b.array())).build();
        AttributeProto to = AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                .setI(TensorPayload.FLOAT16).build();
        AttributeProto transB = AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT)
                .setI(1).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(value("x")).addOutput(value("y")).addInitializer(w)
                .addNode(node("Cast", "c", new String[] {"w64"}, new String[] {"w16"}, to))
                .addNode(node("Gemm", "gemm", new String[] {"x", "w16"}, new String[] {"y"}, transB)).build();
        DenseLayer l = onlyLayer(g);
        assertEquals(WeightMatrix.fromRows(new double[] {1.0, 3.0}), l.weights());
        assertEquals(ElementType.FLOAT16, l.elementType());
    }

    @Test
    void sharedWeightsGetOneLayerPerNodeWithDistinctNames() throws IOException {
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(value("x")).addOutput(value("y"))
                .addInitializer(floats("W", new long[] {2, 2}, 1, 2, 3, 4))
                .addNode(node("MatMul", "first", new String[] {"x", "W"}, new String[] {"h"}))
                .addNode(node("MatMul", "second", new String[] {"h", "W"}, new String[] {"y"})).build();
        try (OnnxModel m = OnnxModelReader.open(write(dir.resolve("tied.onnx"), model(g)))) {
            assertEquals("W", m.outline().layers().get(0).name());
            assertEquals("W@second", m.outline().layers().get(1).name());
            assertEquals(1, m.outline().edges().size());
        }
    }
}
