package dev.invariance.evaluation;

import dev.invariance.testsupport.DeepLinearRun;
import dev.invariance.analysis.DriftMetrics;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.network.Activation;
import dev.invariance.network.NetworkDescription;
import dev.invariance.training.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.evaluation.metrics.MetricID;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The analyzer on models trained by the project's trainer: science.md A1.1 and A4.1–A4.3. */
class InvarianceEvaluatorTest {

    private static MutableDataset<Label> e1Data() {
        return new MutableDataset<>(new SeparableDataSource(40, 10, 0.0, 0));
    }

    private static double get(InvarianceEvaluation e, MetricID<Label> id) {
        Double v = e.asMap().get(id);
        assertNotNull(v, "missing metric " + id);
        return v;
    }

    /** A1.1: scale 0.1, 2·10⁴ GD steps: loss < 1e-4, every ρ > 0.99, every alignment > 0.99, cos(w, SVM) > 0.99. */
    @Test
    void deepLinearNetworkIsRankOneAlignedAndPointsAtTheSvm() {
        MutableDataset<Label> data = DeepLinearRun.get().data();
        DeepNetModel model = DeepLinearRun.get().model(); // trained once per suite (testsupport)
        InvarianceEvaluation e = InvarianceEvaluator.create().evaluate(model, data);
        assertTrue(model.getLossCurve().getFinalLoss() < 1e-4);
        for (String layer : List.of("layer-0", "layer-1", "layer-2")) {
            assertTrue(get(e, InvarianceMetrics.layer(layer, "rank1_ratio")) > 0.99, layer);
        }
        assertTrue(get(e, InvarianceMetrics.pair("layer-0", "layer-1", "top_alignment")) > 0.99);
        assertTrue(get(e, InvarianceMetrics.pair("layer-1", "layer-2", "top_alignment")) > 0.99);
        assertTrue(get(e, InvarianceMetrics.network("svm_cosine")) > 0.99);
        assertEquals(1.0, e.getLabelEvaluation().accuracy());
        assertEquals(40.0, get(e, InvarianceMetrics.network("examples")));
    }

    private static DeepNetModel netA(MutableDataset<Label> data, List<TrainingCheckpoint> first) {
        return DeepNetTrainer.builder().hidden(20, 20, 20)
                .activations(List.of(Activation.RELU, Activation.LINEAR, Activation.LINEAR))
                .initScale(0.1).learningRate(0.2).steps(30_000).seed(2).build()
                .train(data, 30_000, c -> {
                    if (c.step() == 0) {
                        first.add(c);
                    }
                });
    }

    /** A4.1 and A4.2: the linear head is rank-1 and aligned; only the neuron-wise conservation survives the ReLU. */
    @Test
    void reluBodyWithLinearHeadKeepsRankOneOnTheHeadAndNeuronWiseConservation() {
        MutableDataset<Label> data = e1Data();
        List<TrainingCheckpoint> first = new ArrayList<>();
        DeepNetModel model = netA(data, first);
        NetworkDescription initial = first.get(0).network();
        InvarianceEvaluation e = InvarianceEvaluator.create().withInitialWeights(initial).evaluate(model, data);
        assertTrue(get(e, InvarianceMetrics.layer("layer-1", "rank1_ratio")) > 0.98);
        assertTrue(get(e, InvarianceMetrics.layer("layer-2", "rank1_ratio")) > 0.98);
        assertTrue(get(e, InvarianceMetrics.pair("layer-1", "layer-2", "top_alignment")) > 0.99);

        DataAnalysis d = e.getDataAnalysis();
        assertNotNull(d);
        DriftMetrics relu = d.drift().stream().filter(x -> x.from() == 0 && x.to() == 1).findFirst().orElseThrow();
        NetworkDescription trained = model.getNetwork();
        double maxRowNorm = 0;
        for (int j = 0; j < 20; j++) {
            double s = 0;
            for (double v : trained.layer(0).weights().getRow(j)) {
                s += v * v;
            }
            maxRowNorm = Math.max(maxRowNorm, s);
        }
        assertTrue(relu.diagonalDrift() < 0.05 * Math.max(1, maxRowNorm),
                "neuron-wise drift " + relu.diagonalDrift() + " vs scale " + maxRowNorm);
        LayerMetrics w0 = e.getReport().layers().get(0);
        double fullDrift = relu.drift() * Math.max(1, w0.frobeniusNorm() * w0.frobeniusNorm());
        assertTrue(fullDrift > 10 * relu.diagonalDrift(), "full drift " + fullDrift + " vs neuron-wise " + relu.diagonalDrift());
        assertEquals(1, d.activations().size(), "one ReLU layer reported");
        assertNull(d.margin(), "the SVM comparison applies only to linear networks");
    }

