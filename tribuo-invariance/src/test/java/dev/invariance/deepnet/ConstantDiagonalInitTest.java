package dev.invariance.deepnet;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.regression.DeepNetRegressionModel;
import dev.invariance.deepnet.regression.DeepNetRegressionTrainer;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightDifference;
import dev.invariance.network.WeightMatrix;
import dev.invariance.training.Initialization;
import dev.invariance.training.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.example.NonlinearGaussianDataSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Initialization#CONSTANT_DIAGONAL} (science.md 4.4, "Diagonal nets: all-equal init α·1"; E3's w_0 = 0.1·1,
 * w_1 = 0) through both trainers: at step 0 every hidden layer is exactly initScale·I and the output layer exactly
 * zero, for diagonal, circulant and dense hidden layers; the provenance replays the training bit for bit; hidden
 * layers that are not square and a zero scale (every layer zero, a saddle) are refused in one line.
 */
class ConstantDiagonalInitTest {
    private static final int FEATURES = 5;

    private static MutableDataset<Label> labels() {
        return new MutableDataset<>(new SeparableDataSource(40, FEATURES, 0.0, 6));
    }

    private static MutableDataset<Regressor> regression() {
        return new MutableDataset<>(new NonlinearGaussianDataSource(30, 7L));
    }

    /** Asserts that layers 0 … L−2 are exactly scale·I and the output layer L−1 exactly zero. */
    private static void assertScaledIdentityThenZero(NetworkDescription network, double scale) {
        int depth = network.layers().size();
        for (int i = 0; i < depth - 1; i++) {
            WeightMatrix w = network.layer(i).weights();
            for (int r = 0; r < w.getRows(); r++) {
                for (int c = 0; c < w.getColumns(); c++) {
                    assertEquals(r == c ? scale : 0.0, w.get(r, c), 0.0, "layer " + i + " [" + r + "][" + c + "]");
                }
            }
        }
        assertTrue(network.layer(depth - 1).weights().isZero(), "the output layer starts at zero");
    }

    private static NetworkDescription stepZero(List<TrainingCheckpoint> checkpoints) {
        assertEquals(0, checkpoints.get(0).step());
        return checkpoints.get(0).network();
    }

    @ParameterizedTest
    @EnumSource(LayerStructure.class)
    void theClassifierStartsWithScaleTimesTheIdentityAndAZeroOutputLayer(LayerStructure structure) {
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        DeepNetModel model = DeepNetTrainer.builder().hidden(FEATURES, FEATURES).structure(structure).bias(false)
                .initialization(Initialization.CONSTANT_DIAGONAL).initScale(0.1).learningRate(0.1).steps(20).build()
                .train(labels(), 10, checkpoints::add);
        assertScaledIdentityThenZero(stepZero(checkpoints), 0.1);
        assertTrue(!model.getNetwork().layer(2).weights().isZero(), "the zero output layer trains");
    }

    @Test
    void theRegressorStartsWithScaleTimesTheIdentityAndAZeroOutputLayer() {
        MutableDataset<Regressor> data = regression();
        int d = data.getFeatureIDMap().size();
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        DeepNetRegressionTrainer.builder().hidden(d).structure(LayerStructure.DIAGONAL).bias(false)
                .initialization(Initialization.CONSTANT_DIAGONAL).initScale(1e-3).learningRate(0.01).steps(5).build()
                .train(data, 1, checkpoints::add);
        assertScaledIdentityThenZero(stepZero(checkpoints), 1e-3);
    }

    @Test
    void bothTrainersReplayTheirProvenanceBitForBit() {
        DeepNetTrainer classifier = DeepNetTrainer.builder().hidden(FEATURES).structure(LayerStructure.DIAGONAL)
                .initialization(Initialization.CONSTANT_DIAGONAL).initScale(0.1).learningRate(0.1).steps(50).build();
        DeepNetModel model = classifier.train(labels());
        assertEquals("CONSTANT_DIAGONAL", model.getProvenance().getTrainerProvenance().getConfiguredParameters()
                .get("initialization").toString());
        assertNull(WeightDifference.first(model.getNetwork(),
                ProvenanceReplay.retrain(model.getProvenance()).getNetwork()));

        MutableDataset<Regressor> data = regression();
        int d = data.getFeatureIDMap().size();
        DeepNetRegressionModel regressor = DeepNetRegressionTrainer.builder().hidden(d, d)
                .initialization(Initialization.CONSTANT_DIAGONAL).initScale(0.5).learningRate(0.01).steps(50).build()
                .train(data);
        DeepNetRegressionModel replayed = ProvenanceReplay.retrain(regressor.getProvenance(),
                DeepNetRegressionModel.class, false);
        assertNull(WeightDifference.first(regressor.getNetwork(), replayed.getNetwork()));
    }

    @Test
    void hiddenLayersThatAreNotSquareAreRefused() {
        DeepNetTrainer trainer = DeepNetTrainer.builder().hidden(FEATURES, 3)
                .initialization(Initialization.CONSTANT_DIAGONAL).initScale(0.1).steps(1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.train(labels()));
        assertEquals("constant-diagonal initialisation needs every hidden width equal to the number of features, got"
                + " widths [5, 5, 3, 1]", e.getMessage());
    }

    @Test
    void aZeroScaleWithHiddenLayersIsRefusedAsASaddle() {
        PropertyException e = assertThrows(PropertyException.class, () -> DeepNetTrainer.builder().hidden(FEATURES)
                .initialization(Initialization.CONSTANT_DIAGONAL).initScale(0.0).build());
        assertTrue(e.getMessage().contains("constant-diagonal initialisation with init scale 0 starts every layer at"
                + " zero, a saddle of the loss"), e.getMessage());
    }

    @Test
    void theCommandLineNameParsesWithADashOrAnUnderscore() {
        assertEquals(Initialization.CONSTANT_DIAGONAL, Initialization.parse("constant-diagonal"));
        assertEquals(Initialization.CONSTANT_DIAGONAL, Initialization.parse("CONSTANT_DIAGONAL"));
        assertEquals("constant-diagonal", Initialization.CONSTANT_DIAGONAL.getConfigName());
    }
}
