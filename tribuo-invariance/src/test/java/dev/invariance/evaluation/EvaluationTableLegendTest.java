package dev.invariance.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.CsvDatasets;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import dev.invariance.training.LossFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the figures say about themselves (issue 20, figures): the numerical rank's ε per layer in JSON and in the
 * table's legend, a legend line under every table for its abbreviations (and for {@code –} and {@code NaN} cells),
 * and a footer that names the data file and its number of examples.
 */
class EvaluationTableLegendTest {
    @TempDir
    Path dir;

    /** diag(1, 1e-1, 1e-3, 1e-5) stored as {@code type}. */
    private static DenseLayer diagonal(String name, ElementType type) {
        return new DenseLayer(name, "Gemm", WeightMatrix.fromRows(new double[] {1, 0, 0, 0},
                new double[] {0, 1e-1, 0, 0}, new double[] {0, 0, 1e-3, 0}, new double[] {0, 0, 0, 1e-5}), null,
                Activation.LINEAR, type);
    }

    private static InvarianceEvaluation weightsOnly(NetworkDescription network, AnalysisOptions options) {
        DeepNetModel model = DeepNetTrainer.builder().hidden(3).steps(1).build()
                .train(new MutableDataset<>(new SeparableDataSource(20, 4, 0.0, 0)));
        return new InvarianceEvaluation(WeightAnalyzer.create(options).analyze(network), null, null, List.of(),
                new EvaluationProvenance(model.getProvenance(),
                        new SimpleDataSourceProvenance(InvarianceEvaluator.WEIGHTS_ONLY, new LabelFactory())));
    }

    @Test
    void theNumericalRankCountsAtTheStoredTypesEpsilonAndSaysWhichOne() throws Exception {
        // tolerance σ₁·4·ε: 0.0039 for float16 (σ = 1, 0.1 pass), 4.8e-7 for float32 (all four pass)
        NetworkDescription network = NetworkDescription.graph("mixed.onnx",
                List.of(diagonal("half", ElementType.FLOAT16), diagonal("single", ElementType.FLOAT32)), List.of());
        InvarianceEvaluation e = weightsOnly(network, AnalysisOptions.builder().build());
        JsonNode layers = new ObjectMapper().readTree(EvaluationJson.write(e, "mixed.onnx")).get("layers");
        assertEquals(2, layers.get(0).get("numerical_rank").asInt());
        assertEquals(0x1p-10, layers.get(0).get("numerical_rank_eps").asDouble(), 0.0);
        assertEquals(4, layers.get(1).get("numerical_rank").asInt());
        assertEquals(0x1p-23, layers.get(1).get("numerical_rank_eps").asDouble(), 0.0);
        assertTrue(e.toString().contains("num. rank = #{σ > σ₁·max(d_out, d_in)·ε} with ε = 2⁻¹⁰ (float16), 2⁻²³"
                + " (float32)"), e.toString());
    }

    @Test
    void everyTableHasALegendLineForItsAbbreviations() throws Exception {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(60, 4, 0.1, 3L));
        DeepNetModel model = DeepNetTrainer.builder().hidden(6, 6).activation(Activation.RELU)
                .loss(LossFunction.LOGISTIC).steps(50).seed(3L).build().train(data);
        String table = InvarianceEvaluator.create().evaluate(model, data).toString();
        String[] legends = {
            "spectral = σ₁, frobenius = ‖W‖_F, rank-1 = σ₁/‖W‖_F, stable rk = ‖W‖_F²/σ₁², eff. rank = exp(entropy of"
                    + " σ/Σσ), num. rank = #{σ > σ₁·max(d_out, d_in)·ε} with ε = 2⁻⁵² (float64), s2/s1 = σ₂/σ₁",
            "top align = |v₁(to)ᵀu₁(from)|, weighted = ‖W_to·W_from‖₂/(σ₁(to)·σ₁(from)), 1 - c = 1 − ‖AB − BA‖_F/(√2·"
                    + "‖A‖_F·‖B‖_F) with A = W_from·W_fromᵀ, B = W_toᵀ·W_to, balance = ‖B − A‖_F",
            "active / dead = units positive / not positive on every example, unstable = the others, rank-1 on S = σ₁/"
                    + "‖W‖_F of W's stably active rows S and stable input columns (n/a: no such submatrix)"};
        for (String legend : legends) {
            assertTrue(table.lines().anyMatch(legend::equals), legend + " in\n" + table);
        }
        assertTrue(table.contains(String.format("%12s%n", "rank-1 on S")), table);
        assertFalse(table.contains(EvaluationTable.LEGEND), "full mode computes every figure: " + table);
        assertFalse(table.contains(TableLegend.UNDEFINED), table);
        String topK = InvarianceEvaluator.create(WeightAnalyzer.create(AnalysisOptions.builder().topK(1)
                .spectrum(SpectrumMode.TOP_K).build())).evaluate(model, data).toString();
        assertTrue(topK.lines().anyMatch(EvaluationTable.LEGEND::equals), topK);
        assertTrue(topK.lines().anyMatch(legends[0]::equals), topK);
    }

    @Test
    void anAllZeroLayersUndefinedRatiosAreExplained() {
        DenseLayer zero = new DenseLayer("zero", "Gemm", WeightMatrix.fromRowMajor(2, 2, new double[4]), null,
                Activation.LINEAR, ElementType.FLOAT32);
        String table = weightsOnly(NetworkDescription.graph("zero.onnx", List.of(zero), List.of()),
                AnalysisOptions.builder().build()).toString();
        assertTrue(table.contains("NaN"), table);
        assertTrue(table.lines().anyMatch(TableLegend.UNDEFINED::equals), table);
    }

    @Test
    void theFooterNamesTheDataFileAndItsExamples() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < 30; i++) {
            double x = (i % 7) - 3;
            csv.append(String.format(Locale.ROOT, "%.1f,%.1f,%.1f,%.1f,%s%n", x, 0.5 * i % 3, -x, 1.0, x > 0 ? "up" : "down"));
        }
        Path file = Files.writeString(dir.resolve("points.csv"), csv);
        MutableDataset<Label> data = CsvDatasets.load(file, "label");
        DeepNetModel model = DeepNetTrainer.builder().hidden(3).steps(5).build().train(data);
        String table = InvarianceEvaluator.create().evaluate(model, data).toString();
        assertTrue(table.contains("Data: " + file.toAbsolutePath() + " (30 examples)"), table);
    }
}
