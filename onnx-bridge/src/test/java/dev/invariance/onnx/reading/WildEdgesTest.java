package dev.invariance.onnx.reading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.LayerOutline;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Honest edges (issue 20): a product of two computed values passes a path's units only through the operand whose
 * feature axis survives, so in an attention block only the value projection is paired with the output projection and
 * the query and key paths end at {@code Q·Kᵀ} ("contracted", with a note); an {@code Add} of two functions of the
 * same tensor with no dense layer between (tanh-GELU's {@code x + 0.044715·x³}) is no residual, so {@code c_fc →
 * c_proj} is one edge. Edges, pair figures and ended paths as make_wild_fixtures.py's numpy reference lists them,
 * for an attention block built with onnx.helper, a PyTorch export of one with two heads, and a GELU MLP.
 */
class WildEdgesTest {
    /** Pair figures against numpy, as OnnxFixtureTest: float32 weights analysed in float32. */
    private static final double FIGURE_TOL = 1e-4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"attention_helper.onnx", "attention_torch.onnx", "gelu_mlp.onnx"})
    void edgesAreExactlyThoseOfTheReference(String file) {
        JsonNode reference = EdgesNamesReference.model(file);
        Set<List<Object>> expected = new HashSet<>();
        for (JsonNode e : reference.get("edges")) {
            expected.add(List.of(e.get("producer_name").asText(), e.get("consumer_name").asText(),
                    e.get("via_residual").asBoolean()));
        }
        try (OnnxModel model = OnnxModelReader.open(EdgesNamesReference.file(file))) {
            List<LayerOutline> layers = model.outline().layers();
            List<List<Object>> actual = new ArrayList<>();
            for (DataFlowEdge e : model.outline().edges()) {
                actual.add(List.of(layers.get(e.producer()).name(), layers.get(e.consumer()).name(), e.viaResidual()));
            }
            assertEquals(expected, new HashSet<>(actual));
            assertEquals(expected.size(), actual.size(), "one edge per producer, consumer and residual flag: " + actual);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"attention_helper.onnx", "attention_torch.onnx", "gelu_mlp.onnx"})
    void pairFiguresAreNumpys(String file) {
        JsonNode reference = EdgesNamesReference.model(file);
        try (OnnxModel model = OnnxModelReader.open(EdgesNamesReference.file(file))) {
            AnalysisReport report = WeightAnalyzer.create().analyze(model);
            int compared = 0;
            for (JsonNode e : reference.get("edges")) {
                JsonNode m = e.get("metrics");
                if (m == null || m.isNull()) {
                    continue;
                }
                PairMetrics p = pair(report, e.get("producer_name").asText(), e.get("consumer_name").asText(),
                        e.get("via_residual").asBoolean());
                String what = file + " " + e.get("producer_name").asText() + " -> " + e.get("consumer_name").asText();
                assertEquals(m.get("adjacent_alignment").asDouble(), p.adjacentAlignment(), FIGURE_TOL, what);
                assertEquals(m.get("weighted_alignment").asDouble(), p.weightedAlignment(), FIGURE_TOL, what);
                assertEquals(m.get("commutator_score").asDouble(), p.commutatorScore(), FIGURE_TOL, what);
                assertEquals(m.get("balancedness").asDouble(), p.balancedness(),
                        FIGURE_TOL * Math.max(1, m.get("balancedness").asDouble()), what);
                compared++;
            }
            assertTrue(compared >= 1, file);
            assertEquals(compared, report.pairs().size(), file + ": no other pair");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"attention_helper.onnx", "attention_torch.onnx"})
    void queryAndKeyPathsEndContractedAtTheirProductWithANote(String file) {
        JsonNode reference = EdgesNamesReference.model(file);
        try (OnnxModel model = OnnxModelReader.open(EdgesNamesReference.file(file))) {
            List<LayerOutline> layers = model.outline().layers();
            assertEquals(2, reference.get("ended_paths").size());
            for (JsonNode ended : reference.get("ended_paths")) {
                String producer = ended.get("producer").asText();
                for (JsonNode notTo : ended.get("not_to")) {
                    for (DataFlowEdge e : model.outline().edges()) {
                        assertTrue(!layers.get(e.producer()).name().equals(producer)
                                        || !layers.get(e.consumer()).name().equals(notTo.asText()),
                                producer + " -> " + notTo.asText() + " crosses " + ended.get("node").asText());
                    }
                }
                assertEquals("contracted", ended.get("reason").asText());
                String note = null;
                for (String n : model.notes()) {
                    if (n.contains("'" + ended.get("node").asText() + "'") && n.contains("'" + producer + "'")) {
                        note = n;
                    }
                }
                assertNotNull(note, "a note names " + ended.get("node").asText() + " and " + producer + ": "
                        + model.notes());
                assertTrue(note.contains("(" + ended.get("op").asText() + ")") && note.contains("contracted"), note);
            }
        }
    }

    private static PairMetrics pair(AnalysisReport report, String from, String to, boolean viaResidual) {
        for (PairMetrics p : report.pairs()) {
            if (p.producerName().equals(from) && p.consumerName().equals(to) && p.viaResidual() == viaResidual) {
                return p;
            }
        }
        throw new AssertionError("no pair " + from + " -> " + to + " in " + report.pairs());
    }
}
