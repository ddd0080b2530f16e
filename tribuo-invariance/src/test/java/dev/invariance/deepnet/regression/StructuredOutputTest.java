package dev.invariance.deepnet.regression;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightDifference;
import dev.invariance.network.WeightMatrix;
import dev.invariance.training.TrainingCheckpoint;
import dev.invariance.training.Initialization;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.Regressor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code structuredOutput(true)}: the square output layer gets the hidden layers' structure, so d → d → d with both
 * layers circulant is the two-layer circular convolutional linear network of science.md E2d. Every layer stays
 * exactly circulant, one gradient step moves each filter c by the tied sum of the dense gradient
 * (∂L/∂c_k = Σ_{i − j ≡ k} ∂L/∂W[i][j], computed here independently of the engine), the setting is recorded in the
 * provenance and a trainer rebuilt from it retrains bit for bit, and a non-square output layer or a dense structure is refused in one line.
 */
class StructuredOutputTest {
    private static final int D = 8;
    private static final String[] TARGETS = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"};
    private static final double LEARNING_RATE = 0.01;

    private static DeepNetRegressionTrainer circulantEverywhere(long steps) {
        return DeepNetRegressionTrainer.builder().hidden(D).structure(LayerStructure.CIRCULANT).structuredOutput(true)
                .initScale(0.5).learningRate(LEARNING_RATE).steps(steps).seed(4).build();
    }

    @Test
    void theBuilderReadsBackTheSettingAndTheDefaultKeepsTheOutputLayerDense() {
        DeepNetRegressionTrainerBuilder builder = DeepNetRegressionTrainer.builder();
        assertFalse(builder.getStructuredOutput());
        builder.setStructuredOutput(true).setStructure(LayerStructure.CIRCULANT);
        assertTrue(builder.getStructuredOutput());
        assertTrue(builder.build().toString().contains("structure=CIRCULANT,structuredOutput=true"));
    }

    @Test
    void bothLayersStayExactlyCirculantWhileTheLossFalls() {
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        DeepNetRegressionModel model = circulantEverywhere(300).train(circulantTarget(32, 9), 30,
                checkpoints::add);
        for (TrainingCheckpoint checkpoint : checkpoints) {
            for (int layer = 0; layer < 2; layer++) {
                assertTrue(StructuredRegressionTest.isCirculant(checkpoint.network().layer(layer).weights()),
                        "layer " + layer + " at step " + checkpoint.step());
            }
        }
        assertFalse(model.getNetwork().layer(1).weights().equals(checkpoints.get(0).network().layer(1).weights()),
                "the output layer was trained");
        double before = checkpoints.get(0).loss();
        double after = checkpoints.get(checkpoints.size() - 1).loss();
        assertTrue(after < 0.1 * before, "loss " + before + " -> " + after);
    }

