package dev.invariance.deepnet;

import com.oracle.labs.mlrg.olcut.config.Config;
import dev.invariance.data.DenseFeatures;
import dev.invariance.training.LossFunction;
import dev.invariance.training.TrainingListener;
import dev.invariance.training.internal.TrainingData;
import dev.invariance.training.internal.TrainingResult;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;

/**
 * Trains {@link DeepNetModel}s: deep linear or ReLU feed-forward classifiers trained by gradient descent, in
 * the regimes of the implicit-bias theory (science.md sections 1 and 4) and for ordinary Tribuo pipelines.
 * Every setting that changes the result is an OLCUT {@code @Config} field (here and in
 * {@link AbstractDeepNetTrainer}), so a model's provenance describes its trainer completely and
 * {@code ProvenanceUtil.extractConfiguration} rebuilds it; with the invocation count restored
 * ({@link #setInvocationCount}) retraining gives bit-identical weights.
 *
 * <p>Two classes use ONE output unit with labels ±1 (the positive class is the label with output id 1);
 * k &gt; 2 classes use k outputs. Defaults follow the papers: bias-free linear layers, logistic loss,
 * full-batch gradient descent with a constant step, Gaussian LeCun init, float64.
 * The hidden layers may be diagonal or circulant ({@code structure}, Yun et al. 2021; trained on their own
 * parameters), and the layers may start aligned with the data ({@code Initialization.ALIGNED}, Radhakrishnan et al.
 * 2020).
 *
 * <p>Progress: a {@link TrainingListener} set with {@link #setListener} (or on the builder) receives checkpoints from
 * every {@code train} call, including those Tribuo makes ({@code CrossValidation}); {@link #train(Dataset,
 * TrainingListener)} reports one run to its own listener. Listeners are not configuration: they change neither the
 * weights nor the provenance.
 */
public final class DeepNetTrainer extends AbstractDeepNetTrainer<Label, DeepNetModel> {

    // Package-private, as the shared settings are, so that DeepNetTrainerBuilder writes straight into a draft.

    @Config(description = "Loss: LOGISTIC (softmax cross-entropy for k > 2 classes), EXPONENTIAL or SQUARED.")
    LossFunction loss = LossFunction.LOGISTIC;

    @Config(description = "Standardise every feature to mean 0 and deviation 1 with statistics of the training data"
            + " (kept in the model, applied to every input and folded into the ONNX export).")
    boolean standardize = false;

    /** For OLCUT. */
    private DeepNetTrainer() {
    }

    /** A trainer holding the field defaults, unvalidated: the builder's draft. */
    static DeepNetTrainer withDefaults() {
        return new DeepNetTrainer();
    }

    /** A builder with the defaults described on the class. */
    public static DeepNetTrainerBuilder builder() {
        return new DeepNetTrainerBuilder();
    }

    /** Refuses a dataset of a single class. */
    @Override
    protected void checkTrainable(Dataset<Label> examples) {
        ImmutableOutputInfo<Label> outputInfo = examples.getOutputIDInfo();
        if (outputInfo.size() < 2) {
            throw new IllegalArgumentException("training data has a single class " + outputInfo.getDomain()
                    + "; a classifier needs at least two");
        }
    }

    @Override
    protected DeepNetModel fit(Dataset<Label> examples, Run run) {
        ImmutableFeatureMap featureMap = examples.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = examples.getOutputIDInfo();
        TrainingData data = toTrainingData(examples, featureMap, outputInfo);
        FeatureStandardization standardization = null;
        if (standardize) {
            standardization = FeatureStandardization.fit(data, 0.0);
            data = standardization.applyTo(data);
        }
        TrainingResult result = run.train(data, loss, DeepNetModel.class.getSimpleName());
        return new DeepNetModel("deep-net-model", run.modelProvenance(DeepNetModel.class.getName(), examples),
                featureMap, outputInfo, result.network(), loss, result.lossCurve(), result.stepsRun(),
                result.stopReason(), standardization, run.structure());
    }

    /** Dense features in feature-id order, class ids from the output domain, example weights. */
    static TrainingData toTrainingData(Dataset<Label> examples, ImmutableFeatureMap featureMap,
                                       ImmutableOutputInfo<Label> outputInfo) {
        int n = examples.size();
        int d = featureMap.size();
        double[] x = new double[n * d];
        int[] classes = new int[n];
        double[] weights = new double[n];
        int row = 0;
        for (Example<Label> example : examples) {
            DenseFeatures.fill(featureMap, example, x, row * d);
            classes[row] = outputInfo.getID(example.getOutput());
            weights[row] = example.getWeight();
            row++;
        }
        return new TrainingData(x, d, classes, outputInfo.size(), weights);
    }

    @Override
    String ownSettings() {
        return ",loss=" + loss;
    }

    @Override
    String ownSettingsAfterAdam() {
        return ",standardize=" + standardize;
    }
}
