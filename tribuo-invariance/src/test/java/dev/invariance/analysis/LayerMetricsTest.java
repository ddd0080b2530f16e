package dev.invariance.analysis;

import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerMetricsTest {
    /** 200 ulps of the largest singular value: the backward error of a dense SVD of these small matrices. */
    private static final double TOL = 200 * 0x1p-52 * 4.0;

    private static LayerMetrics metrics(WeightMatrix w, ElementType type) {
        return WeightAnalyzer.create().analyzeLayer(new DenseLayer("w", "Dense", w, null, Activation.LINEAR, type));
    }

    @Test
    void knownSpectrumGivesClosedFormMetrics() {
        // W = U diag(4, 2, 1, 0) Vᵀ, 5 × 4: rank 3
        WeightMatrix w = Matrices.compose(Matrices.rotation(5, 0.7), new double[] {4, 2, 1, 0}, Matrices.rotation(4, -0.2));
        LayerMetrics m = metrics(w, ElementType.FLOAT64);
        assertEquals(4.0, m.spectralNorm(), TOL);
        assertEquals(Math.sqrt(21), m.frobeniusNorm(), TOL);
        assertEquals(4 / Math.sqrt(21), m.rank1Ratio(), TOL);
        assertEquals(21.0 / 16.0, m.stableRank(), TOL);
        assertEquals(3, m.numericalRank());
        assertEquals(3, m.relativeRank1e2());
        double h = -(4 / 7.0 * Math.log(4 / 7.0) + 2 / 7.0 * Math.log(2 / 7.0) + 1 / 7.0 * Math.log(1 / 7.0));
        assertEquals(Math.exp(h), m.effectiveRank(), TOL);
        assertEquals(7 / Math.sqrt(21), m.nuclearFrobeniusRatio(), TOL);
        assertEquals(0.5, m.secondToFirstRatio(), TOL);
        assertEquals(2.0, m.spectralGap(), TOL);
        assertEquals(java.util.List.of(5, 4), m.shape());
        assertEquals(4, m.singularValues().size());
    }

    @Test
    void relativeRanksCountValuesAboveTheirThresholds() {
        // σ = (1, 5e-3, 5e-4): above 1e-2·σ₁ only σ₁; above 1e-3·σ₁ two of them
        WeightMatrix w = Matrices.compose(Matrices.rotation(3, 0.1), new double[] {1, 5e-3, 5e-4}, Matrices.rotation(3, 0.9));
        LayerMetrics m = metrics(w, ElementType.FLOAT64);
        assertEquals(1, m.relativeRank1e2());
        assertEquals(2, m.relativeRank1e3());
        assertEquals(3, m.numericalRank());
    }

    @Test
    void float32ElementTypeRaisesTheMachineTolerance() {
        // σ₂ = 1e-9: above 3·2.2e-16 but below 3·1.19e-7
        WeightMatrix w = Matrices.compose(Matrices.rotation(3, 0.4), new double[] {1, 1e-9}, Matrices.rotation(2, 1.3));
        assertEquals(2, metrics(w, ElementType.FLOAT64).numericalRank());
        assertEquals(1, metrics(w, ElementType.FLOAT32).numericalRank());
    }

    @Test
    void zeroMatrixGivesNaNRatiosAndRankZero() {
        LayerMetrics m = metrics(WeightMatrix.zeros(3, 4), ElementType.FLOAT64);
        assertEquals(0.0, m.spectralNorm());
        assertEquals(0.0, m.frobeniusNorm());
        assertTrue(Double.isNaN(m.rank1Ratio()));
        assertTrue(Double.isNaN(m.stableRank()));
        assertTrue(Double.isNaN(m.effectiveRank()));
        assertTrue(Double.isNaN(m.nuclearFrobeniusRatio()));
        assertTrue(Double.isNaN(m.secondToFirstRatio()));
        assertEquals(0, m.numericalRank());
        assertEquals(0, m.relativeRank1e2());
    }

    @Test
    void rowVectorIsExactlyRankOne() {
        LayerMetrics m = metrics(WeightMatrix.fromRows(new double[] {3, 0, 4}), ElementType.FLOAT64);
        assertEquals(5.0, m.spectralNorm(), 1e-15);
        assertEquals(1.0, m.rank1Ratio(), 1e-15);
        assertEquals(1.0, m.effectiveRank(), 1e-15);
        assertEquals(0.0, m.secondToFirstRatio());
        assertEquals(5.0, m.spectralGap(), 1e-15);
        assertEquals(1, m.numericalRank());
    }

    @Test
    void emptyMatrixGivesNaNWithoutException() {
        LayerMetrics m = metrics(WeightMatrix.zeros(0, 4), ElementType.FLOAT64);
        assertEquals(0, m.numericalRank());
        assertTrue(Double.isNaN(m.rank1Ratio()));
        assertEquals(0, m.singularValues().size());
    }

    @Test
    void largeLayersUseTheFastPathWithTheSameFigures() {
        WeightMatrix w = Matrices.gaussian(80, 70, 9);
        LayerMetrics dense = metrics(w, ElementType.FLOAT64);
        LayerMetrics fast = WeightAnalyzer.create(AnalysisOptions.builder().fastTopKThreshold(16).build())
                .analyzeLayer(new DenseLayer("w", "Dense", w, null, Activation.LINEAR, ElementType.FLOAT64));
        assertEquals(dense.spectralNorm(), fast.spectralNorm(), 1e-12);
        assertEquals(dense.effectiveRank(), fast.effectiveRank(), 1e-12);
    }
}
