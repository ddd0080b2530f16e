package dev.invariance.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.network.Activation;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOrigin;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.Quantization;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every layer in the analysis JSON says where its matrix comes from ({@code node}, {@code module}, {@code gate},
 * {@code quantization}, {@code folded}), and {@link EvaluationJson#read} gives the same origins back (issue 20).
 */
class LayerOriginJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static DenseLayer layer(String name, int rows, int cols, LayerOrigin origin) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(1.0 + i * (rows + 0.5));
        }
        return new DenseLayer(name, "MatMul", WeightMatrix.fromRowMajor(rows, cols, v), null, Activation.LINEAR,
                ElementType.FLOAT32, null, "", origin);
    }

    private static InvarianceEvaluation evaluation(AnalysisReport report) {
        DeepNetModel model = DeepNetTrainer.builder().hidden(3).steps(5).build()
                .train(new MutableDataset<>(new SeparableDataSource(20, 4, 0.0, 0)));
        return new InvarianceEvaluation(report, null, null, List.of(), new EvaluationProvenance(model.getProvenance(),
                new SimpleDataSourceProvenance("no data", new LabelFactory())));
    }

    /** A quantised per-channel layer, a gate of a packed recurrent weight, and a folded convolution-like layer. */
    private static AnalysisReport report() {
        DenseLayer quantised = layer("onnx::MatMul_21_quantized", 6, 8, new LayerOrigin("/fc1/MatMul_quant", "fc1",
                null, new Quantization(8, true, true, 1, null, "MatMulInteger"), List.of()));
        DenseLayer gate = layer("W[i]", 4, 6, new LayerOrigin("/lstm/LSTM", "lstm", "i", null, List.of()));
        DenseLayer folded = layer("features.conv.weight", 3, 4, new LayerOrigin("/features/conv/Conv",
                "features.conv", null, new Quantization(4, false, true, 1, 16, "MatMulNBits"),
                List.of("BatchNormalization")));
        return WeightAnalyzer.create().analyze(NetworkDescription.graph("m.onnx", List.of(quantised, gate, folded),
                List.of(DataFlowEdge.direct(0, 1), DataFlowEdge.direct(1, 2))));
    }

    @Test
    void everyLayerWritesItsOriginAndReadsItBack() throws Exception {
        AnalysisReport report = report();
        String json = evaluation(report).toJson();
        JsonNode layers = MAPPER.readTree(json).get("layers");
        JsonNode q = layers.get(0);
        assertEquals("/fc1/MatMul_quant", q.get("node").asText());
        assertEquals("fc1", q.get("module").asText());
        assertTrue(q.get("gate").isNull());
        assertEquals("{\"bits\":8,\"signed\":true,\"per_channel\":true,\"axis\":1,\"block_size\":null,"
                + "\"operator\":\"MatMulInteger\"}", q.get("quantization").toString());
        assertEquals("[]", q.get("folded").toString());
        assertEquals("i", layers.get(1).get("gate").asText());
        assertTrue(layers.get(1).get("quantization").isNull());
        assertEquals(16, layers.get(2).get("quantization").get("block_size").asInt());
        assertEquals("[\"BatchNormalization\"]", layers.get(2).get("folded").toString());

        AnalysisReport back = EvaluationJson.read(json).getReport();
        for (int i = 0; i < 3; i++) {
            assertEquals(report.layers().get(i).origin(), back.layers().get(i).origin(), "layer " + i);
        }
        assertEquals(report, back);
    }

    @Test
    void aTrainedModelsLayersHaveNoNodeAndTheirNameAsModule() throws Exception {
        DeepNetModel model = DeepNetTrainer.builder().hidden(3).steps(5).build()
                .train(new MutableDataset<>(new SeparableDataSource(20, 4, 0.0, 0)));
        AnalysisReport report = WeightAnalyzer.create().analyze(model.getNetwork());
        JsonNode layers = MAPPER.readTree(evaluation(report).toJson()).get("layers");
        assertEquals(2, layers.size());
        for (JsonNode l : layers) {
            assertTrue(l.get("node").isNull(), l.toString());
            assertEquals(l.get("name").asText(), l.get("module").asText());
            assertTrue(l.get("gate").isNull());
            assertTrue(l.get("quantization").isNull());
            assertEquals("[]", l.get("folded").toString());
        }
    }

    @Test
    void jsonWrittenBeforeTheKeysExistedReadsAsLayersKnownByName() throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(evaluation(report()).toJson());
        for (JsonNode l : root.get("layers")) {
            ((ObjectNode) l).remove(List.of("node", "module", "gate", "quantization", "folded"));
        }
        for (LayerMetrics l : EvaluationJson.read(root.toString()).getReport().layers()) {
            assertEquals(LayerOrigin.named(l.name()), l.origin());
        }
    }
}
