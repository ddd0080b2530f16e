package dev.invariance.training;

import dev.invariance.network.NetworkDescription;

/**
 * The state of training after {@code step} parameter updates (step 0 is the initialisation).
 *
 * @param step     number of updates applied so far
 * @param loss     the mean training loss (over the full data set for full-batch GD, over the current
 *                 minibatch otherwise); may be exactly 0 once it underflows
 * @param logLoss  the natural logarithm of {@code loss}, computed with log-sum-exp so that it stays finite
 *                 after {@code loss} underflows
 * @param network  an immutable copy of the weights in the {@code W} (d_out × d_in) convention
 */
public record TrainingCheckpoint(long step, double loss, double logLoss, NetworkDescription network) {
}
