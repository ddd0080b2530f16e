package dev.invariance.onnx.reading;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static dev.invariance.onnx.reading.OnnxModels.box;
import static dev.invariance.onnx.reading.OnnxModels.external;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.value;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stored float weights (float32 in raw_data, float_data or external data; float16 and bfloat16) become W
 * (d_out × d_in, science.md 1.2) bit for bit: W is worked out here from the values the test wrote (W = B for
 * {@code MatMul(A, X)}, W = Bᵀ for {@code MatMul(X, B)}), and equals the W read through an {@code Identity} (which
 * goes through doubles). Sizes are chosen to cross the reader's tiles (64), blocks (2²⁰ floats), 1 MiB external reads
 * and rows wider than a block. A NaN or infinity is refused naming the tensor and the first bad element of W.
 */
class FloatWeightReadingTest {
    @TempDir
    Path dir;

    /**
     * Seeded values over the whole float range: normal numbers of exponents −126 … 127, subnormals, ±0 and exact
     * small integers, so any rounding or reordering shows.
     */
    private static float[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            int kind = r.nextInt(16);
            v[k] = switch (kind) {
                case 0 -> -0.0f;
                case 1 -> Float.intBitsToFloat(r.nextInt(1, 1 << 23) | (r.nextBoolean() ? 0x80000000 : 0)); // subnormal
                case 2 -> r.nextInt(-1000, 1000);
                default -> Math.scalb((float) r.nextDouble(0.5, 1.0) * (r.nextBoolean() ? 1 : -1), r.nextInt(-125, 128));
            };
        }
        return v;
    }

    private static byte[] littleEndian(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    private static TensorProto raw(String name, long[] shape, float[] v) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorPayload.FLOAT).addAllDims(box(shape))
                .setRawData(ByteString.copyFrom(littleEndian(v))).build();
    }

    private static TensorProto typed(String name, long[] shape, float[] v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorPayload.FLOAT).addAllDims(box(shape));
        for (float f : v) {
            t.addFloatData(f);
        }
        return t.build();
    }

    /** {@code y = MatMul(x, B)} (W = Bᵀ) or {@code y = MatMul(A, x)} (W = A), optionally through an Identity. */
    private static GraphProto graph(TensorProto weight, boolean weightFirst, boolean viaIdentity) {
        String w = viaIdentity ? "w_identity" : weight.getName();
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x")).addOutput(value("y"))
                .addInitializer(weight);
        if (viaIdentity) {
            g.addNode(node("Identity", "id", new String[] {weight.getName()}, new String[] {w}));
        }
        String[] inputs = weightFirst ? new String[] {w, "x"} : new String[] {"x", w};
        return g.addNode(node("MatMul", "mm", inputs, new String[] {"y"})).build();
    }

    private DenseLayer load(String file, GraphProto g) throws IOException {
        try (OnnxModel m = OnnxModelReader.open(write(dir.resolve(file), model(g)))) {
            assertEquals(1, m.outline().layers().size(), m.notes().toString());
            return m.load(0);
        }
    }

    /**
     * W read directly equals the stored values placed by hand (bit for bit, as floats) and the W read through an
     * Identity (the double path).
     */
    private void assertDirectEqualsHandAndDoublePath(TensorProto weight, int rows, int columns, float[] stored)
            throws IOException {
        for (boolean weightFirst : new boolean[] {false, true}) {
            DenseLayer direct = load("direct.onnx", graph(weight, weightFirst, false));
            WeightMatrix w = direct.weights();
            String what = weight.getName() + (weightFirst ? " as A in MatMul(A, X)" : " as B in MatMul(X, B)");
            assertTrue(w.isSinglePrecision(), what);
            int outs = weightFirst ? rows : columns;
            int ins = weightFirst ? columns : rows;
            assertEquals(outs, w.getRows(), what + " d_out");
            assertEquals(ins, w.getColumns(), what + " d_in");
            float[] got = w.toRowMajorFloatArray();
            for (int o = 0; o < outs; o++) {
                for (int i = 0; i < ins; i++) {
                    float expected = weightFirst ? stored[o * columns + i] : stored[i * columns + o];
                    int k = o * ins + i;
                    if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(got[k])) {
                        throw new AssertionError(what + ": W(" + o + ", " + i + ") = " + got[k] + ", stored " + expected);
                    }
                }
            }
            WeightMatrix viaDoubles = load("identity.onnx", graph(weight, weightFirst, true)).weights();
            assertEquals(viaDoubles, w, what + " equals the W read through doubles");
        }
    }

    @Test
    void rawDataAcrossTiles() throws IOException {
        int rows = 130;
        int columns = 77;
        float[] v = values(rows * columns, 1);
        assertDirectEqualsHandAndDoublePath(raw("W", new long[] {rows, columns}, v), rows, columns, v);
    }

    @Test
    void rawDataAcrossBlocks() throws IOException {
        // 1100 x 1000 = 1.1 M floats: two blocks of whole rows (1024 + 76 rows) when transposed
        int rows = 1100;
        int columns = 1000;
        float[] v = values(rows * columns, 2);
        assertDirectEqualsHandAndDoublePath(raw("W", new long[] {rows, columns}, v), rows, columns, v);
    }

    @Test
    void floatDataFields() throws IOException {
        int rows = 67;
        int columns = 129;
        float[] v = values(rows * columns, 3);
        assertDirectEqualsHandAndDoublePath(typed("W", new long[] {rows, columns}, v), rows, columns, v);
    }

    @Test
    void externalDataAcrossBlocksAndReads() throws IOException {
        // at byte offset 6 (not a multiple of 4) between unrelated bytes; 4.4 MB: several 1 MiB reads per block
        int rows = 1100;
        int columns = 1000;
        float[] v = values(rows * columns, 4);
        byte[] bytes = littleEndian(v);
        byte[] file = new byte[bytes.length + 10];
        java.util.Arrays.fill(file, (byte) 0x7f); // NaN patterns around the tensor: they must not be read
        System.arraycopy(bytes, 0, file, 6, bytes.length);
        Files.write(dir.resolve("w.data"), file);
        assertDirectEqualsHandAndDoublePath(external("W", new long[] {rows, columns}, "w.data", 6, bytes.length),
                rows, columns, v);
    }

    @Test
    void externalRowsWiderThanABlock() throws IOException {
        // 3 x 1.1 M: a stored row does not fit a block; MatMul(X, B) gives W of 1.1 M x 3
        int rows = 3;
        int columns = 1_100_000;
        float[] v = values(rows * columns, 5);
        Files.write(dir.resolve("wide.data"), littleEndian(v));
        assertDirectEqualsHandAndDoublePath(external("W", new long[] {rows, columns}, "wide.data", 0, -1),
                rows, columns, v);
    }

    @Test
    void singleRowAndSingleColumn() throws IOException {
        float[] v = values(300, 6);
        assertDirectEqualsHandAndDoublePath(raw("row", new long[] {1, 300}, v), 1, 300, v);
        assertDirectEqualsHandAndDoublePath(raw("column", new long[] {300, 1}, v), 300, 1, v);
    }

    @Test
    void float16AndBfloat16AreWidenedExactly() throws IOException {
        // float16 bits: 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24 (subnormal), 0x7bff = 65504, 0x8000 = -0, 0x3555 ≈ 1/3
        short[] half = {0x3c00, (short) 0xc000, 0x0001, 0x7bff, (short) 0x8000, 0x3555};
        float[] halfValues = {1f, -2f, 0x1p-24f, 65504f, -0.0f, 0x1.554p-2f};
        // bfloat16 bits are the high half of a float32
        short[] brain = {0x3f80, (short) 0xc040, 0x0001, 0x7f7f, (short) 0x8000, 0x3eab};
        float[] brainValues = new float[brain.length];
        for (int k = 0; k < brain.length; k++) {
            brainValues[k] = Float.intBitsToFloat((brain[k] & 0xffff) << 16);
        }
        assertDirectEqualsHandAndDoublePath(sixteen("W16", TensorPayload.FLOAT16, half), 2, 3, halfValues);
        assertDirectEqualsHandAndDoublePath(sixteen("Wbf", TensorPayload.BFLOAT16, brain), 2, 3, brainValues);
        DenseLayer l = load("h.onnx", graph(sixteen("W16", TensorPayload.FLOAT16, half), false, false));
        assertEquals(ElementType.FLOAT16, l.elementType());
    }

    private static TensorProto sixteen(String name, int type, short[] bits) {
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : bits) {
            b.putShort(s);
        }
        return TensorProto.newBuilder().setName(name).setDataType(type).addDims(2).addDims(3)
                .setRawData(ByteString.copyFrom(b.array())).build();
    }

    /** The refusal of loading the only layer, read directly and through an Identity: the same message. */
    private String refusal(GraphProto direct, GraphProto viaIdentity) throws IOException {
        Path f = write(dir.resolve("bad.onnx"), model(direct));
        String message;
        try (OnnxModel m = OnnxModelReader.open(f)) {
            message = assertThrows(InvalidModelException.class, () -> m.load(0)).getMessage();
        }
        Path g = write(dir.resolve("bad.onnx"), model(viaIdentity));
        try (OnnxModel m = OnnxModelReader.open(g)) {
            assertEquals(message, assertThrows(InvalidModelException.class, () -> m.load(0)).getMessage(),
                    "the double path says the same");
        }
        return message;
    }

    @Test
    void nonFiniteExternalValueIsRefusedNamingTheFirstBadElementOfW() throws IOException {
        // B (3 x 4) stored; MatMul(X, B) gives W = Bᵀ (4 x 3). NaN at stored (0, 3) is W(3, 0), element 9; -inf at
        // stored (2, 0) is W(0, 2), element 2: first in W although last in the file.
        float[] v = new float[12];
        for (int k = 0; k < v.length; k++) {
            v[k] = k + 1;
        }
        v[3] = Float.NaN;
        v[8] = Float.NEGATIVE_INFINITY;
        Files.write(dir.resolve("bad.data"), littleEndian(v));
        TensorProto w = external("dense.weight", new long[] {3, 4}, "bad.data", 0, 48);
        assertEquals(dir.resolve("bad.onnx") + ": tensor 'dense.weight' holds an infinite value (element 2)",
                refusal(graph(w, false, false), graph(w, false, true)));
        // MatMul(A, X) gives W = A: stored order, the NaN first
        assertEquals(dir.resolve("bad.onnx") + ": tensor 'dense.weight' holds NaN (element 3)",
                refusal(graph(w, true, false), graph(w, true, true)));
    }

    @Test
    void nonFiniteValueInALaterBlockIsRefused() throws IOException {
        // 1100 x 1000 stored, transposed: an infinity at stored (1090, 999) is W(999, 1090), element 999 * 1100 + 1090
        int rows = 1100;
        int columns = 1000;
        float[] v = values(rows * columns, 7);
        v[1090 * columns + 999] = Float.POSITIVE_INFINITY;
        Files.write(dir.resolve("late.data"), littleEndian(v));
        TensorProto w = external("W", new long[] {rows, columns}, "late.data", 0, -1);
        assertEquals(dir.resolve("bad.onnx") + ": tensor 'W' holds an infinite value (element " + (999 * 1100 + 1090) + ")",
                refusal(graph(w, false, false), graph(w, false, true)));
    }
}
