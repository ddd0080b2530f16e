package dev.invariance.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.evaluation.metrics.MetricTarget;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Typed metric identifiers, the one table of keys, and lookups by name on the report. */
class InvarianceMetricsTest {
    /**
     * W_0 = diag(3, 4): σ = (4, 3), ρ = 4/5, top left singular vector e₂. W_1 = [0 2]: rank one, top right singular
     * vector e₂, so the pair's top alignment is |e₂ᵀe₂| = 1.
     */
    private static AnalysisReport handBuilt() {
        DenseLayer w0 = new DenseLayer("layer-0", "Dense", WeightMatrix.fromRowMajor(2, 2, new double[] {3, 0, 0, 4}),
                null, Activation.LINEAR, ElementType.FLOAT64);
        DenseLayer w1 = new DenseLayer("layer-1", "Dense", WeightMatrix.fromRowMajor(1, 2, new double[] {0, 2}),
                null, Activation.LINEAR, ElementType.FLOAT64);
        return WeightAnalyzer.create().analyze(NetworkDescription.chain("hand-built", List.of(w0, w1)));
    }

    @Test
    void reportLooksUpLayersAndPairsByName() {
        AnalysisReport report = handBuilt();
        assertEquals(0.8, report.layer("layer-0").rank1Ratio(), 4 * Math.ulp(0.8));
        assertEquals(1.0, report.layer("layer-1").rank1Ratio(), 4 * Math.ulp(1.0));
        assertEquals(1.0, report.pair("layer-0", "layer-1").adjacentAlignment(), 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> report.layer("layer-2"));
        assertTrue(e.getMessage().contains("[layer-0, layer-1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> report.pair("layer-1", "layer-0"));
    }

    @Test
    void typedIdentifiersAreTheTribuoMetricIdsOfTheContract() {
        assertEquals(new MetricID<>(new MetricTarget<>(new Label("layer-1")), "rank1_ratio"),
                InvarianceMetrics.RANK1_RATIO.forLayer("layer-1"));
        assertEquals(new MetricID<>(new MetricTarget<>(new Label("layer-0 -> layer-1")), "top_alignment"),
                InvarianceMetrics.TOP_ALIGNMENT.forPair("layer-0", "layer-1"));
        assertEquals(new MetricID<>(new MetricTarget<>(new Label("network")), "svm_cosine"),
                InvarianceMetrics.SVM_COSINE.forNetwork());
        assertEquals(new MetricID<>(new MetricTarget<>(new Label("layer-1")), "stable_rank1_ratio"),
                InvarianceMetrics.RANK1_RATIO.forStableLayer("layer-1"));
        assertEquals(InvarianceMetrics.RANK1_RATIO.forLayer("layer-1"), InvarianceMetrics.layer("layer-1", "rank1_ratio"));
    }

    @Test
    void theMetricMapHoldsTheFiguresUnderTheirTypedIds() {
        Map<MetricID<Label>, Double> m = InvarianceMetrics.of(handBuilt(), null);
        assertEquals(0.8, m.get(InvarianceMetrics.RANK1_RATIO.forLayer("layer-0")), 4 * Math.ulp(0.8));
        assertEquals(4.0, m.get(InvarianceMetrics.SPECTRAL_NORM.forLayer("layer-0")), 4 * Math.ulp(4.0));
        assertEquals(5.0, m.get(InvarianceMetrics.FROBENIUS_NORM.forLayer("layer-0")), 4 * Math.ulp(5.0));
        assertEquals(2.0, m.get(InvarianceMetrics.NUMERICAL_RANK.forLayer("layer-0")));
        assertEquals(1.0, m.get(InvarianceMetrics.TOP_ALIGNMENT.forPair("layer-0", "layer-1")), 1e-15);
        assertEquals(2 * 11 + 4, m.size(), "11 figures per layer, 4 per pair");
    }

    @Test
    void misspeltOrMisplacedNamesFailInsteadOfGivingNull() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InvarianceMetrics.layer("layer-1", "rank1_raito"));
        assertTrue(e.getMessage().contains("rank1_ratio"), "lists the known names: " + e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InvarianceMetrics.pair("a", "b", "rank1_ratio"));
        assertThrows(IllegalArgumentException.class, () -> InvarianceMetrics.TOP_ALIGNMENT.forLayer("layer-0"));
        assertThrows(IllegalArgumentException.class, () -> InvarianceMetrics.EXAMPLES.forStableLayer("layer-0"));
        assertThrows(IllegalArgumentException.class, () -> InvarianceMetrics.fromKey("rank_1_ratio"));
        assertEquals(InvarianceMetrics.RELATIVE_RANK_1E2, InvarianceMetrics.fromKey("relative_rank_1e-2"));
    }

    @Test
    void keysAreUnique() {
        List<String> keys = Arrays.stream(InvarianceMetrics.values()).map(InvarianceMetrics::getKey).toList();
        assertEquals(keys.size(), new HashSet<>(keys).size(), keys.toString());
    }

    @Test
    void jsonLayerAndPairObjectsKeepTheContractsKeysInOrder() throws Exception {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(30, 4, 0.0, 1));
        DeepNetModel model = DeepNetTrainer.builder().hidden(4, 4).activation(Activation.RELU).steps(20).build().train(data);
        JsonNode root = new ObjectMapper().readTree(InvarianceEvaluator.create().evaluate(model, data).toJson());
        assertEquals(List.of("name", "op", "node", "module", "gate", "quantization", "folded", "shape", "element_type",
                "spectral_norm", "frobenius_norm", "stable_rank", "rank1_ratio", "effective_rank", "numerical_rank",
                "numerical_rank_eps", "relative_rank_1e-2", "relative_rank_1e-3",
                "nuclear_frobenius_ratio", "sigma2_over_sigma1", "spectral_gap", "complete_spectrum", "singular_values"),
                fieldNames(root.path("layers").get(0)));
        assertEquals(List.of("from", "to", "from_index", "to_index", "ops", "via_residual", "top_alignment",
                "weighted_alignment", "commutator_score", "commutator_alignment", "balancedness", "matched_rank",
                "matched_vector_score", "matched_is_permutation", "subspace_score"),
                fieldNames(root.path("alignment").get(0)));
        assertTrue(root.path("layers").get(0).path("numerical_rank").isIntegralNumber());
        assertTrue(root.path("alignment").get(0).path("matched_is_permutation").isBoolean());
        assertEquals(List.of("layer", "stably_active", "stably_dead", "unstable", "tied_units"),
                fieldNames(root.path("activations").get(0)));
        assertFalse(root.path("data").has("activations"), "activation counts are written once, in activations");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
