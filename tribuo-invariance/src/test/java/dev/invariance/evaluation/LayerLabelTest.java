package dev.invariance.evaluation;

import dev.invariance.analysis.AnalysisReport;
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
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table labels a layer whose weight name an exporter made up by its module path, the name after it in
 * parentheses; readable names are shown as they are (issue 20: "show the module path in the table when the weight
 * name is generated").
 */
class LayerLabelTest {

    @Test
    void namesMadeUpByExportersAreGenerated() {
        for (String name : List.of("onnx::MatMul_787", "onnx::Conv_12", "onnx::MatMul_21_quantized", "123", "MatMul_12",
                "Constant_3_output_0", "/Constant_output_0", "matmul_4")) {
            assertTrue(LayerLabel.isGenerated(name), name);
        }
    }

    @Test
    void namesThatSaySomethingAreNot() {
        for (String name : List.of("fc1.weight", "layer-0", "attn.q_proj.weight", "W[i]", "gru.W[z_reverse]",
                "model/dense_1/MatMul/ReadVariableOp:0", "linear_0.w_0", "conv.weight_quantized", "", "__")) {
            assertFalse(LayerLabel.isGenerated(name), name);
        }
    }

    @Test
    void theTableShowsTheModulePathBeforeAGeneratedName() {
        DenseLayer query = layer("onnx::MatMul_87", "/attention/self/query/MatMul", "attention.self.query", 8);
        DenseLayer plain = layer("fc.weight", "/fc/MatMul", "fc", 8);
        DenseLayer anonymous = layer("onnx::MatMul_789", "MatMul_12", "", 8);
        AnalysisReport report = WeightAnalyzer.create().analyze(NetworkDescription.graph("m.onnx",
                List.of(query, plain, anonymous), List.of(DataFlowEdge.direct(0, 1), DataFlowEdge.direct(1, 2))));
        String table = evaluation(report).toString();
        assertTrue(table.contains("\nattention.self.query (onnx::MatMul_87) "), table);
        assertTrue(table.contains("\nfc.weight "), table);
        assertFalse(table.contains("fc (fc.weight)"), table);
        assertTrue(table.contains("\nonnx::MatMul_789 "), table);
        assertTrue(table.contains("\nattention.self.query (onnx::MatMul_87) -> fc.weight "), table);
        assertTrue(table.contains("\nfc.weight -> onnx::MatMul_789 "), table);
    }

    private static DenseLayer layer(String name, String node, String module, int width) {
        float[] v = new float[width * width];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.cos(0.3 + i * 1.7);
        }
        return new DenseLayer(name, "MatMul", WeightMatrix.fromRowMajor(width, width, v), null, Activation.LINEAR,
                ElementType.FLOAT32, null, "", new LayerOrigin(node, module, null, null, List.of()));
    }

    private static InvarianceEvaluation evaluation(AnalysisReport report) {
        DeepNetModel model = DeepNetTrainer.builder().hidden(3).steps(5).build()
                .train(new MutableDataset<>(new SeparableDataSource(20, 4, 0.0, 0)));
        return new InvarianceEvaluation(report, null, null, List.of(), new EvaluationProvenance(model.getProvenance(),
                new SimpleDataSourceProvenance("no data", new LabelFactory())));
    }
}
