package dev.invariance.onnx.reading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two Conv + BatchNormalization models of {@code onnx/wild} (make_wild_fixtures.py: the normalisation directly
 * after the convolution, and behind an Identity and a Reshape to {@code [N, 4, 9]}) read as numpy derived them
 * (issue 20, normalisation): by default the stored W, a note naming the layer and the normalisation, and the edge
 * through it; with {@link OnnxReadOption#FOLD_BATCH_NORMALIZATION} W' = diag(γ/√(σ² + ε))·W and
 * b' = (b − μ)·γ/√(σ² + ε) + β, marked folded, ReLU-activated, with the edge starting after the normalisation.
 */
class WildBatchNormTest {
    /**
     * W and b against numpy: the stored float32 values, or the fold computed in double from them on both sides
     * (measured: identical); the bound leaves room for another order of the operations, not for a float32 rounding
     * (6e-8).
     */
    private static final double WEIGHT_TOL = 1e-12;
    /** Figures of double-precision SVDs of the same matrices (measured: 1.2e-15 relative at most). */
    private static final double FIGURE_TOL = 1e-12;

    private static JsonNode reference(String file) throws IOException, URISyntaxException {
        JsonNode root = new ObjectMapper().readTree(folder().resolve("reference.json").toFile());
        for (JsonNode m : root.get("models")) {
            if (m.get("file").asText().equals(file)) {
                return m;
            }
        }
        throw new AssertionError(file + " is not in reference.json");
    }

    private static Path folder() throws URISyntaxException {
        return Path.of(WildBatchNormTest.class.getResource("/onnx/wild/reference.json").toURI()).getParent();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bn_conv.onnx", "bn_conv_reshape.onnx"})
    void byDefaultTheStoredLayerIsReportedAndTheNormalisationNamed(String file) throws Exception {
        JsonNode ref = reference(file);
        try (OnnxModel model = OnnxModelReader.open(folder().resolve(file))) {
            matches(file, ref.get("layers"), ref.get("edges"), model);
            for (JsonNode expected : ref.get("notes")) {
                assertTrue(model.notes().stream().anyMatch(n -> n.contains(expected.asText())),
                        "note '" + expected.asText() + "' in " + model.notes());
            }
            String note = "layer 'features.conv.weight' is followed by BatchNormalization "
                    + "'/features/bn/BatchNormalization'; the layer's figures are those of its stored W";
            assertTrue(model.notes().stream().anyMatch(n -> n.startsWith(note)), String.valueOf(model.notes()));
            assertTrue(model.outline().edges().get(0).ops().contains("BatchNormalization"),
                    "the edge passes the normalisation: " + model.outline().edges().get(0).ops());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bn_conv.onnx", "bn_conv_reshape.onnx"})
    void foldedTheLayerIsTheAffineMapOfBoth(String file) throws Exception {
        JsonNode variant = reference(file).get("variants").get("fold_batchnorm");
        try (OnnxModel model = OnnxModelReader.open(folder().resolve(file), OnnxReadOption.FOLD_BATCH_NORMALIZATION)) {
            matches(file + " folded", variant.get("layers"), variant.get("edges"), model);
            assertEquals(List.of("Relu", "Flatten"), model.outline().edges().get(0).ops(),
                    "the edge starts after the normalisation");
            assertTrue(model.notes().stream().anyMatch(n -> n.contains("folded into the layer's W and bias")),
                    String.valueOf(model.notes()));
            assertFalse(model.notes().stream().anyMatch(n -> n.contains("stored W")), String.valueOf(model.notes()));
            assertEquals("/features/bn/BatchNormalization", nodeOf(model, model.bindings().get(0).outputValue()),
                    "the probe observes the folded layer's output");
        }
    }

    /** The name of the node that writes {@code value}. */
    private static String nodeOf(OnnxModel model, String value) {
        return model.getModelProto().getGraph().getNodeList().stream().filter(n -> n.getOutputList().contains(value))
                .findFirst().orElseThrow().getName();
    }

    private static void matches(String what, JsonNode layers, JsonNode edges, OnnxModel model) {
        NetworkDescription network = model.readAll();
        assertEquals(layers.size(), network.depth(), what + " layer count");
        WeightAnalyzer analyzer = WeightAnalyzer.create();
        for (int i = 0; i < layers.size(); i++) {
            JsonNode e = layers.get(i);
            DenseLayer l = network.layer(i);
            String at = what + " " + l.name();
            assertEquals(e.get("name").asText(), l.name(), at);
            assertEquals(e.get("op").asText(), l.op(), at);
            assertEquals(Activation.parse(e.get("activation").asText()), l.activation(), at + " activation");
            assertEquals(ElementType.valueOf(e.get("element_type").asText()), l.elementType(), at + " element type");
            List<String> folded = new ArrayList<>();
            e.get("folded").forEach(f -> folded.add(f.asText()));
            assertEquals(folded, l.origin().folded(), at + " folded");
            assertEquals(folded, model.outline().layers().get(i).origin().folded(), at + " folded in the outline");
            JsonNode rows = e.get("weights");
            assertEquals(rows.size(), l.outputWidth(), at + " d_out");
            assertEquals(rows.get(0).size(), l.inputWidth(), at + " d_in");
            for (int r = 0; r < rows.size(); r++) {
                for (int c = 0; c < rows.get(r).size(); c++) {
                    double x = rows.get(r).get(c).asDouble();
                    assertEquals(x, l.weights().get(r, c), WEIGHT_TOL * Math.abs(x), at + " W(" + r + "," + c + ")");
                }
            }
            BiasVector b = l.bias();
            if (e.get("bias").isNull()) {
                assertNull(b, at + " has no bias");
            } else {
                assertNotNull(b, at + " bias");
                assertEquals(e.get("bias").size(), b.size(), at + " bias size");
                for (int k = 0; k < b.size(); k++) {
                    double x = e.get("bias").get(k).asDouble();
                    assertEquals(x, b.get(k), WEIGHT_TOL * Math.abs(x), at + " b(" + k + ")");
                }
            }
            JsonNode m = e.get("metrics");
            LayerMetrics lm = analyzer.analyzeLayer(l);
            close(m.get("spectral_norm").asDouble(), lm.spectralNorm(), at + " spectral norm");
            close(m.get("frobenius_norm").asDouble(), lm.frobeniusNorm(), at + " Frobenius norm");
            close(m.get("stable_rank").asDouble(), lm.stableRank(), at + " stable rank");
            close(m.get("rank1_ratio").asDouble(), lm.rank1Ratio(), at + " rank-1 ratio");
            close(m.get("effective_rank").asDouble(), lm.effectiveRank(), at + " effective rank");
            assertEquals(m.get("numerical_rank").asInt(), lm.numericalRank(), at + " numerical rank");
        }
        Set<List<Object>> expected = new HashSet<>();
        edges.forEach(e -> expected.add(List.of(e.get("producer").asInt(), e.get("consumer").asInt(),
                e.get("via_residual").asBoolean())));
        Set<List<Object>> actual = new HashSet<>();
        for (DataFlowEdge e : model.outline().edges()) {
            actual.add(List.of(e.producer(), e.consumer(), e.viaResidual()));
        }
        assertEquals(expected, actual, what + " edges");
    }

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, FIGURE_TOL * Math.abs(expected), what);
    }
}
