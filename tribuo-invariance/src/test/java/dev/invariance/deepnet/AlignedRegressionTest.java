package dev.invariance.deepnet;

import dev.invariance.deepnet.regression.DeepNetRegressionModel;
import dev.invariance.deepnet.regression.DeepNetRegressionTrainer;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightDifference;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import dev.invariance.training.Initialization;
import dev.invariance.training.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.example.NonlinearGaussianDataSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Radhakrishnan et al.'s invariant through the regression trainer (science.md E2a, check A2.1): with whitened inputs
 * (Σ_n x_n x_nᵀ = N·I) and real targets y_n = M x_n, {@link Initialization#ALIGNED} builds the layers from the
 * cross-covariance Σ_n y_n x_nᵀ = N·M of the real target vectors, starts every adjacent pair aligned (the analyzer's
 * commutator score c = 0 to rounding) and gradient descent on ½‖f(x) − y‖² keeps it aligned while the loss falls.
 */
class AlignedRegressionTest {
    private static final int FEATURES = 5;
    private static final int EXAMPLES = 50;
    /** The singular values of M in E2a. */
    private static final double[] TARGET_SPECTRUM = {3, 2, 1, 0.5, 0.2};

    @Test
    void alignedInitStaysAlignedOverFiveHundredStepsOnWhitenedData() {
        double[][] m = targetMap();
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(FEATURES, FEATURES)
                .initialization(Initialization.ALIGNED).initScale(0.5).learningRate(0.05).steps(500).seed(3).build()
                .train(whitened(m), 10, checkpoints::add);
        assertEquals(500, model.getStepsRun());
        assertEquals(51, checkpoints.size());
        double first = AlignedInitializationTest.maxCommutator(checkpoints.get(0).network());
        assertTrue(first < 1e-12, "c at step 0: " + first);
        for (TrainingCheckpoint checkpoint : checkpoints) {
            double c = AlignedInitializationTest.maxCommutator(checkpoint.network());
            assertTrue(c < 1e-6, "c at step " + checkpoint.step() + ": " + c);
        }
        double before = checkpoints.get(0).loss();
        double after = checkpoints.get(checkpoints.size() - 1).loss();
        assertTrue(after < 0.01 * before, "loss " + before + " -> " + after);
    }

    /**
     * The initial end-to-end map P = W_2 W_1 W_0 = U diag(p) Vᵀ shares the singular bases of M = U S Vᵀ (the real
     * targets' cross-covariance is N·M), so MᵀP = V S diag(p) Vᵀ and M Pᵀ are symmetric; a Gaussian start is not.
     */
    @Test
    void theAlignedStartFollowsTheRealTargetsCrossCovariance() {
        double[][] m = targetMap();
        DeepNetRegressionModel aligned = DeepNetRegressionTrainer.builder().hidden(FEATURES, FEATURES)
                .initialization(Initialization.ALIGNED).initScale(0.5).steps(0).seed(3).build().train(whitened(m));
        double[][] mOut = inOutputOrder(m, aligned);
        double[][] p = endToEnd(aligned.getNetwork());
        assertTrue(asymmetry(multiply(transpose(mOut), p)) < 1e-12, "MᵀP symmetric");
        assertTrue(asymmetry(multiply(mOut, transpose(p))) < 1e-12, "M Pᵀ symmetric");
        DeepNetRegressionModel gaussian = DeepNetRegressionTrainer.builder().hidden(FEATURES, FEATURES)
                .initScale(0.5).steps(0).seed(3).build().train(whitened(m));
        assertTrue(asymmetry(multiply(transpose(mOut), endToEnd(gaussian.getNetwork()))) > 1e-2, "control");
    }

    @Test
    void anAlignedRegressionReplaysBitIdentically() {
        NonlinearGaussianDataSource source = new NonlinearGaussianDataSource(40, 7L);
        DeepNetRegressionTrainer trainer = DeepNetRegressionTrainer.builder().hidden(3, 3)
                .initialization(Initialization.ALIGNED).initScale(0.5).learningRate(0.01).steps(50).seed(5).build();
        trainer.train(new MutableDataset<>(source)); // the replay must restore the invocation count
        DeepNetRegressionModel model = trainer.train(new MutableDataset<>(source));
        ModelProvenance provenance = model.getProvenance();
        DeepNetRegressionModel replayed = ProvenanceReplay.retrain(provenance, DeepNetRegressionModel.class, false);
        assertNull(WeightDifference.first(model.getNetwork(), replayed.getNetwork()));
    }

    /** M = Q_out diag(3, 2, 1, 0.5, 0.2) Q_inᵀ with seeded random orthogonal Q's (science.md E2a). */
    private static double[][] targetMap() {
        return rows(Matrices.compose(Matrices.randomOrthogonal(FEATURES, 21), TARGET_SPECTRUM,
                Matrices.randomOrthogonal(FEATURES, 22)));
    }

    /**
     * 50 points with Σ_n x_n x_nᵀ = 50·I exactly (orthonormal Gaussian columns scaled by √N) and the targets
     * y_n = M x_n under the dimension names y0 … y4.
     */
    private static MutableDataset<Regressor> whitened(double[][] m) {
        double[][] columns = Matrices.orthonormalColumns(EXAMPLES, FEATURES, 11);
        String[] features = new String[FEATURES];
        String[] dimensions = new String[FEATURES];
        for (int j = 0; j < FEATURES; j++) {
            features[j] = "x" + j;
            dimensions[j] = "y" + j;
        }
        RegressionFactory factory = new RegressionFactory();
        MutableDataset<Regressor> data = new MutableDataset<>(new SimpleDataSourceProvenance("whitened", factory),
                factory);
        for (int n = 0; n < EXAMPLES; n++) {
            double[] x = new double[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                x[j] = columns[j][n] * Math.sqrt(EXAMPLES);
            }
            double[] y = new double[FEATURES];
            for (int a = 0; a < FEATURES; a++) {
                for (int j = 0; j < FEATURES; j++) {
                    y[a] += m[a][j] * x[j];
                }
            }
            data.add(new ArrayExample<>(new Regressor(dimensions, y), features, x));
        }
        return data;
    }

    /** M with its rows in the model's output order and its columns in its feature-id order. */
    private static double[][] inOutputOrder(double[][] m, DeepNetRegressionModel model) {
        double[][] out = new double[FEATURES][FEATURES];
        for (int o = 0; o < FEATURES; o++) {
            int row = Integer.parseInt(model.getDimensionNames().get(o).substring(1));
            for (int f = 0; f < FEATURES; f++) {
                out[o][f] = m[row][Integer.parseInt(model.getFeatureIDMap().get(f).getName().substring(1))];
            }
        }
        return out;
    }

    private static double[][] endToEnd(NetworkDescription network) {
        double[][] p = rows(network.layer(0).weights());
        for (int i = 1; i < network.depth(); i++) {
            p = multiply(rows(network.layer(i).weights()), p);
        }
        return p;
    }

    private static double[][] rows(WeightMatrix w) {
        double[][] out = new double[w.getRows()][w.getColumns()];
        for (int i = 0; i < w.getRows(); i++) {
            for (int j = 0; j < w.getColumns(); j++) {
                out[i][j] = w.get(i, j);
            }
        }
        return out;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        double[][] out = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                for (int t = 0; t < b.length; t++) {
                    out[i][j] += a[i][t] * b[t][j];
                }
            }
        }
        return out;
    }

    private static double[][] transpose(double[][] a) {
        double[][] out = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                out[j][i] = a[i][j];
            }
        }
        return out;
    }

    /** ‖A − Aᵀ‖_F / ‖A‖_F. */
    private static double asymmetry(double[][] a) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                diff += (a[i][j] - a[j][i]) * (a[i][j] - a[j][i]);
                norm += a[i][j] * a[i][j];
            }
        }
        return Math.sqrt(diff / norm);
    }
}
