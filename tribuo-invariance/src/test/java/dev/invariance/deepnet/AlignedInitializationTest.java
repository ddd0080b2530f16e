package dev.invariance.deepnet;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import dev.invariance.training.Initialization;
import dev.invariance.training.LossFunction;
import dev.invariance.training.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Radhakrishnan et al.'s invariant (science.md E2a, check A2.1) through the Label trainer: on whitened inputs
 * (Σ_n x_n x_nᵀ = N·I) with square loss, {@link Initialization#ALIGNED} starts every adjacent pair aligned (the
 * analyzer's commutator score c = 0 to rounding) and gradient descent keeps it aligned, while the loss falls.
 */
class AlignedInitializationTest {
    private static final int FEATURES = 5;
    private static final int EXAMPLES = 50;

    @Test
    void alignedInitStaysAlignedUnderSquareLossOnWhitenedData() {
        MutableDataset<Label> data = whitenedFiveClasses();
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        DeepNetModel model = DeepNetTrainer.builder().hidden(FEATURES, FEATURES).initialization(Initialization.ALIGNED)
                .initScale(0.5).loss(LossFunction.SQUARED).learningRate(0.1).steps(500).seed(3).build()
                .train(data, 50, checkpoints::add);
        assertEquals(500, model.getStepsRun());
        double first = maxCommutator(checkpoints.get(0).network());
        assertTrue(first < 1e-12, "c at step 0: " + first);
        for (TrainingCheckpoint checkpoint : checkpoints) {
            double c = maxCommutator(checkpoint.network());
            assertTrue(c < 1e-6, "c at step " + checkpoint.step() + ": " + c);
        }
        // with Σ x xᵀ = N·I the least-squares optimum is P* = C/N, loss* = ½(1 − ‖C‖_F²/N²) for one-hot targets
        double optimum = 0.5 * (1 - squaredNorm(crossCovariance(data)) / ((double) EXAMPLES * EXAMPLES));
        double gapBefore = checkpoints.get(0).loss() - optimum;
        double gapAfter = checkpoints.get(checkpoints.size() - 1).loss() - optimum;
        assertTrue(gapAfter >= -1e-12 && gapAfter < 0.01 * gapBefore, "gap to the optimum " + gapBefore + " -> " + gapAfter);
    }

    @Test
    void withoutWhiteningTheAlignmentIsLost() {
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        DeepNetTrainer.builder().hidden(FEATURES, FEATURES).initialization(Initialization.ALIGNED).initScale(0.5)
                .loss(LossFunction.SQUARED).learningRate(0.05).steps(500).seed(3).build()
                .train(stretched(whitenedFiveClasses()), 50, checkpoints::add);
        assertTrue(maxCommutator(checkpoints.get(0).network()) < 1e-12, "aligned at step 0");
        double worst = 0;
        for (TrainingCheckpoint checkpoint : checkpoints) {
            worst = Math.max(worst, maxCommutator(checkpoint.network()));
        }
        // ten times the bound the whitened run stays under (measured: 2.5e-4 by step 500)
        assertTrue(worst > 1e-5, "c grows once Σ x xᵀ is not ∝ I, got at most " + worst);
    }

    /** The same points with feature j scaled by j + 1 (Σ x xᵀ no longer ∝ I) and the classes kept. */
    private static MutableDataset<Label> stretched(MutableDataset<Label> whitened) {
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("stretched", new LabelFactory()),
                new LabelFactory());
        String[] names = SeparableDataSource.featureNames(FEATURES);
        for (var example : whitened) {
            double[] x = new double[FEATURES];
            for (var feature : example) {
                int j = whitened.getFeatureIDMap().getID(feature.getName());
                x[j] = (j + 1) * feature.getValue();
            }
            data.add(new ArrayExample<>(example.getOutput(), names, x));
        }
        return data;
    }

    @Test
    void gaussianInitOnTheSameDataIsNotAligned() {
        DeepNetModel model = DeepNetTrainer.builder().hidden(FEATURES, FEATURES).initScale(0.1)
                .loss(LossFunction.SQUARED).learningRate(0.05).steps(0).seed(3).build().train(whitenedFiveClasses());
        assertTrue(maxCommutator(model.getNetwork()) > 1e-2);
    }

    @Test
    void alignedInitOfTwoClassesUsesPlusMinusOneTargets() {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(30, 4, 0.0, 2));
        DeepNetModel model = DeepNetTrainer.builder().hidden(4, 4).initialization(Initialization.ALIGNED).initScale(0.5)
                .steps(0).build().train(data);
        assertTrue(maxCommutator(model.getNetwork()) < 1e-12);
        // the end-to-end P = W2 W1 W0 (1 × 4) points along ± Σ_n y_n x_n
        double[] c = new double[4];
        for (var example : data) {
            double y = example.getOutput().getLabel().equals(data.getOutputIDInfo().getOutput(1).getLabel()) ? 1 : -1;
            for (var feature : example) {
                c[data.getFeatureIDMap().getID(feature.getName())] += y * feature.getValue();
            }
        }
        NetworkDescription net = model.getNetwork();
        double[] product = multiply(multiply(net.layer(2).weights(), net.layer(1).weights()), net.layer(0).weights());
        assertEquals(1.0, Math.abs(cosine(product, c)), 1e-12);
    }

    private static double[] multiply(WeightMatrix a, WeightMatrix b) {
        double[] out = new double[a.getRows() * b.getColumns()];
        for (int i = 0; i < a.getRows(); i++) {
            for (int j = 0; j < b.getColumns(); j++) {
                for (int t = 0; t < a.getColumns(); t++) {
                    out[i * b.getColumns() + j] += a.get(i, t) * b.get(t, j);
                }
            }
        }
        return out;
    }

    private static double[] multiply(double[] rowVector, WeightMatrix b) {
        return multiply(WeightMatrix.fromRowMajor(1, rowVector.length, rowVector), b);
    }

    private static double cosine(double[] a, double[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    /** C = Σ_n y_n x_nᵀ (classes × features) with one-hot y_n, in the model's id orders. */
    private static double[][] crossCovariance(MutableDataset<Label> data) {
        double[][] c = new double[FEATURES][FEATURES];
        for (var example : data) {
            int label = data.getOutputIDInfo().getID(example.getOutput());
            for (var feature : example) {
                c[label][data.getFeatureIDMap().getID(feature.getName())] += feature.getValue();
            }
        }
        return c;
    }

    private static double squaredNorm(double[][] m) {
        double s = 0;
        for (double[] row : m) {
            for (double v : row) {
                s += v * v;
            }
        }
        return s;
    }

    private static int largest(double[] x) {
        int best = 0;
        for (int j = 1; j < x.length; j++) {
            if (x[j] > x[best]) {
                best = j;
            }
        }
        return best;
    }

    /** The largest commutator score c of science.md 2.7 over the network's adjacent pairs, as the analyzer gives it. */
    static double maxCommutator(NetworkDescription network) {
        AnalysisReport report = WeightAnalyzer.create().analyze(network);
        double max = 0;
        for (PairMetrics pair : report.pairs()) {
            Double c = pair.commutatorScore();
            assertNotNull(c);
            max = Math.max(max, c);
        }
        return max;
    }

    /**
     * 50 points in 5 dimensions with Σ_n x_n x_nᵀ = 50·I exactly (orthonormal Gaussian columns scaled by √N), each
     * in the class of its largest coordinate; all five classes occur.
     */
    private static MutableDataset<Label> whitenedFiveClasses() {
        double[][] columns = Matrices.orthonormalColumns(EXAMPLES, FEATURES, 11);
        for (double[] column : columns) {
            for (int n = 0; n < EXAMPLES; n++) {
                column[n] *= Math.sqrt(EXAMPLES);
            }
        }
        String[] names = SeparableDataSource.featureNames(FEATURES);
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("whitened", new LabelFactory()),
                new LabelFactory());
        for (int n = 0; n < EXAMPLES; n++) {
            double[] x = new double[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                x[j] = columns[j][n];
            }
            data.add(new ArrayExample<>(new Label("c" + largest(x)), names, x));
        }
        assertEquals(FEATURES, data.getOutputIDInfo().size(), "every class occurs");
        return data;
    }
}
