/**
 * Reading ONNX models into the neutral network description ({@code dev.invariance.network}) and running them with
 * ONNX Runtime for data-dependent analysis. An ONNX file is untrusted input: every structural problem is reported as
 * an {@link dev.invariance.onnx.InvalidModelException} naming the file and the cause.
 */
@NullMarked
package dev.invariance.onnx;

import org.jspecify.annotations.NullMarked;
