package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.LayerOutline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.invariance.onnx.reading.HostileModels.ints;
import static dev.invariance.onnx.reading.OnnxModels.box;
import static dev.invariance.onnx.reading.OnnxModels.floatValue;
import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.value;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product rule of issue 20 on the forms attention takes in exports beyond the fixtures: a product of two computed
 * values passes the units of an operand only when it keeps the axis that holds them, which the reader follows through
 * splits of a packed projection, reshapes into heads whose shape is built from {@code Shape} arithmetic, transposes
 * and {@code Einsum}; where the axis cannot be told the path ends too, with a note saying so.
 */
class ProductOfActivationsTest {
    @TempDir
    Path dir;

    /**
     * GPT-2's layout: after a layer norm of x [B, 5, 8], one projection to [q | k | v] (8 units each) split along
     * axis 2, the units, each part viewed as
     * [B, T, 2 heads, 4] with B and T read off the input's shape, transposed to [B, heads, T, 4] (k to
     * [B, heads, 4, T]); softmax(q·kᵀ)·v transposed back and merged to [B, T, 8] by another computed shape.
     */
    @Test
    void aPackedProjectionReachesTheOutputProjectionThroughItsValuePartOnly() throws Exception {
        GraphProto.Builder g = GraphProto.newBuilder().setName("gpt2").addInput(floatValue("x", 5, 8))
                .addOutput(value("y")).addInitializer(weight("c_attn.weight", 8, 24))
                .addInitializer(weight("c_proj.weight", 8, 8)).addInitializer(floats("ln.weight", new long[] {8},
                        1, 1, 1, 1, 1, 1, 1, 1))
                .addInitializer(longs("split", 8, 8, 8)).addInitializer(longs("heads", 2, 4))
                .addInitializer(longs("width", 8)).addInitializer(longs("zero", 0)).addInitializer(longs("one", 1));
        g.addNode(node("LayerNormalization", "/h.0/ln_1/LayerNormalization", new String[] {"x", "ln.weight"},
                new String[] {"h"}));
        g.addNode(node("MatMul", "/h.0/attn/c_attn/MatMul", new String[] {"h", "c_attn.weight"}, new String[] {"qkv"}));
        g.addNode(node("Split", "/h.0/attn/Split", new String[] {"qkv", "split"}, new String[] {"q", "k", "v"},
                integer("axis", 2)));
        batchAndTokens(g, "x");
        for (String part : List.of("q", "k", "v")) {
            g.addNode(node("Concat", "/h.0/attn/Concat_" + part, new String[] {"B", "T", "heads"},
                    new String[] {part + "_shape"}, integer("axis", 0)));
            g.addNode(node("Reshape", "/h.0/attn/Reshape_" + part, new String[] {part, part + "_shape"},
                    new String[] {part + "_heads"}));
            g.addNode(node("Transpose", "/h.0/attn/Transpose_" + part, new String[] {part + "_heads"},
                    new String[] {part + "_t"}, ints("perm", 0, 2, part.equals("k") ? 3 : 1, part.equals("k") ? 1 : 3)));
        }
        g.addNode(node("MatMul", "/h.0/attn/MatMul", new String[] {"q_t", "k_t"}, new String[] {"scores"}));
        g.addNode(node("Softmax", "/h.0/attn/Softmax", new String[] {"scores"}, new String[] {"probs"},
                integer("axis", -1)));
        g.addNode(node("MatMul", "/h.0/attn/MatMul_1", new String[] {"probs", "v_t"}, new String[] {"ctx"}));
        g.addNode(node("Transpose", "/h.0/attn/Transpose_ctx", new String[] {"ctx"}, new String[] {"ctx_t"},
                ints("perm", 0, 2, 1, 3)));
        g.addNode(node("Concat", "/h.0/attn/Concat_merge", new String[] {"B", "T", "width"},
                new String[] {"merged_shape"}, integer("axis", 0)));
        g.addNode(node("Reshape", "/h.0/attn/Reshape_merge", new String[] {"ctx_t", "merged_shape"},
                new String[] {"merged"}));
        g.addNode(node("MatMul", "/h.0/attn/c_proj/MatMul", new String[] {"merged", "c_proj.weight"},
                new String[] {"y"}));
        try (OnnxModel m = OnnxModelReader.open(write(dir.resolve("gpt2.onnx"), model(g.build())))) {
            assertEquals(List.of("c_attn.weight -> c_proj.weight"), edges(m));
            assertTrue(m.notes().stream().anyMatch(n -> n.contains("'/h.0/attn/MatMul' (MatMul)")
                    && n.contains("'c_attn.weight'") && n.contains("contracted")), m.notes().toString());
        }
    }

    /** {@code einsum("bid,bjd->bij", q, k)} sums over both feature axes; {@code einsum("bij,bjd->bid", p, v)} keeps v's. */
    @Test
    void anEinsumOfTwoComputedValuesKeepsTheUnitsWhoseLetterItOutputs() throws Exception {
        GraphProto.Builder g = projections("einsum");
        g.addNode(node("Einsum", "/attn/Einsum", new String[] {"q", "k"}, new String[] {"scores"},
                text("equation", "bid, bjd -> bij")));
        g.addNode(node("Softmax", "/attn/Softmax", new String[] {"scores"}, new String[] {"probs"}));
        g.addNode(node("Einsum", "/attn/Einsum_1", new String[] {"probs", "v"}, new String[] {"ctx"},
                text("equation", "bij,bjd->bid")));
        g.addNode(node("MatMul", "/attn/o/MatMul", new String[] {"ctx", "o.weight"}, new String[] {"y"}));
        try (OnnxModel m = OnnxModelReader.open(write(dir.resolve("einsum.onnx"), model(g.build())))) {
            assertEquals(List.of("v.weight -> o.weight"), edges(m));
            assertTrue(m.notes().stream().anyMatch(n -> n.contains("'/attn/Einsum' (Einsum)")
                    && n.contains("'q.weight', 'k.weight'") && n.contains("contracted")), m.notes().toString());
        }
    }

