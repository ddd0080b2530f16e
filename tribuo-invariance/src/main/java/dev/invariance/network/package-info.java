/**
 * The neutral description of a network as a data-flow graph: its inputs, its named dense layers (in the {@code W}
 * (d_out × d_in) convention, with the activation after each and the element type they were stored in) and its
 * outputs are the nodes ({@link dev.invariance.network.GraphNode}); each edge lists the operations a value passes and
 * how the producer's units reach the consumer's columns ({@link dev.invariance.network.UnitMapping}). A chain with
 * residual additions is the special case {@link dev.invariance.network.NetworkDescription#residualChain} builds. The
 * trainer's model and the ONNX reader produce it; the analyzer consumes only it. It depends on neither Tribuo nor
 * ONNX Runtime.
 */
@NullMarked
package dev.invariance.network;

import org.jspecify.annotations.NullMarked;
