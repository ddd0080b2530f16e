/**
 * Reading ONNX models into the neutral network description ({@code dev.invariance.network}), from the protobuf
 * alone: {@link dev.invariance.onnx.reading.OnnxModelReader} opens a file, checks it, and gives an
 * {@link dev.invariance.onnx.reading.OnnxModel} whose outline is known at once and whose layers load one at a time
 * in the {@code W} (d_out × d_in) convention. No ONNX Runtime class is reachable from this package (a test holds
 * it), so reading and the weight analysis need no native library. An ONNX file is untrusted input: every structural
 * problem is reported as an {@link dev.invariance.onnx.reading.InvalidModelException} naming the file and the cause.
 */
@NullMarked
package dev.invariance.onnx.reading;

import org.jspecify.annotations.NullMarked;
