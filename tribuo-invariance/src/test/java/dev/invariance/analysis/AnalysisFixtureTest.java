package dev.invariance.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Compares the analyzer with numpy/scipy figures from src/test/python/make_analysis_reference.py. */
class AnalysisFixtureTest {
    /** Float64 SVD-based quantities of O(1) matrices agree to a few hundred ulps: 500·ε ≈ 1.1e-13 (relative). */
    private static final double TOL = 500 * 0x1p-52;
    private static JsonNode fixture;
    private static NetworkDescription network;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = AnalysisFixtureTest.class.getResourceAsStream("/fixtures/analysis_reference.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        List<DenseLayer> layers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            layers.add(new DenseLayer("layer-" + i, "Dense", matrix(fixture.get("weights").get(i)), null,
                    Activation.LINEAR, ElementType.FLOAT64));
        }
        network = NetworkDescription.chain("fixture", layers);
    }

    static WeightMatrix matrix(JsonNode rows) {
        double[][] r = new double[rows.size()][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new double[rows.get(i).size()];
            for (int j = 0; j < r[i].length; j++) {
                r[i][j] = rows.get(i).get(j).asDouble();
            }
        }
        return WeightMatrix.fromRows(r);
    }

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, TOL * Math.max(1.0, Math.abs(expected)), what);
    }

    @Test
    void layerMetricsMatchNumpy() {
        AnalysisReport report = WeightAnalyzer.create(AnalysisOptions.builder().allSingularValues(true).build())
                .analyze(network);
        for (int i = 0; i < 3; i++) {
            JsonNode e = fixture.get("layers").get(i);
            LayerMetrics m = report.layers().get(i);
            String l = "layer " + i + " ";
            close(e.get("spectral_norm").asDouble(), m.spectralNorm(), l + "spectral norm");
            close(e.get("frobenius_norm").asDouble(), m.frobeniusNorm(), l + "Frobenius norm");
            close(e.get("rank1_ratio").asDouble(), m.rank1Ratio(), l + "rank-1 ratio");
            close(e.get("stable_rank").asDouble(), m.stableRank(), l + "stable rank");
            assertEquals(e.get("numerical_rank").asInt(), m.numericalRank(), l + "numerical rank");
            assertEquals(e.get("relative_rank_1e2").asInt(), m.relativeRank1e2(), l + "relative rank 1e-2");
            assertEquals(e.get("relative_rank_1e3").asInt(), m.relativeRank1e3(), l + "relative rank 1e-3");
            close(e.get("effective_rank").asDouble(), m.effectiveRank(), l + "effective rank");
            close(e.get("nuclear_frobenius_ratio").asDouble(), m.nuclearFrobeniusRatio(), l + "nuclear/Frobenius");
            close(e.get("second_to_first_ratio").asDouble(), m.secondToFirstRatio(), l + "sigma2/sigma1");
            close(e.get("spectral_gap").asDouble(), m.spectralGap(), l + "gap");
            JsonNode s = e.get("singular_values");
            assertEquals(s.size(), m.singularValues().size());
            for (int j = 0; j < s.size(); j++) {
                close(s.get(j).asDouble(), m.singularValues().get(j), l + "sigma_" + (j + 1));
            }
        }
    }

    @Test
    void pairMetricsMatchNumpy() {
        AnalysisReport report = WeightAnalyzer.create().analyze(network);
        assertEquals(2, report.pairs().size());
        for (int i = 0; i < 2; i++) {
            JsonNode e = fixture.get("pairs").get(i);
            PairMetrics p = report.pairs().get(i);
            String l = "pair " + i + " ";
            // vectors of random matrices with O(1) gaps: ~ε/gap, still far below 1e-12
            assertEquals(e.get("adjacent_alignment").asDouble(), p.adjacentAlignment(), 1e-12, l + "adjacent");
            close(e.get("weighted_alignment").asDouble(), p.weightedAlignment(), l + "weighted");
            assertEquals(e.get("commutator_score").asDouble(), p.commutatorScore(), 1e-12, l + "commutator");
            assertEquals(1 - e.get("commutator_score").asDouble(), p.commutatorAlignment(), 1e-12, l + "1 - c");
            close(e.get("balancedness").asDouble(), p.balancedness(), l + "balancedness");
            assertEquals(e.get("matched_rank").asInt(), p.matchedRank(), l + "k");
            assertEquals(e.get("matched_vector_score").asDouble(), p.matchedVectorScore(), 1e-12, l + "matched");
            assertEquals(e.get("subspace_score").asDouble(), p.subspaceScore(), 1e-12, l + "subspace");
        }
    }

    @Test
    void svmAndEndToEndPredictorMatchScipy() {
        JsonNode data = fixture.get("data");
        List<Double> labels = new ArrayList<>();
        data.get("labels").forEach(v -> labels.add(v.asDouble()));
        LabelledData ld = new LabelledData(matrix(data.get("inputs")), labels);
        MarginComparison c = MarginComparison.of(network, ld);
        JsonNode svm = fixture.get("svm");
        // SLSQP stops at ftol 1e-15 on ½‖u‖²; its solution is accurate to ~1e-7 relative, our dual CD to 1e-10
        for (int j = 0; j < 4; j++) {
            assertEquals(svm.get("weights").get(j).asDouble(), c.svm().weights().get(j), 1e-6, "u*_" + j);
        }
        assertEquals(svm.get("margin").asDouble(), c.svmMargin(), 1e-7, "gamma*");
        JsonNode e2e = fixture.get("end_to_end");
        for (int j = 0; j < 4; j++) {
            close(e2e.get("predictor").get(j).asDouble(), c.predictor().get(j), "w_" + j);
        }
        assertEquals(e2e.get("cosine").asDouble(), c.cosine(), 1e-7, "cosine");
        assertEquals(e2e.get("margin_ratio").asDouble(), c.marginRatio(), 1e-6, "margin ratio");
        close(e2e.get("normalised_margin").asDouble(), c.normalisedMargin(), "gamma(w)");
    }
}
