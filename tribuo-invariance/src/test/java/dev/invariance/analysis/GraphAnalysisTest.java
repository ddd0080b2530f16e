package dev.invariance.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.network.Activation;
import dev.invariance.network.DataFlowEdge;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analyzer on a data-flow graph (parallel consumers of one layer, a Slice, a 3×3 and a pointwise convolution, a
 * layer inside an If branch) against numpy's float64 figures from src/test/python/make_graph_reference.py.
 */
class GraphAnalysisTest {
    /**
     * Float32 weights, singular values from single-precision LAPACK: |σ̂ − σ| ≲ p(m, n)·ε₃₂·σ₁ ≈ 1e-5·σ₁ for these
     * sizes; pair scores come from double-precision products and dense double SVDs, so 1e-9 relative.
     */
    private static final double SIGMA_TOL = 1e-5;
    private static final double PAIR_TOL = 1e-9;
    private static JsonNode fixture;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = GraphAnalysisTest.class.getResourceAsStream("/fixtures/graph_reference.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
    }

    private static void close(double expected, double actual, double rel, String what) {
        assertEquals(expected, actual, rel * Math.max(1.0, Math.abs(expected)), what);
    }

    @Test
    void layerFiguresMatchNumpyInFullMode() {
        AnalysisReport r = WeightAnalyzer.create().analyze(GraphFixture.network());
        assertEquals(SpectrumMode.FULL, r.spectrum());
        for (int i = 0; i < GraphFixture.NAMES.length; i++) {
            JsonNode e = fixture.get("layers").get(i);
            LayerMetrics l = r.layers().get(i);
            double s1 = e.get("spectral_norm").asDouble();
            assertEquals(e.get("name").asText(), l.name());
            close(s1, l.spectralNorm(), SIGMA_TOL, l.name() + " spectral");
            close(e.get("frobenius_norm").asDouble(), l.frobeniusNorm(), 1e-12, l.name() + " frobenius");
            close(e.get("stable_rank").asDouble(), l.stableRank(), 2 * SIGMA_TOL, l.name() + " stable rank");
            close(e.get("rank1_ratio").asDouble(), l.rank1Ratio(), SIGMA_TOL, l.name() + " rank-1 ratio");
            close(e.get("effective_rank").asDouble(), l.effectiveRank(), 1e-4, l.name() + " effective rank");
            close(e.get("sigma2_over_sigma1").asDouble(), l.secondToFirstRatio(), SIGMA_TOL, l.name() + " s2/s1");
            assertEquals(e.get("numerical_rank").asInt(), l.numericalRank(), l.name() + " numerical rank");
            for (int j = 0; j < l.singularValues().size(); j++) {
                assertEquals(e.get("singular_values").get(j).asDouble(), l.singularValues().get(j), SIGMA_TOL * s1,
                        l.name() + " sigma_" + (j + 1));
            }
        }
        assertEquals("If_0/then_branch", r.layers().get(5).subgraph());
        assertEquals(List.of(3, 3), r.layers().get(4).convolution().kernelShape());
        assertNull(r.layers().get(0).convolution());
    }

    @Test
    void pairMetricsOnTheEdgesInOneSpaceMatchNumpy() {
        AnalysisReport r = WeightAnalyzer.create().analyze(GraphFixture.network());
        assertEquals(5, r.edges().size());
        assertEquals(3, r.pairs().size());
        for (JsonNode e : fixture.get("pairs")) {
            int p = e.get("producer").asInt();
            int c = e.get("consumer").asInt();
            EdgeReport edge = r.edges().stream().filter(x -> x.producer() == p && x.consumer() == c).findFirst()
                    .orElseThrow();
            PairMetrics m = edge.metrics();
            assertNotNull(m, edge.reason());
            String what = edge.producerName() + " -> " + edge.consumerName();
            assertEquals(GraphFixture.NAMES[p], m.producerName());
            assertEquals(GraphFixture.NAMES[c], m.consumerName());
            close(e.get("top_alignment").asDouble(), m.adjacentAlignment(), PAIR_TOL, what + " top alignment");
            close(e.get("weighted_alignment").asDouble(), m.weightedAlignment(), PAIR_TOL, what + " weighted");
            close(e.get("commutator_score").asDouble(), m.commutatorScore(), PAIR_TOL, what + " commutator");
            close(e.get("balancedness").asDouble(), m.balancedness(), PAIR_TOL, what + " balancedness");
        }
        EdgeReport residual = r.edges().get(4);
        assertTrue(residual.viaResidual());
        assertEquals(List.of("Relu", "Add"), residual.ops());
    }