    /**
     * {@code (qᵀ·p)ᵀ} with p = softmax(k·kᵀ): q's units lie on the first operand's row axis, which the product keeps,
     * so q reaches the output projection; k's units are summed over on both sides.
     */
    @Test
    void unitsOnTheFirstOperandsRowAxisSurviveTheProduct() throws Exception {
        GraphProto.Builder g = projections("rows");
        g.addNode(node("Transpose", "/attn/Transpose_k", new String[] {"k"}, new String[] {"kt"}, ints("perm", 0, 2, 1)));
        g.addNode(node("MatMul", "/attn/MatMul_kk", new String[] {"k", "kt"}, new String[] {"kk"}));
        g.addNode(node("Softmax", "/attn/Softmax", new String[] {"kk"}, new String[] {"p"}));
        g.addNode(node("Transpose", "/attn/Transpose_q", new String[] {"q"}, new String[] {"qt"}, ints("perm", 0, 2, 1)));
        g.addNode(node("MatMul", "/attn/MatMul_qp", new String[] {"qt", "p"}, new String[] {"qp"}));
        g.addNode(node("Transpose", "/attn/Transpose_qp", new String[] {"qp"}, new String[] {"ctx"},
                ints("perm", 0, 2, 1)));
        g.addNode(node("MatMul", "/attn/o/MatMul", new String[] {"ctx", "o.weight"}, new String[] {"y"}));
        try (OnnxModel m = OnnxModelReader.open(write(dir.resolve("rows.onnx"), model(g.build())))) {
            assertEquals(List.of("q.weight -> o.weight"), edges(m));
            assertTrue(m.notes().stream().anyMatch(n -> n.contains("'/attn/MatMul_kk' (MatMul)")
                    && n.contains("'k.weight'") && n.contains("contracted")), m.notes().toString());
        }
    }

    /** A reshape to a shape the file only computes hides where the units went: the path ends there, with a note. */
    @Test
    void aProductReachedWithUnitsOnUnknownAxesEndsThePathAndSaysWhy() throws Exception {
        GraphProto.Builder g = projections("unknown");
        g.addNode(node("Shape", "/attn/Shape", new String[] {"k"}, new String[] {"k_shape"}));
        g.addNode(node("Reshape", "/attn/Reshape", new String[] {"v", "k_shape"}, new String[] {"v_r"}));
        g.addNode(node("Transpose", "/attn/Transpose", new String[] {"k"}, new String[] {"kt"}, ints("perm", 0, 2, 1)));
        g.addNode(node("MatMul", "/attn/MatMul", new String[] {"q", "kt"}, new String[] {"scores"}));
        g.addNode(node("MatMul", "/attn/MatMul_1", new String[] {"scores", "v_r"}, new String[] {"ctx"}));
        g.addNode(node("MatMul", "/attn/o/MatMul", new String[] {"ctx", "o.weight"}, new String[] {"y"}));
        try (OnnxModel m = OnnxModelReader.open(write(dir.resolve("unknown.onnx"), model(g.build())))) {
            assertEquals(List.of(), edges(m));
            assertTrue(m.notes().stream().anyMatch(n -> n.contains("'/attn/MatMul_1' (MatMul)")
                    && n.contains("'v.weight'") && n.contains("units on axes not known")), m.notes().toString());
        }
    }

    /** x [B, T, 8] projected by q, k and v (8 × 8 each), and the output projection o, without the attention. */
    private static GraphProto.Builder projections(String name) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(name).addInput(value("x")).addOutput(value("y"));
        for (String p : List.of("q", "k", "v", "o")) {
            g.addInitializer(weight(p + ".weight", 8, 8));
        }
        for (String p : List.of("q", "k", "v")) {
            g.addNode(node("MatMul", "/attn/" + p + "/MatMul", new String[] {"x", p + ".weight"}, new String[] {p}));
        }
        return g;
    }

    /** B and T: the first two dimensions of {@code input}, each as a one-element int64 vector. */
    private static void batchAndTokens(GraphProto.Builder g, String input) {
        g.addNode(node("Shape", "/shape", new String[] {input}, new String[] {"x_shape"}));
        g.addNode(node("Gather", "/gather_b", new String[] {"x_shape", "zero"}, new String[] {"B"}, integer("axis", 0)));
        g.addNode(node("Gather", "/gather_t", new String[] {"x_shape", "one"}, new String[] {"T"}, integer("axis", 0)));
    }

    private static List<String> edges(OnnxModel m) {
        List<LayerOutline> layers = m.outline().layers();
        List<String> out = new ArrayList<>();
        for (DataFlowEdge e : m.outline().edges()) {
            out.add(layers.get(e.producer()).name() + " -> " + layers.get(e.consumer()).name());
        }
        return out;
    }

    private static TensorProto weight(String name, int in, int out) {
        float[] v = new float[in * out];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i + 0.5);
        }
        return floats(name, new long[] {in, out}, v);
    }

    private static TensorProto longs(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        Arrays.stream(values).forEach(b::putLong);
        return TensorProto.newBuilder().setName(name).setDataType(TensorPayload.INT64)
                .addAllDims(box(new long[] {values.length})).setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static AttributeProto integer(String name, long value) {
        return HostileModels.integer(name, value);
    }

    private static AttributeProto text(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }
}
