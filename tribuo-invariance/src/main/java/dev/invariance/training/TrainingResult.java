package dev.invariance.training;

import dev.invariance.network.NetworkDescription;

/**
 * What a training run produced.
 *
 * @param network    the trained weights (W in d_out × d_in convention, element type = training precision)
 * @param lossCurve  the loss over steps
 * @param stepsRun   number of parameter updates applied
 * @param stopReason why training ended
 */
public record TrainingResult(NetworkDescription network, LossCurve lossCurve, long stepsRun, StopReason stopReason) {
}
