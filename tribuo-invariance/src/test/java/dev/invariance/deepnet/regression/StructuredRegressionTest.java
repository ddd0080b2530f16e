package dev.invariance.deepnet.regression;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import dev.invariance.deepnet.ProvenanceReplay;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightDifference;
import dev.invariance.network.WeightMatrix;
import dev.invariance.training.Initialization;
import dev.invariance.training.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.example.NonlinearGaussianDataSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structured hidden layers through the regression trainer (science.md E2d: circular convolutions, full-length filter,
 * one channel, square loss): the hidden layers stay exactly circulant W[i][j] = c[(i − j) mod d] at every step, and
 * the model records the structure in its getter, provenance and both serial forms.
 */
class StructuredRegressionTest {
    private static final int D = 8;
    private static final String[] TARGETS = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"};

    /** d → d → d, and d → d → d → d with two circulant layers, on 32 random inputs with a fixed linear target. */
    @Test
    void circulantLayersStayExactlyCirculantUnderSquareLoss() {
        for (int[] hidden : new int[][] {{D}, {D, D}}) {
            List<TrainingCheckpoint> checkpoints = new ArrayList<>();
            DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(hidden)
                    .structure(LayerStructure.CIRCULANT).initScale(0.5).learningRate(0.01).steps(300).seed(4).build()
                    .train(RegressionData.linear(32, D, TARGETS, 9), 30, checkpoints::add);
            assertEquals(LayerStructure.CIRCULANT, model.getStructure());
            for (TrainingCheckpoint checkpoint : checkpoints) {
                for (int i = 0; i < hidden.length; i++) {
                    assertTrue(isCirculant(checkpoint.network().layer(i).weights()),
                            "layer " + i + " of " + (hidden.length + 1) + " at step " + checkpoint.step());
                }
            }
            NetworkDescription trained = model.getNetwork();
            assertTrue(!isCirculant(trained.layer(hidden.length).weights()), "the output layer is trained dense");
            double before = checkpoints.get(0).loss();
            double after = checkpoints.get(checkpoints.size() - 1).loss();
            assertTrue(after < 0.1 * before, "loss " + before + " -> " + after);
        }
    }

    @Test
    void theStructureSurvivesProtobufAndJavaSerialisation() throws Exception {
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(D).structure(LayerStructure.DIAGONAL)
                .initScale(0.5).learningRate(0.01).steps(20).build().train(RegressionData.linear(16, D, TARGETS, 3));
        assertTrue(model.toString().contains(", diagonal"), model.toString());
        assertEquals("DIAGONAL", model.getProvenance().getTrainerProvenance().getConfiguredParameters()
                .get("structure").toString());
        DeepNetRegressionModel fromProto = (DeepNetRegressionModel) Model.deserialize(model.serialize());
        assertEquals(LayerStructure.DIAGONAL, fromProto.getStructure());
        assertEquals(model.getNetwork(), fromProto.getNetwork());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(model);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            DeepNetRegressionModel fromJava = (DeepNetRegressionModel) in.readObject();
            assertEquals(LayerStructure.DIAGONAL, fromJava.getStructure());
            assertEquals(model.getNetwork(), fromJava.getNetwork());
        }
    }

    @Test
    void aCirculantRegressionReplaysBitIdentically() {
        NonlinearGaussianDataSource source = new NonlinearGaussianDataSource(40, 7L);
        int features = new MutableDataset<>(source).getFeatureIDMap().size();
        DeepNetRegressionTrainer trainer = DeepNetRegressionTrainer.builder().hidden(features, features)
                .structure(LayerStructure.CIRCULANT).initScale(0.5).learningRate(0.01).steps(50).seed(5).build();
        trainer.train(new MutableDataset<>(source)); // the replay must restore the invocation count
        DeepNetRegressionModel model = trainer.train(new MutableDataset<>(source));
        ModelProvenance provenance = model.getProvenance();
        DeepNetRegressionModel replayed = ProvenanceReplay.retrain(provenance, DeepNetRegressionModel.class, false);
        assertEquals(LayerStructure.CIRCULANT, replayed.getStructure());
        assertNull(WeightDifference.first(model.getNetwork(), replayed.getNetwork()));
    }

    @Test
    void widthsOtherThanTheFeatureCountAndNonStructuredInitsAreRefused() {
        DeepNetRegressionTrainer trainer = DeepNetRegressionTrainer.builder().hidden(D, 4)
                .structure(LayerStructure.CIRCULANT).steps(1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.train(RegressionData.linear(16, D, TARGETS, 3)));
        assertEquals("structure circulant needs every hidden width to equal the number of features 8, got hidden"
                + " widths [8, 4]", e.getMessage());
        PropertyException aligned = assertThrows(PropertyException.class, () -> DeepNetRegressionTrainer.builder()
                .hidden(D).structure(LayerStructure.DIAGONAL).initialization(Initialization.ALIGNED).build());
        assertTrue(aligned.getMessage().contains("is initialised with gaussian, identity or constant-diagonal, not aligned"),
                aligned.getMessage());
    }

    /** W[i][j] == W[(i + 1) mod d][(j + 1) mod d] exactly, for every entry. */
    static boolean isCirculant(WeightMatrix w) {
        int d = w.getRows();
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                if (w.get(i, j) != w.get((i + 1) % d, (j + 1) % d)) {
                    return false;
                }
            }
        }
        return true;
    }
}