    /**
     * With L = (1/N) Σ_n ½‖W_1 W_0 x_n − y_n‖², the dense gradients are G_1 = (1/N) Σ r_n h_nᵀ and
     * G_0 = (1/N) Σ (W_1ᵀ r_n) x_nᵀ (h_n = W_0 x_n, r_n = W_1 h_n − y_n); one GD step must give
     * W_i − η·circ(g_i) with g_k = Σ_{i − j ≡ k} G[i][j].
     */
    @Test
    void oneStepMovesEachFilterByTheTiedSumOfTheDenseGradient() {
        MutableDataset<Regressor> data = RegressionData.linear(16, D, TARGETS, 5);
        List<NetworkDescription> networks = new ArrayList<>();
        DeepNetRegressionModel model = circulantEverywhere(1).train(data, 1, c -> networks.add(c.network()));
        assertEquals(2, networks.size());
        double[][] w0 = rows(networks.get(0).layer(0).weights());
        double[][] w1 = rows(networks.get(0).layer(1).weights());
        double[][] g0 = new double[D][D];
        double[][] g1 = new double[D][D];
        ImmutableFeatureMap features = model.getFeatureIDMap();
        for (Example<Regressor> example : data) {
            double[] x = new double[D];
            example.forEach(f -> x[features.getID(f.getName())] = f.getValue());
            double[] y = example.getOutput().getValues(); // dimension order t0 … t7, the model's output order
            double[] h = times(w0, x);
            double[] r = times(w1, h);
            for (int i = 0; i < D; i++) {
                r[i] -= y[i];
            }
            double[] back = new double[D];
            for (int i = 0; i < D; i++) {
                for (int j = 0; j < D; j++) {
                    back[j] += w1[i][j] * r[i];
                }
            }
            for (int i = 0; i < D; i++) {
                for (int j = 0; j < D; j++) {
                    g1[i][j] += r[i] * h[j] / data.size();
                    g0[i][j] += back[i] * x[j] / data.size();
                }
            }
        }
        assertEquals(List.of("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"), model.getDimensionNames());
        assertStep(w0, g0, rows(networks.get(1).layer(0).weights()), "layer 0");
        assertStep(w1, g1, rows(networks.get(1).layer(1).weights()), "layer 1");
    }

    /** The trainer that OLCUT rebuilds from the model's provenance trains the same weights on the same data. */
    @Test
    void theSettingIsInTheProvenanceAndReplaysBitForBit() {
        MutableDataset<Regressor> data = circulantTarget(16, 3);
        DeepNetRegressionModel model = circulantEverywhere(50).train(data);
        assertEquals("true", model.getProvenance().getTrainerProvenance().getConfiguredParameters()
                .get("structuredOutput").toString());
        ConfigurationManager cm = new ConfigurationManager();
        cm.addConfiguration(ProvenanceUtil.extractConfiguration(model.getProvenance()));
        List<DeepNetRegressionTrainer> trainers = cm.lookupAll(DeepNetRegressionTrainer.class);
        assertEquals(1, trainers.size());
        assertTrue(trainers.get(0).toString().contains("structuredOutput=true"), trainers.get(0).toString());
        DeepNetRegressionModel replayed = trainers.get(0).train(data);
        assertNull(WeightDifference.first(model.getNetwork(), replayed.getNetwork()));
        assertTrue(StructuredRegressionTest.isCirculant(replayed.getNetwork().layer(1).weights()));
    }