    @Test
    void edgesBetweenDifferentSpacesSayWhyInOneLine() {
        AnalysisReport r = WeightAnalyzer.create().analyze(GraphFixture.network());
        EdgeReport slice = r.edges().get(2);
        assertNull(slice.metrics());
        assertEquals("d_out(narrow)=50 but d_in(sliced)=30 (through Slice)", slice.reason());
        EdgeReport conv = r.edges().get(3);
        assertNull(conv.metrics());
        assertEquals("columns of conv3x3 (3x3 convolution) are input patches, not the output units of narrow",
                conv.reason());
        assertTrue(r.edges().stream().map(EdgeReport::reason).filter(s -> s != null).noneMatch(s -> s.contains("\n")));
    }

    @Test
    void groupedAndDirectEdgesAreExplained() {
        DenseLayer a = new DenseLayer("a", "Gemm", GraphFixture.matrix(6, 4, 1), null, Activation.LINEAR,
                ElementType.FLOAT32);
        DenseLayer grouped = new DenseLayer("g", "Conv", GraphFixture.matrix(6, 3, 2), null, Activation.LINEAR,
                ElementType.FLOAT32, new dev.invariance.network.Convolution(2, List.of(1), false), "");
        DenseLayer b = new DenseLayer("b", "Gemm", GraphFixture.matrix(2, 5, 3), null, Activation.LINEAR,
                ElementType.FLOAT32);
        NetworkDescription n = NetworkDescription.graph("g", List.of(a, grouped, b),
                List.of(DataFlowEdge.direct(0, 1), DataFlowEdge.direct(0, 2)));
        AnalysisReport r = WeightAnalyzer.create().analyze(n);
        assertEquals("columns of g (1 convolution, groups=2) cover one group's input channels, not all output units of a",
                r.edges().get(0).reason());
        assertEquals("d_out(a)=6 but d_in(b)=5 (direct)", r.edges().get(1).reason());
        assertTrue(r.pairs().isEmpty());
    }

    @Test
    void topKModeKeepsTheLeadingFiguresAndLeavesTheRestUnknown() {
        AnalysisReport full = WeightAnalyzer.create().analyze(GraphFixture.network());
        AnalysisReport top = WeightAnalyzer.create(AnalysisOptions.builder().spectrum(SpectrumMode.TOP_K).build())
                .analyze(GraphFixture.network());
        assertEquals(SpectrumMode.TOP_K, top.spectrum());
        for (int i = 0; i < GraphFixture.NAMES.length; i++) {
            JsonNode e = fixture.get("layers").get(i);
            LayerMetrics l = top.layers().get(i);
            close(e.get("spectral_norm").asDouble(), l.spectralNorm(), SIGMA_TOL, l.name() + " spectral");
            close(e.get("frobenius_norm").asDouble(), l.frobeniusNorm(), 1e-12, l.name() + " frobenius");
            close(e.get("stable_rank").asDouble(), l.stableRank(), 2 * SIGMA_TOL, l.name() + " stable rank");
            close(e.get("sigma2_over_sigma1").asDouble(), l.secondToFirstRatio(), SIGMA_TOL, l.name() + " s2/s1");
            int r = Math.min(l.shape().get(0), l.shape().get(1));
            assertEquals(Math.min(r, 10), l.singularValues().size(), l.name() + " values listed");
            boolean complete = r <= 10;
            if (complete) {
                close(e.get("effective_rank").asDouble(), l.effectiveRank(), 1e-4, l.name() + " effective rank");
                assertEquals(e.get("numerical_rank").asInt(), l.numericalRank(), l.name());
            } else {
                assertNull(l.effectiveRank(), l.name());
                assertNull(l.nuclearFrobeniusRatio(), l.name());
                assertNull(l.numericalRank(), l.name());
                assertFalse(l.isSpectrumComplete(), l.name());
            }
        }
        for (int j = 0; j < full.pairs().size(); j++) {
            PairMetrics f = full.pairs().get(j);
            PairMetrics t = top.pairs().get(j);
            close(f.adjacentAlignment(), t.adjacentAlignment(), 1e-9, f.producerName() + " top alignment");
            assertTrue(t.weightedAlignment() == null && t.commutatorScore() == null && t.commutatorAlignment() == null
                    && t.balancedness() == null, t.toString());
        }
    }

