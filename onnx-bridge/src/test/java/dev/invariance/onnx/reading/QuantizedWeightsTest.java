package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.Quantization;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.invariance.onnx.reading.HostileModels.dequantized;
import static dev.invariance.onnx.reading.HostileModels.integer;
import static dev.invariance.onnx.reading.HostileModels.integers;
import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.value;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static dev.invariance.onnx.reading.UntrustedModelTest.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The integer formats and the rules of the quantised operators (issue 20), on small hand-built graphs whose
 * dequantised {@code W = (q − zero_point) · scale} is worked out by hand: 4- and 16-bit integers as ONNX stores them,
 * blocked {@code DequantizeLinear}, a zero point per column under one scale, weight-only {@code Cast} without a scale;
 * layouts that are not read get a note naming the node, and operands that break the operator's rules are refused in
 * one line.
 */
class QuantizedWeightsTest {
    @TempDir
    Path dir;

    private static NetworkOf read(ModelProto m) {
        try (OnnxModel model = OnnxModelReader.read("quantised.onnx", null, m.toByteArray())) {
            List<DenseLayer> layers = model.readAll().layers();
            return new NetworkOf(layers, model.notes());
        }
    }

    private record NetworkOf(List<DenseLayer> layers, List<String> notes) {
    }

    private static TensorProto raw(String name, int type, long[] shape, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(b));
        for (long d : shape) {
            t.addDims(d);
        }
        return t.build();
    }

    private static TensorProto scalar(String name, float value) {
        return floats(name, new long[0], value);
    }

    // ------------------------------------------------------------------ integer formats

    /**
     * INT4 codes (-8, 7, 0 / 1, -1, 5) two to a byte, the first in the low nibble: bytes 0x78, 0x10, 0x5F, in raw_data
     * or one byte per int32_data entry, times 0.5; MatMul(x, B) gives W = Bᵀ.
     */
    @Test
    void int4CodesArePackedTwoToAByteLowNibbleFirst() {
        WeightMatrix expected = WeightMatrix.fromRows(new double[] {-4, 0.5}, new double[] {3.5, -0.5},
                new double[] {0, 2.5});
        long[] shape = {2, 3};
        for (TensorProto q : List.of(raw("q", TensorPayload.INT4, shape, 0x78, 0x10, 0x5F),
                integers("q", TensorPayload.INT4, shape, 0x78, 0x10, 0x5F))) {
            DenseLayer l = read(dequantized(q, scalar("s", 0.5f), null)).layers().get(0);
            assertEquals(expected, l.weights());
            assertEquals(ElementType.FLOAT32, l.elementType());
            assertEquals(new Quantization(4, true, false, null, null, "DequantizeLinear"), l.origin().quantization());
        }
    }

    /** UINT4 codes 15, 0, 8 (an odd count: the last byte's high nibble is padding) minus the zero point 8. */
    @Test
    void uint4CodesAreUnsignedAndAnOddCountLeavesPadding() {
        TensorProto q = raw("q", TensorPayload.UINT4, new long[] {1, 3}, 0x0F, 0xF8);
        TensorProto zero = raw("z", TensorPayload.UINT4, new long[0], 0x08);
        DenseLayer l = read(dequantized(q, scalar("s", 0.25f), zero)).layers().get(0);
        assertEquals(WeightMatrix.fromRows(new double[] {1.75}, new double[] {-2}, new double[] {0}), l.weights());
        assertEquals(new Quantization(4, false, false, null, null, "DequantizeLinear"), l.origin().quantization());
    }

    @Test
    void sixteenBitCodesDecodeSignedAndUnsigned() {
        DenseLayer signed = read(dequantized(integers("q", TensorPayload.INT16, new long[] {1, 2}, -300, 20000),
                scalar("s", 0.5f), null)).layers().get(0);
        assertEquals(WeightMatrix.fromRows(new double[] {-150}, new double[] {10000}), signed.weights());
        assertEquals(16, signed.origin().quantization().bits());
        // 40000 = 0x9C40 and 1, little-endian
        DenseLayer unsigned = read(dequantized(raw("q", TensorPayload.UINT16, new long[] {1, 2}, 0x40, 0x9C, 0x01, 0x00),
                scalar("s", 2f), null)).layers().get(0);
        assertEquals(WeightMatrix.fromRows(new double[] {80000}, new double[] {2}), unsigned.weights());
        assertEquals(false, unsigned.origin().quantization().signed());
    }

    @Test
    void int4PayloadOfTheWrongSizeIsRefused() throws IOException {
        Path f = write(dir.resolve("int4-short.onnx"), dequantized(raw("q", TensorPayload.INT4, new long[] {2, 3},
                0x78, 0x10), scalar("s", 0.5f), null));
        String why = refusal(f);
        assertTrue(why.contains("tensor 'q' declares shape [2, 3] (6 values) but its payload raw_data holds 2 bytes, "
                + "expected 3"), why);
        f = write(dir.resolve("int4-typed.onnx"), dequantized(integers("q", TensorPayload.INT4, new long[] {2, 3},
                0x78, 0x10, 0x5F, 0), scalar("s", 0.5f), null));
        why = refusal(f);
        assertTrue(why.contains("holds 4 values, expected 3 (two 4-bit values to an entry)"), why);
    }

    // ------------------------------------------------------------------ blocked DequantizeLinear

    private static ModelProto blocked(TensorProto q, TensorProto scale, TensorProto zero, long blockSize) {
        GraphProto g = GraphProto.newBuilder().setName("blocked").addInput(value("x")).addOutput(value("y"))
                .addInitializer(q).addInitializer(scale).addInitializer(zero)
                .addNode(node("DequantizeLinear", "dq", new String[] {"q", "s", "z"}, new String[] {"W"},
                        integer("axis", 0), integer("block_size", blockSize)))
                .addNode(node("MatMul", "mm", new String[] {"x", "W"}, new String[] {"y"})).build();
        return model(g);
    }

    /**
     * q [5, 2] in blocks of 2 along axis 0 (the last block of one row): scale and zero point [3, 2], one per block and
     * column. B[i][j] = (q[i][j] − z[i/2][j]) · s[i/2][j], W = Bᵀ.
     */
    @Test
    void blockedDequantisationSharesAScalePerBlockAlongTheAxis() {
        TensorProto q = integers("q", TensorPayload.INT8, new long[] {5, 2}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        TensorProto s = floats("s", new long[] {3, 2}, 1, 2, 0.5f, 0.25f, 4, 8);
        TensorProto z = integers("z", TensorPayload.INT8, new long[] {3, 2}, 0, 1, 2, 3, 4, 5);
        DenseLayer l = read(blocked(q, s, z, 2)).layers().get(0);
        // column 0: (1-0)·1, (3-0)·1, (5-2)·0.5, (7-2)·0.5, (9-4)·4; column 1: (2-1)·2, (4-1)·2, (6-3)·0.25, (8-3)·0.25,
        // (10-5)·8
        assertEquals(WeightMatrix.fromRows(new double[] {1, 3, 1.5, 2.5, 20}, new double[] {2, 6, 0.75, 1.25, 40}),
                l.weights());
        assertEquals(new Quantization(8, true, true, 0, 2, "DequantizeLinear"), l.origin().quantization());
    }

    @Test
    void blocksWhoseScaleDoesNotFitAreRefused() throws IOException {
        TensorProto q = integers("q", TensorPayload.INT8, new long[] {5, 2}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        TensorProto z = integers("z", TensorPayload.INT8, new long[] {2, 2}, 0, 0, 0, 0);
        Path f = write(dir.resolve("blocks.onnx"), blocked(q, floats("s", new long[] {2, 2}, 1, 1, 1, 1), z, 2));
        String why = refusal(f);
        assertTrue(why.contains("DequantizeLinear 'dq' has blocks of 2 along axis 0 of a tensor of shape [5, 2] but a "
                + "scale of shape [2, 2]") && why.contains("both must have shape [3, 2]"), why);
        f = write(dir.resolve("negative-block.onnx"), blocked(q, floats("s", new long[] {2, 2}, 1, 1, 1, 1), z, -2));
        why = refusal(f);
        assertTrue(why.contains("DequantizeLinear 'dq' has block_size -2"), why);
    }

    // ------------------------------------------------------------------ MatMulInteger, weight-only Cast

    /**
     * ONNX Runtime's dynamic layout with a zero point per column (3, -1) under one weight scale 0.5:
     * B = [[5, 1], [3, -3]] gives (B − z)·0.5 = [[1, 1], [0, -1]], W = its transpose.
     */
    private static ModelProto dynamic(boolean withScaleMul) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("dynamic").addInput(value("x")).addOutput(value("y"))
                .addInitializer(integers("B", TensorPayload.INT8, new long[] {2, 2}, 5, 1, 3, -3))
                .addInitializer(integers("Bz", TensorPayload.INT8, new long[] {2}, 3, -1))
                .addInitializer(scalar("Bs", 0.5f))
                .addNode(node("DynamicQuantizeLinear", "dq", new String[] {"x"}, new String[] {"xq", "xs", "xz"}))
                .addNode(node("MatMulInteger", "mmi", new String[] {"xq", "B", "xz", "Bz"}, new String[] {"p"}))
                .addNode(node("Cast", "cast", new String[] {"p"}, new String[] {"pf"},
                        integer("to", TensorPayload.FLOAT)));
        if (withScaleMul) {
            g.addNode(node("Mul", "scales", new String[] {"xs", "Bs"}, new String[] {"s"}))
                    .addNode(node("Mul", "scaled", new String[] {"pf", "s"}, new String[] {"y"}));
        } else {
            g.addNode(node("Identity", "id", new String[] {"pf"}, new String[] {"y"}));
        }
        return model(g.build());
    }

    @Test
    void aZeroPointPerColumnUnderOneScale() {
        DenseLayer l = read(dynamic(true)).layers().get(0);
        assertEquals("MatMulInteger", l.op());
        assertEquals(WeightMatrix.fromRows(new double[] {1, 0}, new double[] {1, -1}), l.weights());
        assertEquals(new Quantization(8, true, true, 1, null, "MatMulInteger"), l.origin().quantization());
    }

    @Test
    void aMatMulIntegerWithoutItsScaleIsNamedInANote() {
        NetworkOf n = read(dynamic(false));
        assertTrue(n.layers().isEmpty());
        assertTrue(n.notes().stream().anyMatch(s -> s.startsWith("node 'mmi' (MatMulInteger) is not followed by Cast "
                + "and Mul by Mul(x_scale, W_scale)") && s.endsWith("not read as a dense layer")), n.notes().toString());
    }

    /** MatMul(x, Cast(q)) with no scale after it: W is the integers themselves, stored as int8. */
    @Test
    void castIntegersWithoutAScaleAreTheWeights() {
        GraphProto g = GraphProto.newBuilder().setName("cast").addInput(value("x")).addOutput(value("y"))
                .addInitializer(integers("q", TensorPayload.INT8, new long[] {1, 2}, -3, 4))
                .addNode(node("Cast", "cast", new String[] {"q"}, new String[] {"W"}, integer("to", TensorPayload.FLOAT)))
                .addNode(node("MatMul", "mm", new String[] {"x", "W"}, new String[] {"y"})).build();
        DenseLayer l = read(model(g)).layers().get(0);
        assertEquals(WeightMatrix.fromRows(new double[] {-3}, new double[] {4}), l.weights());
        assertEquals(new Quantization(8, true, false, null, null, "Cast"), l.origin().quantization());
    }

    @Test
    void floatWeightsHaveNoQuantisation() {
        DenseLayer l = read(model(OnnxModels.matMul(floats("W", new long[] {1, 2}, 1, 2)))).layers().get(0);
        assertNull(l.origin().quantization());
    }

    // ------------------------------------------------------------------ MatMulNBits

    private static ModelProto nBits(long bits, TensorProto packed, String... extraInputs) {
        NodeProto.Builder n = node("MatMulNBits", "nbits", new String[] {"x", "B", "scales"}, new String[] {"y"},
                integer("K", 4), integer("N", 1), integer("bits", bits), integer("block_size", 4)).toBuilder()
                .setDomain(QuantizedLayerFinding.MICROSOFT);
        for (String e : extraInputs) {
            n.addInput(e);
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName("nbits").addInput(value("x")).addOutput(value("y"))
                .addInitializer(packed).addInitializer(floats("scales", new long[] {1}, 0.5f))
                .addInitializer(floats("fz", new long[] {1}, 8f)).addInitializer(integers("g", TensorPayload.INT32,
                        new long[] {4}, 0, 0, 0, 0))
                .addNode(n);
        return model(g.build());
    }

    /** K = 4, N = 1, one block of 4 codes 9, 7, 8, 15 (bytes 0x79, 0xF8) minus the default zero point 8, times 0.5. */
    @Test
    void matMulNBitsCodesLessTheDefaultZeroPoint() {
        DenseLayer l = read(nBits(4, raw("B", TensorPayload.UINT8, new long[] {1, 1, 2}, 0x79, 0xF8))).layers().get(0);
        assertEquals(WeightMatrix.fromRows(new double[] {0.5, -0.5, 0, 3.5}), l.weights());
        assertEquals(new Quantization(4, false, true, 1, 4, "MatMulNBits"), l.origin().quantization());
    }

    @Test
    void matMulNBitsLayoutsNotReadAreNamedInANote() {
        TensorProto packed = raw("B", TensorPayload.UINT8, new long[] {1, 1, 2}, 0x79, 0xF8);
        for (var c : List.of(List.of(nBits(8, raw("B", TensorPayload.UINT8, new long[] {1, 1, 4}, 1, 2, 3, 4)),
                        "stores 8-bit weights"),
                List.of(nBits(4, packed, "", "g"), "orders its weights by g_idx"),
                List.of(nBits(4, packed, "fz"), "has floating-point zero points"))) {
            NetworkOf n = read((ModelProto) c.get(0));
            assertTrue(n.layers().isEmpty());
            assertTrue(n.notes().stream().anyMatch(s -> s.startsWith("node 'nbits' (MatMulNBits) " + c.get(1))
                    && s.endsWith("not read as a dense layer")), n.notes().toString());
        }
    }

    @Test
    void matMulNBitsWithAPackedWeightOfTheWrongShapeIsRefused() throws IOException {
        Path f = write(dir.resolve("nbits.onnx"), nBits(4, raw("B", TensorPayload.UINT8, new long[] {1, 2}, 0x79, 0xF8)));
        String why = refusal(f);
        assertTrue(why.contains("MatMulNBits 'nbits' needs a constant uint8 B of shape [1, 1, 2] for K 4, N 1 and "
                + "block_size 4, not UINT8 [1, 2]"), why);
    }
}
