/**
 * The neutral description of a feed-forward network: named dense layers in the {@code W} (d_out × d_in)
 * convention, the activation after each, the element type they were stored in, and the residual
 * additions between them. The trainer's model and the ONNX reader produce it; the analyzer consumes
 * only it. It depends on neither Tribuo nor ONNX Runtime.
 */
@NullMarked
package dev.invariance.network;

import org.jspecify.annotations.NullMarked;