    /** A4.3: an all-ReLU network is not reported as rank-1 (at least one of four seeds has ρ(W_1) < 0.95). */
    @Test
    void allReluNetworkIsNotReportedAsRankOne() {
        MutableDataset<Label> data = e1Data();
        double lowest = 1.0;
        for (long seed = 0; seed < 4; seed++) {
            DeepNetModel model = DeepNetTrainer.builder().hidden(20, 20).activation(Activation.RELU).initScale(0.1)
                    .learningRate(0.2).steps(30_000).seed(seed).build().train(data);
            InvarianceEvaluation e = InvarianceEvaluator.create().evaluate(model);
            lowest = Math.min(lowest, get(e, InvarianceMetrics.layer("layer-1", "rank1_ratio")));
        }
        assertTrue(lowest < 0.95, "lowest full rank-1 ratio of the ReLU layer " + lowest);
    }

    @Test
    void evaluationPrintsATableAndRoundTripsThroughJson() {
        MutableDataset<Label> data = e1Data();
        DeepNetModel model = DeepNetTrainer.builder().hidden(10, 10).activation(Activation.RELU).bias(true)
                .steps(200).build().train(data);
        InvarianceEvaluation e = InvarianceEvaluator.create().evaluate(model, data);
        String table = e.toString();
        assertTrue(table.contains("layer-0") && table.contains("layer-1 -> layer-2") && table.contains("Accuracy")
                && table.contains("rank-1"), table);
        String json = e.toJson();
        InvarianceEvaluation back = EvaluationJson.read(json);
        assertEquals(e.asMap(), back.asMap());
        assertEquals(e.getReport(), back.getReport());
        assertEquals(e.getProvenance(), back.getProvenance());
        assertEquals(e.getProvenance().getModelProvenance(), model.getProvenance());
        Execution run = e.getExecution();
        assertNotNull(run, "the evaluator ran the model over the data");
        assertEquals(Execution.JAVA, run.provider());
        assertEquals(data.size(), run.examples());
        assertEquals(run, back.getExecution());
        assertTrue(table.contains("Executed in Java: " + data.size() + " examples"), table);
    }

    @Test
    void weightsOnlyEvaluationHasNoDataFigures() {
        DeepNetModel model = DeepNetTrainer.builder().hidden(4).steps(10).build().train(e1Data());
        InvarianceEvaluation e = InvarianceEvaluator.create().evaluate(model);
        assertNull(e.getDataAnalysis());
        assertNull(e.getLabelEvaluation());
        assertNull(e.getExecution(), "nothing ran");
        assertTrue(e.asMap().keySet().stream().noneMatch(id -> id.getB().equals("svm_cosine")));
        assertEquals(2, e.getReport().layers().size());
    }

    @Test
    void modelsWithoutWeightsAreRefused() {
        org.tribuo.Model<Label> other = org.tribuo.classification.baseline.DummyClassifierTrainer
                .createMostFrequentTrainer().train(e1Data());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> InvarianceEvaluator.create().evaluate(other));
        assertTrue(ex.getMessage().contains("does not expose its weights"));
    }
}
