package dev.invariance.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerSelection;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.network.Activation;
import dev.invariance.network.Convolution;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON of a graph analysis: spectrum mode, every edge with ops and reason, subgraph and convolution of layers. */
class GraphJsonTest {

    private static WeightMatrix random(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return WeightMatrix.fromRowMajor(rows, cols, v);
    }

    private static NetworkDescription graph() {
        DenseLayer a = new DenseLayer("fc.weight", "Gemm", random(6, 4, 1), null, Activation.RELU, ElementType.FLOAT32);
        DenseLayer b = new DenseLayer("pw.weight", "Conv", random(5, 6, 2), null, Activation.LINEAR, ElementType.FLOAT32,
                new Convolution(1, List.of(1, 1), false), "If_0/then_branch");
        DenseLayer c = new DenseLayer("head.weight", "MatMul", random(2, 3, 3), null, Activation.LINEAR,
                ElementType.FLOAT32);
        return NetworkDescription.graph("graph.onnx", List.of(a, b, c),
                List.of(new DataFlowEdge(0, 1, List.of("Relu", "Reshape"), false),
                        new DataFlowEdge(1, 2, List.of("Slice"), false)));
    }

    private static InvarianceEvaluation evaluation(AnalysisReport report) {
        DeepNetModel model = DeepNetTrainer.builder().hidden(3).steps(5).build()
                .train(new MutableDataset<>(new SeparableDataSource(20, 4, 0.0, 0)));
        return new InvarianceEvaluation(report, null, null, List.of(), new EvaluationProvenance(model.getProvenance(),
                new SimpleDataSourceProvenance("no data", new LabelFactory())));
    }

    @Test
    void graphReportIsWrittenWithEdgesAndReadBack() throws Exception {
        AnalysisReport report = WeightAnalyzer.create().analyze(graph());
        InvarianceEvaluation e = evaluation(report);
        String json = EvaluationJson.write(e, "graph.onnx");
        JsonNode root = new ObjectMapper().readTree(json);
        assertEquals("full", root.get("spectrum").asText());
        JsonNode pw = root.get("layers").get(1);
        assertEquals("If_0/then_branch", pw.get("subgraph").asText());
        assertEquals(1, pw.get("convolution").get("groups").asInt());
        assertEquals("[1,1]", pw.get("convolution").get("kernel_shape").toString());
        assertFalse(pw.get("convolution").get("transposed").asBoolean());
        assertFalse(root.get("layers").get(0).has("subgraph"));
        assertFalse(root.get("layers").get(0).has("convolution"));
        JsonNode alignment = root.get("alignment");
        assertEquals(1, alignment.size());
        assertEquals("fc.weight", alignment.get(0).get("from").asText());
        assertEquals("pw.weight", alignment.get(0).get("to").asText());
        assertEquals("[\"Relu\",\"Reshape\"]", alignment.get(0).get("ops").toString());
        assertTrue(alignment.get(0).get("top_alignment").isNumber());
        assertTrue(alignment.get(0).get("commutator_alignment").isNumber());
        JsonNode edges = root.get("edges");
        assertEquals(2, edges.size());
        assertTrue(edges.get(0).get("metrics").asBoolean());
        assertFalse(edges.get(0).has("reason"));
        assertFalse(edges.get(1).get("metrics").asBoolean());
        assertEquals("d_out(pw.weight)=5 but d_in(head.weight)=3 (through Slice)", edges.get(1).get("reason").asText());

        InvarianceEvaluation back = EvaluationJson.read(json);
        assertEquals(report, back.getReport());
    }

    @Test
    void topKReportSaysSoAndWritesUnknownFiguresAsNull() throws Exception {
        AnalysisOptions options = AnalysisOptions.builder().spectrum(SpectrumMode.TOP_K).topK(2).build();
        AnalysisReport report = WeightAnalyzer.create(options).analyze(graph());
        String json = evaluation(report).toJson();
        JsonNode root = new ObjectMapper().readTree(json);
        assertEquals("top-k", root.get("spectrum").asText());
        JsonNode fc = root.get("layers").get(0); // 6 x 4: two of four singular values computed
        assertTrue(fc.get("spectral_norm").isNumber());
        assertTrue(fc.get("stable_rank").isNumber());
        assertTrue(fc.get("effective_rank").isNull());
        assertTrue(fc.get("numerical_rank").isNull());
        assertTrue(root.get("alignment").get(0).get("commutator_alignment").isNull());
        assertTrue(root.get("alignment").get(0).get("top_alignment").isNumber());
        assertEquals(report, EvaluationJson.read(json).getReport());
    }

    @Test
    void theLayerSelectionIsNamedInTheModelBlockAndReadBack() throws Exception {
        AnalysisReport all = WeightAnalyzer.create().analyze(graph());
        JsonNode none = new ObjectMapper().readTree(evaluation(all).toJson());
        assertTrue(none.get("model").get("layer_pattern").isNull(), "null when every layer is analysed");
        AnalysisReport some = WeightAnalyzer.create(AnalysisOptions.builder()
                .layers(LayerSelection.matching("^(fc|head)\\.")).build()).analyze(graph());
        String json = evaluation(some).toJson();
        assertEquals("^(fc|head)\\.", new ObjectMapper().readTree(json).get("model").get("layer_pattern").asText());
        assertEquals(some, EvaluationJson.read(json).getReport());
    }

    @Test
    void undefinedFiguresReadBackAsNaNAndFiguresNotComputedAsNull() {
        // an all-zero network: its ratios are undefined (NaN) in both modes, written as null
        DeepNetModel zero = DeepNetTrainer.builder().hidden(3).initScale(0.0).steps(0).build()
                .train(new MutableDataset<>(new SeparableDataSource(20, 4, 0.0, 1L)));
        for (SpectrumMode mode : SpectrumMode.values()) {
            AnalysisReport report = WeightAnalyzer.create(AnalysisOptions.builder().spectrum(mode).topK(1).build())
                    .analyze(zero.getNetwork());
            LayerMetrics first = report.layers().get(0); // 3 x 4: top-k computes 2 of its 3 singular values
            assertEquals(mode == SpectrumMode.FULL, first.isSpectrumComplete(), mode.getId());
            String json = evaluation(report).toJson();
            InvarianceEvaluation read = EvaluationJson.read(json);
            assertEquals(json, read.toJson(), mode.getId()); // the records differ only in -0.0, written as 0.0
            AnalysisReport back = read.getReport();
            if (mode == SpectrumMode.FULL) {
                assertTrue(Double.isNaN(back.layers().get(0).effectiveRank()), "undefined, not missing");
            } else {
                assertNull(back.layers().get(0).effectiveRank(), "not computed");
            }
        }
    }
}
