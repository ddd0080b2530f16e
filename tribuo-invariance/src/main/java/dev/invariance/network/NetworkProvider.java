package dev.invariance.network;

/**
 * Anything that can describe its weights as a {@link NetworkDescription}: the trainer's models now, imported
 * ONNX models next. The analyzer and evaluator accept any provider.
 */
@FunctionalInterface
public interface NetworkProvider {
    /** The network's dense layers in the {@code W} (d_out × d_in) convention. */
    NetworkDescription getNetwork();
}
