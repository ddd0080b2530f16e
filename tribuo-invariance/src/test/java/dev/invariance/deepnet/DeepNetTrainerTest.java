package dev.invariance.deepnet;

import dev.invariance.testsupport.DeepLinearRun;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.network.Activation;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.training.Initialization;
import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.Precision;
import dev.invariance.training.StepSchedule;
import dev.invariance.training.StopReason;
import dev.invariance.training.TrainingCheckpoint;
import dev.invariance.training.TrainingDivergedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeepNetTrainerTest {

    static MutableDataset<Label> separable(int n, int d, long seed) {
        return new MutableDataset<>(new SeparableDataSource(n, d, 0.0, seed));
    }

    /** k classes through the origin: the label is argmax_c w_cᵀx, keeping points whose top two scores differ by 0.5. */
    static MutableDataset<Label> separableMultiClass(int n, int d, int k, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] teacher = new double[k][d];
        for (double[] row : teacher) {
            for (int j = 0; j < d; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        String[] names = SeparableDataSource.featureNames(d);
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("multi-class teacher", new LabelFactory()),
                new LabelFactory());
        while (data.size() < n) {
            double[] x = new double[d];
            for (int j = 0; j < d; j++) {
                x[j] = rng.nextGaussian();
            }
            int best = 0;
            double first = Double.NEGATIVE_INFINITY;
            double second = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += teacher[c][j] * x[j];
                }
                if (s > first) {
                    second = first;
                    first = s;
                    best = c;
                } else if (s > second) {
                    second = s;
                }
            }
            if (first - second > 0.5) {
                data.add(new ArrayExample<>(new Label("class-" + best), names, x));
            }
        }
        return data;
    }

    static double trainingAccuracy(DeepNetModel model, Dataset<Label> data) {
        LabelEvaluation eval = new LabelEvaluator().evaluate(model, data);
        return eval.accuracy();
    }

    @Test
    void twoClassLinearNetworkReachesZeroTrainingError() {
        MutableDataset<Label> data = separable(40, 10, 3);
        DeepNetModel model = DeepNetTrainer.builder().hidden(10, 10).initScale(0.1).learningRate(0.5).steps(2000)
                .build().train(data);
        assertEquals(1.0, trainingAccuracy(model, data));
        assertEquals(1, model.getNetwork().layer(2).outputWidth(), "two classes use one output unit");
        Prediction<Label> p = model.predict(data.getExample(0));
        double total = p.getOutputScores().values().stream().mapToDouble(Label::getScore).sum();
        assertEquals(1.0, total, 1e-12, "class probabilities sum to one");
    }

    @Test
    void multiClassReluNetworkReachesZeroTrainingError() {
        MutableDataset<Label> data = separableMultiClass(60, 5, 3, 11);
        DeepNetModel model = DeepNetTrainer.builder().hidden(16, 16).activation(Activation.RELU).bias(true)
                .learningRate(0.2).steps(3000).seed(5).build().train(data);
        assertEquals(1.0, trainingAccuracy(model, data));
        assertEquals(3, model.getNetwork().layer(2).outputWidth(), "k classes use k outputs");
    }

    @Test
    void minibatchOptimisersReachZeroTrainingError() {
        MutableDataset<Label> data = separableMultiClass(80, 5, 3, 12);
        DeepNetModel sgd = DeepNetTrainer.builder().hidden(16).activation(Activation.RELU).bias(true)
                .optimizer(OptimizerKind.SGD).batchSize(16).learningRate(0.1).epochs(300).build().train(data);
        assertEquals(1.0, trainingAccuracy(sgd, data));
        assertEquals(300 * 5, sgd.getStepsRun(), "epochs x ceil(N / batch) updates");
        DeepNetModel adam = DeepNetTrainer.builder().hidden(16).activation(Activation.RELU).bias(true)
                .optimizer(OptimizerKind.ADAM).batchSize(16).learningRate(0.01).epochs(200).build().train(data);
        assertEquals(1.0, trainingAccuracy(adam, data));
    }

    @ParameterizedTest
    @EnumSource(LossFunction.class)
    void everyLossSeparatesTwoAndThreeClasses(LossFunction loss) {
        MutableDataset<Label> two = separable(40, 6, 21);
        DeepNetModel binary = DeepNetTrainer.builder().hidden(16).activation(Activation.RELU).bias(true).loss(loss)
                .learningRate(0.05).steps(4000).build().train(two);
        assertEquals(1.0, trainingAccuracy(binary, two), loss + " on two classes");
        assertTrue(binary.getLossCurve().getFinalLoss() < binary.getLossCurve().losses().get(0), "loss decreases");
        assertEquals(loss != LossFunction.SQUARED, binary.generatesProbabilities());

        MutableDataset<Label> three = separableMultiClass(60, 5, 3, 22);
        DeepNetModel multi = DeepNetTrainer.builder().hidden(16).activation(Activation.RELU).bias(true).loss(loss)
                .learningRate(0.05).steps(4000).build().train(three);
        assertEquals(1.0, trainingAccuracy(multi, three), loss + " on three classes");
    }

    /** science.md A1.1: deep linear net, small init, 2·10⁴ full-batch GD steps. */
    @Test
    void deepLinearLayersBecomeRankOneAndAligned() {
        DeepNetModel model = DeepLinearRun.get().model(); // trained once per suite (testsupport)
        assertTrue(model.getLossCurve().getFinalLoss() < 1e-4, "loss " + model.getLossCurve().getFinalLoss());
        NetworkDescription net = model.getNetwork();
        for (int i = 0; i < 2; i++) {
            double rho = PowerIteration.rank1Ratio(net.layer(i).weights());
            assertTrue(rho > 0.99, "rank-1 ratio of layer " + i + " = " + rho);
        }
        for (int i = 0; i < 2; i++) {
            PowerIteration lower = PowerIteration.top(net.layer(i).weights());
            PowerIteration upper = PowerIteration.top(net.layer(i + 1).weights());
            double a = PowerIteration.absDot(upper.right, lower.left);
            assertTrue(a > 0.99, "alignment layer " + i + " -> " + (i + 1) + " = " + a);
        }
    }

    /** science.md A4.1: ReLU body + linear head (Le and Jegelka Net A). */
    @Test
    void linearHeadOfReluNetworkBecomesRankOne() {
        MutableDataset<Label> data = separable(40, 10, 0);
        DeepNetModel model = DeepNetTrainer.builder().hidden(20, 20, 20)
                .activations(List.of(Activation.RELU, Activation.LINEAR, Activation.LINEAR))
                .initScale(0.1).learningRate(0.2).steps(30_000).seed(2).build().train(data);
        NetworkDescription net = model.getNetwork();
        for (int i = 1; i <= 2; i++) {
            double rho = PowerIteration.rank1Ratio(net.layer(i).weights());
            assertTrue(rho > 0.98, "rank-1 ratio of linear layer " + i + " = " + rho);
        }
        PowerIteration w1 = PowerIteration.top(net.layer(1).weights());
        PowerIteration w2 = PowerIteration.top(net.layer(2).weights());
        double a = PowerIteration.absDot(w2.right, w1.left);
        assertTrue(a > 0.99, "alignment layer 1 -> 2 = " + a);
    }

    @Test
    void sameSeedAndConfigurationGiveBitIdenticalWeights() {
        MutableDataset<Label> data = separableMultiClass(50, 4, 3, 5);
        for (Precision precision : Precision.values()) {
            DeepNetTrainerBuilder b = DeepNetTrainer.builder().hidden(8, 8).activation(Activation.RELU).bias(true)
                    .skipConnections(true).optimizer(OptimizerKind.SGD).batchSize(8).epochs(5).precision(precision).seed(9);
            NetworkDescription first = b.build().train(data).getNetwork();
            NetworkDescription second = b.build().train(data).getNetwork();
            assertEquals(first, second, precision + " training is deterministic");
            assertEquals(precision.getElementType(), first.layer(0).elementType());
            NetworkDescription otherSeed = b.seed(10).build().train(data).getNetwork();
            assertNotEquals(first, otherSeed);
        }
    }

    @Test
    void float32TrainingAgreesWithFloat64() {
        MutableDataset<Label> data = separable(40, 6, 8);
        DeepNetTrainerBuilder b = DeepNetTrainer.builder().hidden(6, 6).initScale(0.5).learningRate(0.1).steps(200);
        NetworkDescription f64 = b.precision(Precision.FLOAT64).build().train(data).getNetwork();
        NetworkDescription f32 = b.precision(Precision.FLOAT32).build().train(data).getNetwork();
        assertEquals(ElementType.FLOAT32, f32.layer(0).elementType());
        double[] a = f64.layer(1).weights().toRowMajorArray();
        double[] c = f32.layer(1).weights().toRowMajorArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], c[i], 1e-4, "float32 follows float64 within single-precision rounding");
        }
    }

    @Test
    void residualSkipsAppearInTheNetworkDescription() {
        MutableDataset<Label> data = separable(30, 4, 4);
        DeepNetModel model = DeepNetTrainer.builder().hidden(6, 6, 6).skipConnections(true).steps(10).build().train(data);
        assertEquals(List.of(false, true, true, false), model.getNetwork().residualLayers(),
                "layers 1 and 2 are equal-width hidden-to-hidden");
        assertEquals(5, model.getNetwork().edges().size(),
                "(0,1); (0,2),(1,2) through the skip around layer 1; (1,3),(2,3) through the skip around layer 2 (a"
                        + " path crosses one skip, as the ONNX reader's residual Adds: (0,3) would cross two)");
    }

    @Test
    void divergenceNamesTheStepAndTheLayer() {
        MutableDataset<Label> data = separable(30, 5, 4);
        DeepNetTrainer trainer = DeepNetTrainer.builder().hidden(5, 5).loss(LossFunction.SQUARED).initScale(3)
                .learningRate(50).steps(100).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.train(data));
        assertTrue(e.getStep() >= 1 && e.getStep() <= 100, "step " + e.getStep());
        assertTrue(e.getLayer().startsWith("layer-") || e.getLayer().equals("loss"), e.getLayer());
        assertTrue(e.getMessage().contains("step " + e.getStep()), e.getMessage());
    }

    @Test
    void lossUnderflowStopsTrainingAndIsRecorded() {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(30, 5, 0.2, 4));
        DeepNetModel model = DeepNetTrainer.builder().hidden().loss(LossFunction.EXPONENTIAL)
                .schedule(StepSchedule.NORMALIZED).learningRate(10.0).maxLearningRate(Double.POSITIVE_INFINITY).steps(100_000)
                .build().train(data);
        assertEquals(StopReason.LOSS_UNDERFLOW, model.getStopReason());
        assertEquals(0.0, model.getLossCurve().getFinalLoss());
        double logLoss = model.getLossCurve().logLosses().get(model.getLossCurve().logLosses().size() - 1);
        assertTrue(Double.isFinite(logLoss) && logLoss < -700, "log-loss stays finite: " + logLoss);
        assertTrue(model.getStepsRun() < 100_000);
        assertEquals(1.0, trainingAccuracy(model, data));
    }

    @Test
    void normalisedScheduleWithBacktrackingTrainsDeepLinearNets() {
        MutableDataset<Label> data = separable(40, 10, 0);
        DeepNetTrainerBuilder b = DeepNetTrainer.builder().hidden(10, 10).initScale(0.1).learningRate(0.5)
                .maxLearningRate(100).steps(3000);
        DeepNetModel model = b.schedule(StepSchedule.NORMALIZED).build().train(data);
        double constant = b.schedule(StepSchedule.CONSTANT).build().train(data).getLossCurve().getFinalLoss();
        List<Double> losses = model.getLossCurve().losses();
        double last = losses.get(losses.size() - 1);
        assertTrue(last < constant / 100, "normalised steps drive the loss down faster: " + last + " vs " + constant);
        for (int i = 1; i < losses.size(); i++) {
            assertTrue(losses.get(i) <= losses.get(i - 1), "backtracking keeps the full-batch loss monotone at " + i);
        }
    }

    @Test
    void everyOptimiserRunsWithEverySchedule() {
        MutableDataset<Label> data = separable(30, 4, 6);
        for (OptimizerKind optimizer : OptimizerKind.values()) {
            for (StepSchedule schedule : StepSchedule.values()) {
                DeepNetModel model = DeepNetTrainer.builder().hidden(6).activation(Activation.RELU).bias(true)
                        .optimizer(optimizer).batchSize(64).schedule(schedule).learningRate(0.05).steps(300)
                        .build().train(data);
                List<Double> losses = model.getLossCurve().losses();
                assertTrue(losses.get(losses.size() - 1) < losses.get(0), optimizer + " with " + schedule + " lowers the loss");
            }
        }
    }

    @Test
    void listenerSeesEveryKthStepWithReadOnlyWeights() {
        MutableDataset<Label> data = separable(20, 3, 4);
        List<TrainingCheckpoint> seen = new ArrayList<>();
        DeepNetModel model = DeepNetTrainer.builder().hidden(4).steps(50).build().train(data, 10, seen::add);
        assertEquals(List.of(0L, 10L, 20L, 30L, 40L, 50L), seen.stream().map(TrainingCheckpoint::step).toList());
        assertEquals(model.getNetwork(), seen.get(seen.size() - 1).network(), "the last checkpoint holds the final weights");
        assertNotEquals(seen.get(0).network(), seen.get(1).network());
        assertEquals(seen.get(0).loss(), Math.exp(seen.get(0).logLoss()), 1e-15);
    }

    @Test
    void initialisationsHaveTheirDefiningProperties() {
        MutableDataset<Label> data = separable(20, 4, 4);
        NetworkDescription balanced = DeepNetTrainer.builder().hidden(4, 4).initialization(Initialization.BALANCED)
                .initScale(0.3).steps(0).build().train(data).getNetwork();
        // balanced: W_{i+1}ᵀW_{i+1} = W_iW_iᵀ
        for (int i = 0; i < 2; i++) {
            double[][] upper = gram(balanced.layer(i + 1).weights(), true);
            double[][] lower = gram(balanced.layer(i).weights(), false);
            for (int r = 0; r < upper.length; r++) {
                for (int c = 0; c < upper.length; c++) {
                    assertEquals(upper[r][c], lower[r][c], 1e-14);
                }
            }
        }
        NetworkDescription orthogonal = DeepNetTrainer.builder().hidden(4, 4).initialization(Initialization.ORTHOGONAL)
                .initScale(2).steps(0).build().train(data).getNetwork();
        double[][] g = gram(orthogonal.layer(1).weights(), false);
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                assertEquals(r == c ? 4.0 : 0.0, g[r][c], 1e-13, "orthogonal init is 2·Q");
            }
        }
        NetworkDescription identity = DeepNetTrainer.builder().hidden(4, 4).initialization(Initialization.IDENTITY)
                .initScale(1).steps(0).build().train(data).getNetwork();
        assertEquals(1.0, identity.layer(1).weights().get(2, 2), 0.1);
        assertEquals(0.0, identity.layer(1).weights().get(2, 1), 0.1);
    }

    private static double[][] gram(dev.invariance.network.WeightMatrix w, boolean transposeFirst) {
        int size = transposeFirst ? w.getColumns() : w.getRows();
        double[][] g = new double[size][size];
        for (int r = 0; r < size; r++) {
            for (int c = 0; c < size; c++) {
                double s = 0;
                int inner = transposeFirst ? w.getRows() : w.getColumns();
                for (int k = 0; k < inner; k++) {
                    s += transposeFirst ? w.get(k, r) * w.get(k, c) : w.get(r, k) * w.get(c, k);
                }
                g[r][c] = s;
            }
        }
        return g;
    }

    @Test
    void provenanceRebuildsTheTrainerAndRetrainingGivesTheIdenticalModel() {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(30, 5, 0.0, 7));
        DeepNetTrainer trainer = DeepNetTrainer.builder().hidden(6, 6).activation(Activation.RELU).bias(true)
                .optimizer(OptimizerKind.SGD).batchSize(7).epochs(20).seed(77).build();
        trainer.train(data); // a first invocation, so the replay must skip one RNG split
        DeepNetModel model = trainer.train(data);

        ConfigurationManager cm = new ConfigurationManager();
        cm.addConfiguration(ProvenanceUtil.extractConfiguration(model.getProvenance()));
        DeepNetTrainer rebuilt = (DeepNetTrainer) cm.lookupAll(DeepNetTrainer.class).get(0);
        SeparableDataSource source = (SeparableDataSource) cm.lookupAll(SeparableDataSource.class).get(0);
        int count = (Integer) model.getProvenance().getTrainerProvenance().getInstanceValues()
                .get("train-invocation-count").getValue();
        assertEquals(1, count);
        DeepNetModel again = rebuilt.train(new MutableDataset<>(source), java.util.Map.of(), count);
        assertEquals(model.getNetwork(), again.getNetwork(), "bit-identical weights");
        assertEquals(model.getProvenance().getTrainerProvenance(), again.getProvenance().getTrainerProvenance());
    }

    @Test
    void singleClassDataIsRefusedWithAClearMessage() {
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("one class", new LabelFactory()),
                new LabelFactory());
        data.add(new ArrayExample<>(new Label("a"), new String[] {"x"}, new double[] {1.0}));
        data.add(new ArrayExample<>(new Label("a"), new String[] {"x"}, new double[] {2.0}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeepNetTrainer.builder().build().train(data));
        assertTrue(e.getMessage().contains("single class"), e.getMessage());
    }

    @Test
    void invalidSettingsAreRejectedAtBuildTime() {
        assertThrows(RuntimeException.class, () -> DeepNetTrainer.builder().learningRate(-1).build());
        assertThrows(RuntimeException.class, () -> DeepNetTrainer.builder().hidden(4, 0).build());
        assertThrows(RuntimeException.class, () -> DeepNetTrainer.builder().hidden(4, 4)
                .activations(List.of(Activation.RELU, Activation.RELU, Activation.RELU)).build());
        assertFalse(DeepNetTrainer.builder().build().toString().isEmpty());
    }

    @Test
    void unknownFeaturesAreIgnoredAndAnExampleWithoutKnownFeaturesIsRefused() {
        MutableDataset<Label> data = separable(20, 3, 4);
        DeepNetModel model = DeepNetTrainer.builder().hidden(3).steps(10).build().train(data);
        Example<Label> stranger = new ArrayExample<>(new Label("positive"), new String[] {"unknown"}, new double[] {1});
        assertThrows(IllegalArgumentException.class, () -> model.predict(stranger));
    }
}