    /**
     * n Gaussian inputs x ∈ R^8 with targets y = C x for a random circulant C (features x0 … x7, dimensions
     * t0 … t7: Tribuo's sorted orders are the orders given), a target the circulant product W_1 W_0 can reach.
     */
    private static MutableDataset<Regressor> circulantTarget(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] filter = new double[D];
        for (int k = 0; k < D; k++) {
            filter[k] = rng.nextGaussian() / Math.sqrt(D);
        }
        String[] features = new String[D];
        for (int j = 0; j < D; j++) {
            features[j] = "x" + j;
        }
        List<Example<Regressor>> examples = new ArrayList<>();
        for (int e = 0; e < n; e++) {
            double[] x = new double[D];
            for (int j = 0; j < D; j++) {
                x[j] = rng.nextGaussian();
            }
            double[] y = new double[D];
            for (int i = 0; i < D; i++) {
                for (int j = 0; j < D; j++) {
                    y[i] += filter[Math.floorMod(i - j, D)] * x[j];
                }
            }
            examples.add(new ArrayExample<>(new Regressor(TARGETS, y), features, x));
        }
        return RegressionData.dataset(examples);
    }

    @Test
    void theLabelTrainerStructuresASquareOutputLayerToo() {
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("four classes",
                new LabelFactory()), new LabelFactory());
        String[] names = {"a", "b", "c", "d"};
        for (int n = 0; n < 40; n++) {
            double[] x = new double[4];
            x[n % 4] = 1 + 0.01 * n;
            x[(n + 1) % 4] = 0.3;
            data.add(new ArrayExample<>(new Label("class" + (n % 4)), names, x));
        }
        DeepNetModel model = DeepNetTrainer.builder().hidden(4).structure(LayerStructure.DIAGONAL)
                .structuredOutput(true).initScale(0.5).steps(100).build().train(data);
        for (int layer = 0; layer < 2; layer++) {
            WeightMatrix w = model.getNetwork().layer(layer).weights();
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    if (i != j) {
                        assertEquals(0.0, w.get(i, j), "layer " + layer + " (" + i + ", " + j + ")");
                    }
                }
            }
        }
    }

    @Test
    void aNonSquareOutputLayerAndADenseStructureAreRefusedInOneLine() {
        DeepNetRegressionTrainer trainer = circulantEverywhere(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.train(RegressionData.linear(16, D, new String[] {"u", "v"}, 3)));
        assertEquals("a structured output layer must be square: 2 outputs but 8 features", e.getMessage());
        PropertyException dense = assertThrows(PropertyException.class,
                () -> DeepNetRegressionTrainer.builder().hidden(D).structuredOutput(true).build());
        assertTrue(dense.getMessage().contains("a structured output layer needs a structure (diagonal or circulant),"
                + " got dense"), dense.getMessage());
        assertEquals(1, dense.getMessage().lines().count());
    }

    /** Constant-diagonal starts a structured output layer at zero, as it does a dense one: c = 0, hidden c = α·e₀. */
    @Test
    void constantDiagonalStartsAStructuredOutputLayerAtZero() {
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        DeepNetRegressionTrainer.builder().hidden(D).structure(LayerStructure.CIRCULANT).structuredOutput(true)
                .initialization(Initialization.CONSTANT_DIAGONAL).initScale(0.25).learningRate(LEARNING_RATE)
                .steps(10).build().train(circulantTarget(16, 5), 10, checkpoints::add);
        NetworkDescription start = checkpoints.get(0).network();
        WeightMatrix hidden = start.layer(0).weights();
        for (int r = 0; r < D; r++) {
            for (int c = 0; c < D; c++) {
                assertEquals(r == c ? 0.25 : 0.0, hidden.get(r, c), 0.0, "W_0[" + r + "][" + c + "]");
            }
        }
        assertTrue(start.layer(1).weights().isZero(), "the structured output layer starts at zero");
        NetworkDescription end = checkpoints.get(checkpoints.size() - 1).network();
        assertFalse(end.layer(1).weights().isZero(), "and trains");
        assertTrue(StructuredRegressionTest.isCirculant(end.layer(1).weights()));
    }

    @Test
    void withAStructuredOutputLayerNoHiddenLayerIsNeeded() {
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden().structure(LayerStructure.CIRCULANT)
                .structuredOutput(true).initScale(0.5).learningRate(LEARNING_RATE).steps(20).build()
                .train(RegressionData.linear(16, D, TARGETS, 3));
        assertEquals(1, model.getNetwork().depth());
        assertTrue(StructuredRegressionTest.isCirculant(model.getNetwork().layer(0).weights()));
    }

    private static void assertStep(double[][] before, double[][] dense, double[][] after, String what) {
        double[] tied = new double[D];
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                tied[Math.floorMod(i - j, D)] += dense[i][j];
            }
        }
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                double expected = before[i][j] - LEARNING_RATE * tied[Math.floorMod(i - j, D)];
                // entries of order 0.1-1, sums of 8·16 products: a few hundred ulps at most
                assertEquals(expected, after[i][j], 1e-13, what + " (" + i + ", " + j + ")");
            }
        }
    }

    private static double[] times(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < v.length; j++) {
                out[i] += m[i][j] * v[j];
            }
        }
        return out;
    }

    private static double[][] rows(WeightMatrix w) {
        double[][] out = new double[w.getRows()][];
        for (int i = 0; i < w.getRows(); i++) {
            out[i] = w.getRow(i);
        }
        return out;
    }
}
