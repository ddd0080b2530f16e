package dev.invariance.training.internal;

import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.StepSchedule;
import dev.invariance.network.ElementType;

/**
 * Every setting of one training run that changes its result.
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because
 * {@code DeepNetTrainer} (package {@code deepnet}) and the benchmark harness call the engine across packages; it may
 * change without notice. Users train through {@code DeepNetTrainer}.
 *
 * @param loss            the loss
 * @param optimizer       the update rule
 * @param batchSize       minibatch size for SGD and Adam (ignored by GD, which always uses the full batch)
 * @param learningRate    η₀
 * @param schedule        how η changes over steps
 * @param decayPower      p of the decreasing schedule
 * @param maxLearningRate η_max, the cap of the normalised schedule
 * @param backtracking    undo a full-batch step that raises the loss and halve η (normalised schedule)
 * @param steps           number of parameter updates
 * @param adamBeta1       Adam's β₁
 * @param adamBeta2       Adam's β₂
 * @param adamEpsilon     Adam's ε
 * @param precision       FLOAT64 or FLOAT32: the type of weights, activations and products
 */
public record TrainingConfig(LossFunction loss, OptimizerKind optimizer, int batchSize, double learningRate,
                             StepSchedule schedule, double decayPower, double maxLearningRate,
                             boolean backtracking, long steps, double adamBeta1, double adamBeta2,
                             double adamEpsilon, ElementType precision) {
    /** Validates ranges with messages naming the setting. */
    public TrainingConfig {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be non-negative, got " + steps);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (!(maxLearningRate > 0)) {
            throw new IllegalArgumentException("max learning rate must be positive, got " + maxLearningRate);
        }
        if (precision != ElementType.FLOAT64 && precision != ElementType.FLOAT32) {
            throw new IllegalArgumentException("precision must be float64 or float32, got " + precision);
        }
    }
}
