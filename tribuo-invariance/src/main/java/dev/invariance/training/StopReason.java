package dev.invariance.training;

/** Why a training run ended. */
public enum StopReason {
    /** All requested steps were taken. */
    COMPLETED,
    /** The loss reached exactly 0 in floating point; further gradients would be 0 (science.md 4.2(d)). */
    LOSS_UNDERFLOW,
    /** Backtracking halved the step size below 1e-30 of its initial value without decreasing the loss. */
    STEP_SIZE_VANISHED
}
