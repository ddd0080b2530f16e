package dev.invariance.deepnet;

import dev.invariance.training.LossFunction;

/**
 * Builds a {@link DeepNetTrainer}: the shared settings of {@link AbstractDeepNetTrainerBuilder} (chained
 * {@code steps(20_000)} or Kotlin properties {@code steps = 20_000}), plus the classifier's loss and feature
 * standardisation.
 * <pre>{@code
 * // Java
 * DeepNetTrainer t = DeepNetTrainer.builder().hidden(10, 10).initScale(0.1).steps(20_000).build();
 * // Kotlin
 * val t = DeepNetTrainer.builder().apply { hidden = listOf(10, 10); initScale = 0.1; steps = 20_000 }.build()
 * }</pre>
 */
public final class DeepNetTrainerBuilder extends AbstractDeepNetTrainerBuilder<DeepNetTrainerBuilder, DeepNetTrainer> {

    DeepNetTrainerBuilder() {
        super(DeepNetTrainer.withDefaults());
    }

    @Override
    protected DeepNetTrainerBuilder self() {
        return this;
    }

    /** The loss (default logistic). */
    public DeepNetTrainerBuilder setLoss(LossFunction loss) {
        draft().loss = loss;
        return this;
    }

    /** Chained form of {@link #setLoss}. */
    public DeepNetTrainerBuilder loss(LossFunction loss) {
        return setLoss(loss);
    }

    /** The loss. */
    public LossFunction getLoss() {
        return draft().loss;
    }

    /**
     * Standardise every feature to mean 0 and deviation 1 with the training data's statistics (default false): for raw
     * data whose features differ in scale by orders of magnitude, where the default step size diverges. The model
     * applies the same map to every input and its ONNX export takes raw features; the analysis reports the weights
     * as trained (on the standardised features). Centred data need {@code bias(true)} when a class sits in the
     * middle of the data (iris), since a bias-free network outputs 0 at the centre.
     */
    public DeepNetTrainerBuilder setStandardize(boolean standardize) {
        draft().standardize = standardize;
        return this;
    }

    /** Chained form of {@link #setStandardize}. */
    public DeepNetTrainerBuilder standardize(boolean standardize) {
        return setStandardize(standardize);
    }

    /** Whether features are standardised with the training data's statistics. */
    public boolean getStandardize() {
        return draft().standardize;
    }

    /**
     * Builds and validates the trainer.
     *
     * @throws com.oracle.labs.mlrg.olcut.config.PropertyException naming an invalid setting
     */
    public DeepNetTrainer build() {
        return configure(DeepNetTrainer.withDefaults());
    }
}
