package dev.invariance.network;

/**
 * Anything that can describe itself as a {@link NetworkDescription}, the data-flow graph of its dense layers: the
 * trainer's models (a chain, possibly with residual additions). Imported ONNX models are read into the same graph by
 * the ONNX reader. The analyzer and evaluator accept any provider.
 */
@FunctionalInterface
public interface NetworkProvider {
    /** The network's graph: its inputs, dense layers in the {@code W} (d_out × d_in) convention, outputs and edges. */
    NetworkDescription getNetwork();
}
