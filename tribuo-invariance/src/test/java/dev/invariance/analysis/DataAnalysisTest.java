package dev.invariance.analysis;

import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import dev.invariance.training.TrainingCheckpoint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataAnalysisTest {
    private static DenseLayer linear(String name, double[]... rows) {
        return new DenseLayer(name, "Dense", WeightMatrix.fromRows(rows), null, Activation.LINEAR, ElementType.FLOAT64);
    }

    @Test
    void svmFindsTheAnalyticMaxMarginDirectionIn2d() {
        // x1 = (1, 0) y = +1, x2 = (0, 1) y = −1, x3 = (3, 0.5) y = +1 (not a support vector):
        // u* = (1, −1), ‖u*‖ = √2, γ* = 1/√2
        LabelledData data = new LabelledData(WeightMatrix.fromRows(new double[] {1, 0}, new double[] {0, 1},
                new double[] {3, 0.5}), List.of(1.0, -1.0, 1.0));
        SvmSolution s = HardMarginSvm.create().fit(data);
        assertEquals(1.0, s.weights().get(0), 1e-9);
        assertEquals(-1.0, s.weights().get(1), 1e-9);
        assertEquals(1 / Math.sqrt(2), s.margin(), 1e-9);
        assertEquals(2, s.supportVectors());
    }

    @Test
    void nonSeparableDataGiveANoteAndTheNetworksOwnMargin() {
        LabelledData data = new LabelledData(WeightMatrix.fromRows(new double[] {1, 0}, new double[] {1, 0}),
                List.of(1.0, -1.0));
        MarginComparison c = MarginComparison.of(NetworkDescription.chain("one", List.of(linear("l0",
                new double[] {2, 0}))), data);
        assertEquals(SvmStatus.NOT_SEPARABLE, c.svm().status());
        assertTrue(Double.isNaN(c.cosine()) && Double.isNaN(c.marginRatio()) && Double.isNaN(c.svmMargin()));
        assertEquals(-1.0, c.normalisedMargin(), 1e-15); // w = (2, 0): min(1·2, −1·2)/2
        assertTrue(c.note().startsWith("the data are not linearly separable"), c.note());
    }

    @Test
    void residualSkipTurnsALayerIntoWPlusIdentity() {
        // P = W1 (W0 + I) with W0 = [[1, 2], [0, 3]], W1 = [[1, -1]]: W0 + I = [[2, 2], [0, 4]], P = [[2, -2]]
        NetworkDescription net = NetworkDescription.residualChain("skip",
                List.of(linear("l0", new double[] {1, 2}, new double[] {0, 3}), linear("l1", new double[] {1, -1})),
                List.of(true, false));
        WeightMatrix p = EndToEndPredictor.endToEndMatrix(net);
        assertEquals(WeightMatrix.fromRows(new double[] {2, -2}), p);
    }

    @Test
    void predictorAlignedWithTheSvmHasCosineAndMarginRatioOne() {
        // w = P^T = (2, -2) is parallel to u* = (1, -1)
        NetworkDescription net = NetworkDescription.residualChain("skip",
                List.of(linear("l0", new double[] {1, 2}, new double[] {0, 3}), linear("l1", new double[] {1, -1})),
                List.of(true, false));
        LabelledData data = new LabelledData(WeightMatrix.fromRows(new double[] {1, 0}, new double[] {0, 1},
                new double[] {3, 0.5}), List.of(1.0, -1.0, 1.0));
        MarginComparison c = MarginComparison.of(net, data);
        assertEquals(1.0, c.cosine(), 1e-9);
        assertEquals(1.0, c.marginRatio(), 1e-9);
    }

    private static NetworkDescription reluNet() {
        // h0 = W0 x: unit 0 = x_0, unit 1 = x_1, unit 2 = −x_0; ReLU; then a linear head
        DenseLayer l0 = new DenseLayer("l0", "Dense", WeightMatrix.fromRows(new double[] {1, 0}, new double[] {0, 1},
                new double[] {-1, 0}), null, Activation.RELU, ElementType.FLOAT64);
        return NetworkDescription.chain("relu", List.of(l0, linear("l1", new double[] {1, 2, 3})));
    }

    private static final WeightMatrix INPUTS = WeightMatrix.fromRows(new double[] {1, 2}, new double[] {2, -1},
            new double[] {0.5, 0});

    @Test
    void activationPatternSeparatesStablyActiveDeadAndUnstableUnitsAndCountsTies() {
        List<LayerActivation> acts = ActivationPatterns.of(reluNet(), INPUTS);
        LayerActivation a = acts.get(0);
        assertEquals(List.of(0), a.stablyActive());
        assertEquals(List.of(2), a.stablyDead());
        assertEquals(1, a.unstableCount());
        assertEquals(1, a.tiedUnitCount()); // unit 1 has h = 0 on the third example
        assertEquals(1, a.tieCount());
        assertEquals(List.of(0), acts.get(1).stablyActive()); // the linear head is fully stable
    }

    @Test
    void stableSubmatricesRestrictRowsToSAndColumnsToThePreviousS() {
        StableSubmatrixMetrics s = WeightAnalyzer.create().analyzeStableSubmatrices(reluNet(), INPUTS);
        StableSubmatrixMetrics.StableLayer first = s.layers().get(0);
        assertEquals(List.of(0), first.rows());
        assertEquals(List.of(0, 1), first.columns());
        assertNotNull(first.metrics());
        assertEquals(1.0, first.metrics().spectralNorm(), 1e-15); // W0[{0}, :] = [1, 0]
        assertEquals(List.of(1, 1), s.pairs().get(0).metrics() == null ? null
                : List.of(s.pairs().get(0).metrics().matchedRank(), 1));
        // the head restricted to S_0 = {0} is [[1]], aligned with [1, 0]ᵀ's left vector
        assertEquals(1.0, s.pairs().get(0).metrics().adjacentAlignment(), 1e-15);
    }

    @Test
    void emptyStableSetIsNotApplicableRatherThanACrash() {
        // all inputs negative in the first coordinate and zero in the second: no unit is active on all examples
        WeightMatrix inputs = WeightMatrix.fromRows(new double[] {-1, 1}, new double[] {1, -1});
        StableSubmatrixMetrics s = WeightAnalyzer.create().analyzeStableSubmatrices(reluNet(), inputs);
        assertTrue(s.activations().get(0).stablyActive().isEmpty());
        assertNull(s.layers().get(0).metrics());
        assertNull(s.pairs().get(0).metrics());
    }

    @Test
    void driftUsesTheBiasAugmentedIncomingWeights() {
        // D = W1ᵀW1 − [W0 | b0][W0 | b0]ᵀ: at t = 0, 9 − (4 + 1) = 4; at t, 9 − (1 + 1) = 7
        NetworkDescription t0 = NetworkDescription.chain("t0", List.of(
                new DenseLayer("l0", "Dense", WeightMatrix.fromRows(new double[] {2}), BiasVector.of(1.0),
                        Activation.LINEAR, ElementType.FLOAT64), linear("l1", new double[] {3})));
        NetworkDescription t1 = NetworkDescription.chain("t1", List.of(
                new DenseLayer("l0", "Dense", WeightMatrix.fromRows(new double[] {1}), BiasVector.of(1.0),
                        Activation.LINEAR, ElementType.FLOAT64), linear("l1", new double[] {3})));
        DriftMetrics d = ConservationDrift.between(t0, t1, WeightMatrix.fromRows(new double[] {1})).get(0);
        assertEquals(7.0, d.balance(), 1e-15);
        assertEquals(3.0, d.drift(), 1e-15);          // |7 − 4| / max(1, ‖W0‖_F² = 1)
        assertEquals(3.0, d.diagonalDrift(), 1e-15);
        assertEquals(3.0, d.stableDrift(), 1e-15);    // a linear layer is fully stable
        assertEquals(1, d.stableSize());
    }

    @Test
    void metricsTraceRecordsATimeSeriesWithDriftFromTheFirstCheckpoint() {
        NetworkDescription a = NetworkDescription.chain("a", List.of(linear("l0", new double[] {2}), linear("l1", new double[] {3})));
        NetworkDescription b = NetworkDescription.chain("b", List.of(linear("l0", new double[] {1}), linear("l1", new double[] {3})));
        MetricsTrace trace = MetricsTrace.create();
        trace.onCheckpoint(new TrainingCheckpoint(0, 0.7, Math.log(0.7), a));
        trace.onCheckpoint(new TrainingCheckpoint(10, 0.5, Math.log(0.5), b));
        List<TraceEntry> e = trace.getEntries();
        assertEquals(2, e.size());
        assertEquals(10, e.get(1).step());
        assertEquals(0.0, e.get(0).drift().get(0).drift());
        assertEquals(3.0, e.get(1).drift().get(0).drift(), 1e-15); // D: 9 − 4 = 5 → 9 − 1 = 8
        assertEquals(1.0, e.get(1).layers().get(0).spectralNorm(), 1e-15);
        assertEquals(1.0, e.get(1).pairs().get(0).adjacentAlignment(), 1e-15);
    }
}
