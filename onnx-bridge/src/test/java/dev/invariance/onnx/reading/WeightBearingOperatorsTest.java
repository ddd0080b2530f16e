package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.invariance.onnx.reading.HostileModels.ints;
import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.value;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static dev.invariance.onnx.reading.UntrustedModelTest.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weight-bearing operators in small graphs built with the protobuf classes: the parts of packed weights (recurrent
 * directions and gates, unequal attention parts) are the blocks ONNX defines, shapes that contradict each other are
 * refused in one line, and a path never passes a node that applies weights which are not read (a recurrent node whose
 * weights are computed, a batched MatMul) while understood operators with constant operands let it pass unnoted.
 */
class WeightBearingOperatorsTest {
    @TempDir
    Path dir;

    private static OnnxModel read(ModelProto m) {
        return OnnxModelReader.read("model.onnx", null, m.toByteArray());
    }

    /** A float32 tensor whose entry i is {@code i / 10} (distinct values, so a wrong block shows). */
    private static TensorProto counting(String name, long... shape) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        float[] v = new float[(int) count];
        for (int i = 0; i < v.length; i++) {
            v[i] = i / 10f;
        }
        return floats(name, shape, v);
    }

    private static AttributeProto text(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    private static AttributeProto integer(String name, long value) {
        return HostileModels.integer(name, value);
    }

    /**
     * {@code x -> MatMul(A [6, 5]) -> op(·, W, R, B) -> Y_h -> MatMul(F [4·dirs, 3]) -> y}: W, R and B as given (null:
     * W read from the graph input {@code w_in}, R and B left out).
     */
    private static ModelProto recurrent(String op, TensorProto w, TensorProto r, TensorProto b,
                                        AttributeProto... attrs) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("rec").addInput(value("x")).addOutput(value("y"))
                .addInitializer(counting("A", 6, 5)).addInitializer(counting("F", 4, 3))
                .addNode(node("MatMul", "proj", new String[] {"x", "A"}, new String[] {"p"}));
        String[] inputs;
        if (w == null) {
            g.addInput(value("w_in")).addInitializer(counting("R", 1, 16, 4));
            inputs = new String[] {"p", "w_in", "R"};
        } else {
            g.addInitializer(w).addInitializer(r);
            inputs = b == null ? new String[] {"p", w.getName(), r.getName()}
                    : new String[] {"p", w.getName(), r.getName(), b.getName()};
            if (b != null) {
                g.addInitializer(b);
            }
        }
        return model(g.addNode(node(op, "rec", inputs, new String[] {"Y", "Y_h"}, attrs))
                .addNode(node("MatMul", "fc", new String[] {"Y_h", "F"}, new String[] {"y"})).build());
    }

    private static List<String> names(OnnxModel m) {
        List<String> out = new ArrayList<>();
        m.outline().layers().forEach(l -> out.add(l.name()));
        return out;
    }

    private static boolean joined(OnnxModel m, String producer, String consumer) {
        List<String> names = names(m);
        for (DataFlowEdge e : m.outline().edges()) {
            if (names.get(e.producer()).equals(producer) && names.get(e.consumer()).equals(consumer)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aBackwardLstmLabelsItsGatesReverse() {
        try (OnnxModel m = read(recurrent("LSTM", counting("W", 1, 16, 5), counting("R", 1, 16, 4), null,
                text("direction", "reverse"), integer("hidden_size", 4)))) {
            assertEquals(List.of("A", "W[i_reverse]", "W[o_reverse]", "W[f_reverse]", "W[c_reverse]", "R[i_reverse]",
                    "R[o_reverse]", "R[f_reverse]", "R[c_reverse]", "F"), names(m));
            assertEquals("f_reverse", m.outline().layers().get(3).origin().gate());
            NetworkDescription n = m.readAll();
            // gate f is rows 8..11 of W[0] (5 columns): entry (r, c) is ((8 + r)·5 + c) / 10
            assertEquals(((8 + 1) * 5 + 2) / 10f, n.layer(3).weights().get(1, 2), 0);
            assertNull(n.layer(3).bias(), "no B, no bias");
            assertTrue(joined(m, "A", "W[f_reverse]"), "the projection reaches every input matrix");
            assertFalse(joined(m, "A", "R[f_reverse]"), "a recurrent matrix reads the hidden state");
            assertFalse(joined(m, "A", "F"), "no pair crosses the LSTM");
        }
    }

    @Test
    void aBidirectionalRnnNamesItsBackwardMatricesAndSplitsTheBiasPerDirection() {
        try (OnnxModel m = read(recurrent("RNN", counting("W", 2, 4, 5), counting("R", 2, 4, 4),
                counting("B", 2, 8), text("direction", "bidirectional")))) {
            assertEquals(List.of("A", "W", "W[reverse]", "R", "R[reverse]", "F"), names(m));
            assertNull(m.outline().layers().get(1).origin().gate(), "an RNN has one gate: no label forward");
            assertEquals("reverse", m.outline().layers().get(2).origin().gate());
            NetworkDescription n = m.readAll();
            assertEquals(((4 + 2) * 5 + 3) / 10f, n.layer(2).weights().get(2, 3), 0, "W[1] row 2");
            assertEquals((8 + 1) / 10f, n.layer(2).bias().get(1), 0, "Wb of direction 1: B[1][0..4]");
            assertEquals((8 + 4 + 1) / 10f, n.layer(4).bias().get(1), 0, "Rb of direction 1: B[1][4..8]");
        }
    }

    @Test
    void anLstmWhoseWeightsAreComputedIsNamedAndEndsThePath() {
        try (OnnxModel m = read(recurrent("LSTM", null, null, null, integer("hidden_size", 4)))) {
            assertEquals(List.of("A", "F"), names(m));
            assertTrue(m.notes().stream().anyMatch(n -> n.contains("'rec' (LSTM)")), m.notes().toString());
            assertFalse(joined(m, "A", "F"), "no pair crosses the LSTM");
        }
    }

    @Test
    void recurrentShapesThatContradictEachOtherAreRefused() throws IOException {
        String msg = refusal(write(dir.resolve("gates.onnx"), recurrent("LSTM", counting("W", 1, 16, 5),
                counting("R", 1, 12, 4), null)));
        assertTrue(msg.contains("LSTM 'rec' has W of shape [1, 16, 5] and R of shape [1, 12, 4]"), msg);
        msg = refusal(write(dir.resolve("hidden.onnx"), recurrent("GRU", counting("W", 1, 12, 5),
                counting("R", 1, 12, 4), null, integer("hidden_size", 5))));
        assertTrue(msg.contains("GRU 'rec' declares hidden_size 5"), msg);
        msg = refusal(write(dir.resolve("direction.onnx"), recurrent("RNN", counting("W", 1, 4, 5),
                counting("R", 1, 4, 4), null, text("direction", "sideways"))));
        assertTrue(msg.contains("RNN 'rec' has direction 'sideways'"), msg);
        msg = refusal(write(dir.resolve("bias.onnx"), recurrent("RNN", counting("W", 1, 4, 5),
                counting("R", 1, 4, 4), counting("B", 1, 4))));
        assertTrue(msg.contains("RNN 'rec' has B of shape [1, 4] where [1, 8] is needed"), msg);
    }

    /** {@code x -> com.microsoft Attention(x, weight, bias) -> MatMul(O) -> y}. */
    private static ModelProto attention(TensorProto weight, TensorProto bias, TensorProto out,
                                        AttributeProto... attrs) {
        NodeProto att = node("Attention", "att", new String[] {"x", weight.getName(), bias.getName()},
                new String[] {"ctx"}, attrs).toBuilder().setDomain("com.microsoft").build();
        return model(GraphProto.newBuilder().setName("att").addInput(value("x")).addOutput(value("y"))
                .addInitializer(weight).addInitializer(bias).addInitializer(out).addNode(att)
                .addNode(node("MatMul", "o", new String[] {"ctx", out.getName()}, new String[] {"y"})).build());
    }

    @Test
    void unequalAttentionPartsFollowQkvHiddenSizes() {
        try (OnnxModel m = read(attention(counting("P", 8, 14), counting("Pb", 14), counting("O", 6, 8),
                integer("num_heads", 2), ints("qkv_hidden_sizes", 4, 4, 6)))) {
            assertEquals(List.of("P[q]", "P[k]", "P[v]", "O"), names(m));
            NetworkDescription n = m.readAll();
            DenseLayer v = n.layer(2);
            assertEquals(6, v.outputWidth());
            assertEquals(8, v.inputWidth());
            // W_v = P[:, 8:14]ᵀ: entry (r, c) is P[c][8 + r] = (c·14 + 8 + r) / 10
            assertEquals((3 * 14 + 8 + 5) / 10f, v.weights().get(5, 3), 0);
            assertEquals((8 + 5) / 10f, v.bias().get(5), 0);
            assertTrue(joined(m, "P[v]", "O"), "the value's units reach the output projection");
            assertFalse(joined(m, "P[q]", "O") || joined(m, "P[k]", "O"), "query and key are contracted away");
            assertTrue(m.outline().edges().get(0).ops().contains("Attention"), "the edge passes the attention");
        }
    }

    @Test
    void attentionWeightsThatDoNotSplitAreRefused() throws IOException {
        String msg = refusal(write(dir.resolve("thirds.onnx"), attention(counting("P", 8, 10), counting("Pb", 10),
                counting("O", 3, 8))));
        assertTrue(msg.contains("Attention 'att' has a weight 'P' of shape [8, 10]"), msg);
        msg = refusal(write(dir.resolve("sizes.onnx"), attention(counting("P", 8, 12), counting("Pb", 12),
                counting("O", 4, 8), ints("qkv_hidden_sizes", 4, 4, 5))));
        assertTrue(msg.contains("qkv_hidden_sizes [4, 4, 5]"), msg);
        msg = refusal(write(dir.resolve("bias.onnx"), attention(counting("P", 8, 12), counting("Pb", 11),
                counting("O", 4, 8))));
        assertTrue(msg.contains("has a bias 'Pb' of shape [11] where [12] is needed"), msg);
    }

    /** {@code x -> MatMul(A [6, 5]) -> middle(·, C) -> MatMul(F [5, 3]) -> y} for a middle node reading constant C. */
    private static ModelProto between(String op, String domain, TensorProto c) {
        NodeProto middle = node(op, "mid", new String[] {"h", c.getName()}, new String[] {"m"}).toBuilder()
                .setDomain(domain).build();
        return model(GraphProto.newBuilder().setName("between").addInput(value("x")).addOutput(value("y"))
                .addInitializer(counting("A", 6, 5)).addInitializer(c).addInitializer(counting("F", 5, 3))
                .addNode(node("MatMul", "a", new String[] {"x", "A"}, new String[] {"h"})).addNode(middle)
                .addNode(node("MatMul", "f", new String[] {"m", "F"}, new String[] {"y"})).build());
    }

    @Test
    void aConstantMaskOrTableOfAnUnderstoodOperatorLetsThePathPassUnnoted() {
        for (String op : List.of("Mul", "Sub", "Div", "Max", "Pow", "PRelu")) {
            try (OnnxModel m = read(between(op, "", counting("C", 1, 5)))) {
                assertTrue(joined(m, "A", "F"), op);
                assertFalse(m.notes().stream().anyMatch(n -> n.startsWith("data-flow paths end")), op + m.notes());
            }
        }
    }

    @Test
    void aBatchedMatMulOrAnUnknownOperatorWithAConstantEndsThePathAndIsNamed() {
        try (OnnxModel m = read(between("MatMul", "", counting("C", 2, 5, 5)))) {
            assertFalse(joined(m, "A", "F"), "no pair across the batched product");
            String expected = "node 'mid' (MatMul) with the constant 'C' [2, 5, 5]";
            assertTrue(m.notes().stream().anyMatch(n -> n.contains(expected)), m.notes().toString());
        }
        try (OnnxModel m = read(between("Blend", "acme", counting("C", 5, 5)))) {
            assertFalse(joined(m, "A", "F"));
            assertTrue(m.notes().stream().anyMatch(n -> n.contains("node 'mid' (acme.Blend) with the constant 'C'")),
                    m.notes().toString());
        }
    }

    @Test
    void manyUnreadNodesAreCountedBeyondTheFirstTwenty() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("many").addInput(value("x")).addOutput(value("h25"))
                .addInitializer(counting("C", 2, 2)).addNode(node("Identity", "start", new String[] {"x"},
                        new String[] {"h0"}));
        for (int i = 0; i < 25; i++) {
            g.addNode(node("Blend", "b" + i, new String[] {"h" + i, "C"}, new String[] {"h" + (i + 1)}).toBuilder()
                    .setDomain("acme").build());
        }
        try (OnnxModel m = read(model(g.build()))) {
            String note = m.notes().stream().filter(n -> n.startsWith("data-flow paths end")).findFirst().orElseThrow();
            assertTrue(note.contains("node 'b19' (acme.Blend)") && !note.contains("'b20'"), note);
            assertTrue(note.endsWith("; and 5 more"), note);
        }
    }

    @Test
    void anEinsumMatrixProductTakesTheBiasOfTheFollowingAdd() {
        ModelProto m = model(GraphProto.newBuilder().setName("einsum").addInput(value("x")).addOutput(value("y"))
                .addInitializer(counting("E", 6, 4)).addInitializer(counting("b", 4))
                .addNode(node("Einsum", "e", new String[] {"x", "E"}, new String[] {"h"}, text("equation", "ij,jk")))
                .addNode(node("Add", "add", new String[] {"h", "b"}, new String[] {"y"})).build());
        try (OnnxModel r = read(m)) {
            DenseLayer l = r.readAll().layer(0);
            assertEquals("Einsum", l.op());
            // "ij,jk": the constant is [in, out], W = Eᵀ (4 x 6): W(r, c) = E[c][r] = (c·4 + r) / 10
            assertEquals(4, l.outputWidth());
            assertEquals((5 * 4 + 3) / 10f, l.weights().get(3, 5), 0);
            assertEquals(0.3f, l.bias().get(3), 0);
        }
    }
}
