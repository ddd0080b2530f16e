package dev.invariance.training.internal;

import dev.invariance.training.LossCurve;
import dev.invariance.training.StopReason;
import dev.invariance.network.NetworkDescription;

/**
 * What a training run produced.
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because
 * {@code DeepNetTrainer} (package {@code deepnet}) and the benchmark harness call the engine across packages; it may
 * change without notice. Users train through {@code DeepNetTrainer}.
 *
 * @param network    the trained weights (W in d_out × d_in convention, element type = training precision)
 * @param lossCurve  the loss over steps
 * @param stepsRun   number of parameter updates applied
 * @param stopReason why training ended
 */
public record TrainingResult(NetworkDescription network, LossCurve lossCurve, long stepsRun, StopReason stopReason) {
}
