package dev.invariance.onnx;

import org.jspecify.annotations.Nullable;

/**
 * How a model was executed: the JSON's {@code "execution"} object and part of the evaluation's provenance.
 *
 * @param provider           the execution provider that ran the session, in ONNX Runtime's own spelling
 *                           ({@code CPUExecutionProvider}, {@code CUDAExecutionProvider})
 * @param deviceId           the CUDA device ordinal, or null on the CPU
 * @param onnxruntimeVersion the version of the loaded ONNX Runtime library
 * @param examples           the number of examples run
 * @param seconds            wall-clock seconds spent reading, running and observing the data
 */
public record OrtExecution(String provider, @Nullable Integer deviceId, String onnxruntimeVersion, long examples,
                           double seconds) {
}
