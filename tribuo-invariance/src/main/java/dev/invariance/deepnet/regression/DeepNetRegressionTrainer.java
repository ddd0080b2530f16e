package dev.invariance.deepnet.regression;

import dev.invariance.data.DenseFeatures;
import dev.invariance.deepnet.AbstractDeepNetTrainer;
import dev.invariance.training.LossFunction;
import dev.invariance.training.TrainingListener;
import dev.invariance.training.internal.TrainingData;
import dev.invariance.training.internal.TrainingResult;
import dev.invariance.training.internal.TrainingTargets;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.regression.ImmutableRegressionInfo;
import org.tribuo.regression.Regressor;

import java.util.ArrayList;
import java.util.List;

/**
 * Trains {@link DeepNetRegressionModel}s: deep linear or ReLU feed-forward networks f with one output per regression
 * dimension, by gradient descent on the square loss
 * <pre>
 *   L = Σₙ wₙ ℓₙ / Σₙ wₙ,   ℓₙ = ½ ‖f(xₙ) − yₙ‖²
 * </pre>
 * (the mean over the examples, or over the batch for SGD and Adam; wₙ the example weights, 1 by default), where
 * yₙ holds the example's {@link Regressor} values in the model's output order: output j is the dimension with
 * Tribuo output id j ({@link DeepNetRegressionModel#getDimensionNames()}). The network, optimiser, initialisation and
 * precision settings are those of the classifier ({@link AbstractDeepNetTrainer}), trained by the same engine; a
 * single output is the scalar regression of Timor et al. (f(x) = vᵀReLU(Wx)). The hidden layers may be diagonal or
 * circulant ({@code structure}), and {@code Initialization.ALIGNED} aligns the layers with the SVD of the
 * cross-covariance Σₙ yₙ xₙᵀ of the inputs and these real target vectors (Radhakrishnan et al. 2020). Every setting is an OLCUT
 * {@code @Config} field, so {@code ProvenanceReplay.retrain(provenance, DeepNetRegressionModel.class, false)}
 * retrains a model bit for bit. A non-finite loss raises {@code TrainingDivergedException}.
 *
 * <p>Progress: a {@link TrainingListener} set with {@link #setListener} (or on the builder) receives checkpoints
 * from every {@code train} call; listeners are not configuration.
 */
public final class DeepNetRegressionTrainer extends AbstractDeepNetTrainer<Regressor, DeepNetRegressionModel> {

    /** For OLCUT. */
    private DeepNetRegressionTrainer() {
    }

    /** A trainer holding the field defaults, unvalidated: the builder's draft. */
    static DeepNetRegressionTrainer withDefaults() {
        return new DeepNetRegressionTrainer();
    }

    /** A builder with the defaults described on {@link AbstractDeepNetTrainer} (hidden widths 16, 16; linear). */
    public static DeepNetRegressionTrainerBuilder builder() {
        return new DeepNetRegressionTrainerBuilder();
    }

    /** Refuses data without regression dimensions. */
    @Override
    protected void checkTrainable(Dataset<Regressor> examples) {
        if (examples.getOutputIDInfo().size() == 0) {
            throw new IllegalArgumentException("training data has no regression dimensions; a regressor needs at least one");
        }
    }

    @Override
    protected DeepNetRegressionModel fit(Dataset<Regressor> examples, Run run) {
        ImmutableFeatureMap featureMap = examples.getFeatureIDMap();
        ImmutableOutputInfo<Regressor> outputInfo = examples.getOutputIDInfo();
        TrainingData data = toTrainingData(examples, featureMap, outputInfo);
        TrainingResult result = run.train(data, LossFunction.SQUARED, DeepNetRegressionModel.class.getSimpleName());
        return new DeepNetRegressionModel("deep-net-regression-model",
                run.modelProvenance(DeepNetRegressionModel.class.getName(), examples), featureMap, outputInfo,
                result.network(), result.lossCurve(), result.stepsRun(), result.stopReason(), run.structure());
    }

    /**
     * Dense features in feature-id order, the target vectors in output-id order (output j is the dimension with id
     * j), example weights.
     *
     * @throws IllegalArgumentException naming the example and the dimension when an example lacks a dimension or
     *                                  its target is NaN or infinite
     */
    static TrainingData toTrainingData(Dataset<Regressor> examples, ImmutableFeatureMap featureMap,
                                       ImmutableOutputInfo<Regressor> outputInfo) {
        int n = examples.size();
        int d = featureMap.size();
        int k = outputInfo.size();
        List<String> names = dimensionNames(outputInfo);
        int[] natural = ((ImmutableRegressionInfo) outputInfo).getIDtoNaturalOrderMapping();
        double[] x = new double[n * d];
        double[] y = new double[n * k];
        double[] weights = new double[n];
        int row = 0;
        for (Example<Regressor> example : examples) {
            DenseFeatures.fill(featureMap, example, x, row * d);
            Regressor target = example.getOutput();
            String[] exampleNames = target.getNames();
            double[] values = target.getValues();
            for (int j = 0; j < k; j++) {
                int at = natural[j];
                if (exampleNames.length != k || !exampleNames[at].equals(names.get(j))) {
                    throw new IllegalArgumentException("example " + row + " has the regression dimensions "
                            + target.getDimensionNamesString() + ", not those of the data " + names);
                }
                if (!Double.isFinite(values[at])) {
                    throw new IllegalArgumentException("example " + row + " has the target " + values[at]
                            + " for regression dimension '" + names.get(j) + "'; targets must be finite");
                }
                y[row * k + j] = values[at];
            }
            weights[row] = example.getWeight();
            row++;
        }
        return new TrainingData(x, d, TrainingTargets.ofValues(y, k), weights);
    }

    /** The dimension names in output-id order. */
    static List<String> dimensionNames(ImmutableOutputInfo<Regressor> outputInfo) {
        List<String> names = new ArrayList<>(outputInfo.size());
        for (int id = 0; id < outputInfo.size(); id++) {
            names.add(outputInfo.getOutput(id).getNames()[0]);
        }
        return List.copyOf(names);
    }
}
