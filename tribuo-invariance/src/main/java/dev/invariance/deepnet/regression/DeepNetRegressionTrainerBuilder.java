package dev.invariance.deepnet.regression;

import dev.invariance.deepnet.AbstractDeepNetTrainerBuilder;

/**
 * Builds a {@link DeepNetRegressionTrainer}: the settings shared with the classifier's builder, chained or as Kotlin
 * properties; the loss is always the square loss.
 * <pre>{@code
 * // Java
 * DeepNetRegressionTrainer t = DeepNetRegressionTrainer.builder().hidden(50).activation(Activation.RELU)
 *         .initScale(1e-3).learningRate(0.05).steps(40_000).build();
 * // Kotlin
 * val t = DeepNetRegressionTrainer.builder().apply { hidden = listOf(50); steps = 40_000 }.build()
 * }</pre>
 */
public final class DeepNetRegressionTrainerBuilder
        extends AbstractDeepNetTrainerBuilder<DeepNetRegressionTrainerBuilder, DeepNetRegressionTrainer> {

    DeepNetRegressionTrainerBuilder() {
        super(DeepNetRegressionTrainer.withDefaults());
    }

    @Override
    protected DeepNetRegressionTrainerBuilder self() {
        return this;
    }

    /**
     * Builds and validates the trainer.
     *
     * @throws com.oracle.labs.mlrg.olcut.config.PropertyException naming an invalid setting
     */
    public DeepNetRegressionTrainer build() {
        return configure(DeepNetRegressionTrainer.withDefaults());
    }
}
