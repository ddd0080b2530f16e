package dev.invariance.training;

import java.io.Serializable;
import java.util.List;

/**
 * The training loss over steps: at most about a thousand evenly spaced points plus the last step. For
 * full-batch GD the loss is over all examples; for minibatch optimisers it is the current batch's loss.
 *
 * @param steps     step numbers (updates applied before the loss was measured), increasing
 * @param losses    the mean loss at each step (0 after underflow)
 * @param logLosses its natural logarithm, finite after underflow
 */
public record LossCurve(List<Long> steps, List<Double> losses, List<Double> logLosses) implements Serializable {
    /** Copies the lists and checks they have equal length. */
    public LossCurve {
        steps = List.copyOf(steps);
        losses = List.copyOf(losses);
        logLosses = List.copyOf(logLosses);
        if (steps.size() != losses.size() || steps.size() != logLosses.size()) {
            throw new IllegalArgumentException("loss curve lists differ in length");
        }
    }

    /** The last recorded loss, or NaN for an empty curve (Kotlin: {@code lossCurve.finalLoss}). */
    public double getFinalLoss() {
        return losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
    }

    /**
     * The old name of {@link #getFinalLoss()}, kept while code written against it is merged.
     *
     * @deprecated use {@link #getFinalLoss()} ({@code finalLoss} in Kotlin)
     */
    @Deprecated(forRemoval = true)
    public double finalLoss() {
        return getFinalLoss();
    }
}