    /**
     * An aligned pair on the low-rank path (d = 700 > n + m): W_from = Q D_f and W_to = D_t Qᵀ with a dense
     * orthogonal Q (a product of Givens rotations), so A = Q D_f D_fᵀ Qᵀ and B = Q D_tᵀ D_t Qᵀ commute exactly;
     * AB and BA have entries of order ‖A‖‖B‖ and must cancel entry by entry, leaving c at rounding level.
     */
    @Test
    void alignedPairStaysAtRoundingLevelOnTheLowRankPath() {
        int d = 700;
        int n = 20;
        int m = 30;
        double[] q = new double[d * d];
        for (int i = 0; i < d; i++) {
            q[i * d + i] = 1;
        }
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int sweep = 0; sweep < 3 * d; sweep++) {
            int i = rng.nextInt(d);
            int j = rng.nextInt(d);
            if (i == j) {
                continue;
            }
            double t = rng.nextDouble(0, 2 * Math.PI);
            double c = Math.cos(t);
            double s = Math.sin(t);
            for (int k = 0; k < d; k++) {
                double x = q[k * d + i];
                double y = q[k * d + j];
                q[k * d + i] = c * x - s * y;
                q[k * d + j] = s * x + c * y;
            }
        }
        double[] f = new double[d * n];
        for (int i = 0; i < d; i++) {
            for (int k = 0; k < n; k++) {
                f[i * n + k] = q[i * d + k] * (n - k); // Q[:, :n] diag(n..1)
            }
        }
        double[] t = new double[m * d];
        for (int k = 0; k < m; k++) {
            for (int j = 0; j < d; j++) {
                t[k * d + j] = (k + 1) * q[j * d + k]; // diag(1..m) Q[:, :m]ᵀ
            }
        }
        WeightMatrix wf = WeightMatrix.fromRowMajor(d, n, f);
        WeightMatrix wt = WeightMatrix.fromRowMajor(m, d, t);
        assertTrue(!FullMatrixScores.useGramPath(wf, wt));
        DenseLayer from = new DenseLayer("from", "MatMul", wf, null, Activation.LINEAR, ElementType.FLOAT64);
        DenseLayer to = new DenseLayer("to", "MatMul", wt, null, Activation.LINEAR, ElementType.FLOAT64);
        PairMetrics p = WeightAnalyzer.create().analyzePair(from, to);
        assertTrue(p.commutatorScore() < 1e-14, "c = " + p.commutatorScore());
        // Gram path of the same pair, for comparison: both exact, both at rounding level.
        assertTrue(ReferencePairScores.commutator(wf, wt) < 1e-14);
        // balancedness: B − A = Q (D_tᵀD_t − D_fD_fᵀ) Qᵀ, Frobenius norm √Σ_k (t_k² − f_k²)² over k < max(n, m)
        double expected = 0;
        for (int k = 0; k < m; k++) {
            double fk = k < n ? (n - k) : 0;
            double tk = k + 1;
            expected += (tk * tk - fk * fk) * (tk * tk - fk * fk);
        }
        assertEquals(Math.sqrt(expected), p.balancedness(), 1e-10 * Math.sqrt(expected));
    }

    /** A balanced pair on the low-rank path: W_to = W_fromᵀ gives B = A, so ‖B − A‖_F and c vanish up to rounding. */
    @Test
    void balancedPairIsRecomputedExactlyOnTheLowRankPath() {
        WeightMatrix wf = GraphFixture.matrix(900, 20, 7);
        WeightMatrix wt = wf.transpose();
        assertTrue(!FullMatrixScores.useGramPath(wf, wt));
        PairMetrics p = WeightAnalyzer.create().analyzePair(
                new DenseLayer("f", "MatMul", wf, null, Activation.LINEAR, ElementType.FLOAT32),
                new DenseLayer("t", "MatMul", wt, null, Activation.LINEAR, ElementType.FLOAT32));
        double normA = MatrixOpsAccess.gramNorm(wf);
        assertTrue(p.balancedness() < 1e-13 * normA, "balancedness " + p.balancedness() + " vs ||A|| " + normA);
        assertTrue(p.commutatorScore() < 1e-14, "c = " + p.commutatorScore());
        assertEquals(1.0, p.weightedAlignment(), 1e-12);
    }

    /**
     * Weighted alignment when the m × n product is too large to form (m·n > d², m·n·d > 2³⁰): through Cholesky factors
     * of A and B, against σ₁ of the explicitly formed product.
     */
    @Test
    void weightedAlignmentThroughCholeskyFactorsMatchesTheFormedProduct() {
        WeightMatrix wf = GraphFixture.matrix(400, 1700, 21);
        WeightMatrix wt = GraphFixture.matrix(1700, 400, 22);
        DenseLayer from = new DenseLayer("f", "MatMul", wf, null, Activation.LINEAR, ElementType.FLOAT64);
        DenseLayer to = new DenseLayer("t", "MatMul", wt, null, Activation.LINEAR, ElementType.FLOAT64);
        PairMetrics p = WeightAnalyzer.create().analyzePair(from, to);
        double product = dev.invariance.linalg.DenseSvd.singularValues(dev.invariance.linalg.internal.MatrixOps.multiply(wt, wf))
                .singularValue(0);
        double expected = product / (dev.invariance.linalg.DenseSvd.singularValues(wf).singularValue(0)
                * dev.invariance.linalg.DenseSvd.singularValues(wt).singularValue(0));
        assertEquals(expected, p.weightedAlignment(), 1e-10 * expected);
    }

    /** ‖W Wᵀ‖_F of a small test matrix, summed directly. */
    private static final class MatrixOpsAccess {
        static double gramNorm(WeightMatrix w) {
            return dev.invariance.linalg.internal.MatrixOps.frobenius(dev.invariance.linalg.internal.MatrixOps.multiply(w, false, w, true));
        }
    }
}
