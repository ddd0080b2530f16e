package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.invariance.onnx.reading.HostileModels.integer;
import static dev.invariance.onnx.reading.OnnxModels.floatValue;
import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When a {@code BatchNormalization} after a dense layer is folded into it, and why not otherwise (issue 20,
 * normalisation), on small graphs {@code x [N, 2] → Gemm (3 units) → … → BatchNormalization → Relu → Gemm → y}
 * whose folded map is worked out by hand: γ = (2, 0.5, 1), σ² + ε = (4, 1, 0.25), so s = γ/√(σ² + ε) = (1, 0.5, 2).
 */
class BatchNormFoldingTest {
    private static final float[] W = {1, 2, 3, 4, 5, 6};
    private static final float[] B = {0.5f, -1, 2};
    private static final float[] GAMMA = {2, 0.5f, 1};
    private static final float[] BETA = {0.1f, 0.2f, 0.3f};
    private static final float[] MEAN = {1, 2, 3};
    private static final float EPSILON = 0.25f;
    private static final float[] VARIANCE = {3.75f, 0.75f, 0};
    private static final double[] S = {1, 0.5, 2};

    /** The graph with {@code between} (reading "h", writing "n_in") between the first Gemm and the normalisation. */
    private static GraphProto graph(List<NodeProto> between, List<TensorProto> extra, AttributeProto... bnAttributes) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(floatValue("x", 2)).addOutput(value("y"))
                .addInitializer(floats("W", new long[] {3, 2}, W)).addInitializer(floats("b", new long[] {3}, B))
                .addInitializer(floats("gamma", new long[] {3}, GAMMA)).addInitializer(floats("beta", new long[] {3}, BETA))
                .addInitializer(floats("mean", new long[] {3}, MEAN))
                .addInitializer(floats("var", new long[] {3}, VARIANCE))
                .addInitializer(floats("W2", new long[] {1, 3}, 1, 1, 1))
                .addNode(node("Gemm", "fc1", new String[] {"x", "W", "b"}, new String[] {"h"}, integer("transB", 1)));
        extra.forEach(g::addInitializer);
        between.forEach(g::addNode);
        List<AttributeProto> attributes = new ArrayList<>(List.of(bnAttributes));
        attributes.add(AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT)
                .setF(EPSILON).build());
        g.addNode(node("BatchNormalization", "bn", new String[] {between.isEmpty() ? "h" : "n_in", "gamma", "beta",
                "mean", "var"}, new String[] {"n"}, attributes.toArray(AttributeProto[]::new)));
        g.addNode(node("Relu", "act", new String[] {"n"}, new String[] {"r"}));
        g.addNode(node("Gemm", "fc2", new String[] {"r", "W2"}, new String[] {"y"}, integer("transB", 1)));
        return g.build();
    }

    private static OnnxModel read(GraphProto g, boolean fold) {
        Set<OnnxReadOption> options = fold ? EnumSet.of(OnnxReadOption.FOLD_BATCH_NORMALIZATION)
                : EnumSet.noneOf(OnnxReadOption.class);
        return OnnxModelReader.read("bn.onnx", null, model(g).toByteArray(), options);
    }

    private static TensorProto longs(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorPayload.INT64)
                .addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    private static void assertFolded(OnnxModel m) {
        DenseLayer l = m.load(0);
        double[] expected = new double[6];
        for (int i = 0; i < 6; i++) {
            expected[i] = S[i / 2] * W[i];
        }
        assertArrayEquals(expected, l.weights().toRowMajorArray(), 0.0, "W' = diag(s) W");
        double[] bias = new double[3];
        for (int i = 0; i < 3; i++) {
            bias[i] = ((double) B[i] - MEAN[i]) * S[i] + BETA[i];
        }
        assertArrayEquals(bias, l.bias().toArray(), 0.0, "b' = (b - mean) s + beta");
        assertEquals(Activation.RELU, l.activation(), "the Relu after the normalisation acts on the folded layer");
        assertEquals(List.of("BatchNormalization"), l.origin().folded());
        assertEquals(List.of("Relu"), m.outline().edges().get(0).ops(), "the edge starts after the normalisation");
        assertTrue(m.notes().contains("layer 'W' is followed by BatchNormalization 'bn': folded into the layer's W and"
                + " bias"), String.valueOf(m.notes()));
    }

    /** The one note on the normalisation: it names the layer, the node and why the layer keeps its stored W. */
    private static void assertNotFolded(OnnxModel m, String reason) {
        DenseLayer l = m.load(0);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, l.weights().toRowMajorArray(), 0.0);
        assertEquals(List.of(), l.origin().folded());
        assertEquals(Activation.LINEAR, l.activation());
        assertTrue(m.notes().contains("layer 'W' is followed by BatchNormalization 'bn', which cannot be folded into it ("
                + reason + "); the layer's figures are those of its stored W"), String.valueOf(m.notes()));
    }

    @Test
    void aNormalisationRightAfterTheLayerFoldsIntoTheHandComputedMap() {
        try (OnnxModel m = read(graph(List.of(), List.of()), true)) {
            assertFolded(m);
        }
    }

    @Test
    void withoutTheOptionTheLayerKeepsItsWeightsAndANoteNamesTheNormalisation() {
        try (OnnxModel m = read(graph(List.of(), List.of()), false)) {
            DenseLayer l = m.load(0);
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, l.weights().toRowMajorArray(), 0.0);
            assertEquals(List.of(), l.origin().folded());
            assertEquals(List.of("BatchNormalization", "Relu"), m.outline().edges().get(0).ops());
            assertTrue(m.notes().contains("layer 'W' is followed by BatchNormalization 'bn'; the layer's figures are"
                    + " those of its stored W, without the normalisation's per-unit scale (--fold-batchnorm folds it"
                    + " into W)"), String.valueOf(m.notes()));
        }
    }

    @Test
    void itFoldsThroughDropoutReshapeAndUnsqueezeThatKeepTheUnitsOnAxisOne() {
        List<NodeProto> between = List.of(
                node("Dropout", "drop", new String[] {"h"}, new String[] {"d"}),
                node("Reshape", "keep", new String[] {"d", "shape"}, new String[] {"k"}),
                node("Unsqueeze", "to4d", new String[] {"k", "axes"}, new String[] {"n_in"}));
        // [N, 3] -> [N, 3] -> [N, 3, 1, 1]: BatchNormalization normalises axis 1, the units; the Relu reads it 4-D
        try (OnnxModel m = read(graph(between, List.of(longs("shape", 0, 3), longs("axes", 2, 3))), true)) {
            assertFolded(m);
        }
    }

    @Test
    void aTrainingModeNormalisationUsesTheBatchStatisticsAndIsNotFolded() {
        try (OnnxModel m = read(graph(List.of(), List.of(), integer("training_mode", 1)), true)) {
            assertNotFolded(m, "it is in training mode: it normalises with each batch's own statistics");
        }
    }

    @Test
    void aLayerOutputReadElsewhereTooIsNotFolded() {
        GraphProto g = graph(List.of(), List.of()).toBuilder().addOutput(value("h")).build();
        try (OnnxModel m = read(g, true)) {
            assertNotFolded(m, "the values between them are read elsewhere too");
        }
    }

    @Test
    void aTransposeOnTheWayMayMoveTheUnitsOffTheNormalisedAxis() {
        List<NodeProto> between = List.of(node("Transpose", "t", new String[] {"h"}, new String[] {"n_in"}));
        try (OnnxModel m = read(graph(between, List.of()), true)) {
            assertNotFolded(m, "the units may leave the normalised axis through Transpose 't'");
        }
    }

    @Test
    void aReshapeThatDoesNotKeepTheBatchAxisIsNotFolded() {
        List<NodeProto> between = List.of(node("Reshape", "r", new String[] {"h", "shape"}, new String[] {"n_in"}));
        try (OnnxModel m = read(graph(between, List.of(longs("shape", 1, 3, -1))), true)) {
            assertNotFolded(m, "the units may leave the normalised axis through Reshape 'r'");
        }
    }

    @Test
    void parametersComputedAtRunTimeAreNotFolded() {
        GraphProto g = graph(List.of(), List.of());
        GraphProto.Builder b = g.toBuilder().clearInitializer().addInput(floatValue("gamma"));
        g.getInitializerList().stream().filter(t -> !t.getName().equals("gamma")).forEach(b::addInitializer);
        try (OnnxModel m = read(b.build(), true)) {
            assertNotFolded(m, "its scale, bias, mean and variance are not constant vectors of 3 entries");
        }
    }

    @Test
    void aProductAtEveryPositionNormalisedOverPositionsIsNotFolded() {
        // x [N, 3, 2] -> MatMul (units on the last axis) -> BatchNormalization over axis 1, the 3 positions
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(floatValue("x", 3, 2)).addOutput(value("n"))
                .addInitializer(floats("W", new long[] {2, 3}, W))
                .addInitializer(floats("gamma", new long[] {3}, GAMMA)).addInitializer(floats("beta", new long[] {3}, BETA))
                .addInitializer(floats("mean", new long[] {3}, MEAN)).addInitializer(floats("var", new long[] {3}, VARIANCE))
                .addNode(node("MatMul", "mm", new String[] {"x", "W"}, new String[] {"h"}))
                .addNode(node("BatchNormalization", "bn", new String[] {"h", "gamma", "beta", "mean", "var"},
                        new String[] {"n"})).build();
        try (OnnxModel m = read(g, true)) {
            assertEquals(List.of(), m.load(0).origin().folded());
            assertTrue(m.notes().stream().anyMatch(n -> n.contains("which cannot be folded into it (it normalises axis"
                    + " 1, which does not hold the layer's units)")), String.valueOf(m.notes()));
        }
    }

    @Test
    void aNormalisationOfTheInputIsNamedAsFollowingNoLayer() {
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(floatValue("x", 3)).addOutput(value("y"))
                .addInitializer(floats("W", new long[] {2, 3}, W))
                .addInitializer(floats("gamma", new long[] {3}, GAMMA)).addInitializer(floats("beta", new long[] {3}, BETA))
                .addInitializer(floats("mean", new long[] {3}, MEAN)).addInitializer(floats("var", new long[] {3}, VARIANCE))
                .addNode(node("BatchNormalization", "input_bn", new String[] {"x", "gamma", "beta", "mean", "var"},
                        new String[] {"n"}))
                .addNode(node("Gemm", "fc", new String[] {"n", "W"}, new String[] {"y"}, integer("transB", 1))).build();
        try (OnnxModel m = read(g, true)) {
            assertTrue(m.notes().contains("1 BatchNormalization node does not read a dense layer's output and is folded"
                    + " into no layer: 'input_bn'"), String.valueOf(m.notes()));
        }
    }

    @Test
    void aNegativeVarianceIsRefusedInOneLineWhenTheFoldReadsIt() {
        GraphProto g = graph(List.of(), List.of());
        GraphProto.Builder b = g.toBuilder().clearInitializer();
        g.getInitializerList().stream().filter(t -> !t.getName().equals("var")).forEach(b::addInitializer);
        b.addInitializer(floats("var", new long[] {3}, 3.75f, -2, 0));
        try (OnnxModel m = read(b.build(), true)) {
            InvalidModelException e = assertThrows(InvalidModelException.class, () -> m.load(0));
            assertEquals("bn.onnx: BatchNormalization 'bn': variance 'var' plus epsilon 0.25 is not positive (element 1)",
                    e.getMessage());
        }
        try (OnnxModel m = read(b.build(), false)) {
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, m.load(0).weights().toRowMajorArray(), 0.0,
                    "unfolded, the normalisation is not read");
        }
    }
}
