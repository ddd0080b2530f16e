/**
 * Running a read ONNX model with ONNX Runtime for the data-dependent analysis: one session per model (external
 * tensors handed over from the locations the reader checked, never by path), the activation probe that counts each
 * layer's ReLU patterns over streamed data, the label evaluation from that same session's outputs, and the device
 * choice (CPU, CUDA). {@link dev.invariance.onnx.running.OnnxDataAnalyzer} is the entry point.
 */
@NullMarked
package dev.invariance.onnx.running;

import org.jspecify.annotations.NullMarked;
