package dev.invariance.evaluation;

import org.jspecify.annotations.Nullable;

import java.util.Locale;

/**
 * What ran a model over the data of an evaluation: the JSON's {@code "execution"} object and the last line of the
 * table. An ONNX model with data is run by ONNX Runtime ({@code provider} in its own spelling, for example
 * {@code CPUExecutionProvider}); a Tribuo model is run in memory by this library's Java code (provider
 * {@value #JAVA}, no device, no ONNX Runtime version).
 *
 * @param provider           ONNX Runtime's execution provider that ran the session, or {@value #JAVA}
 * @param deviceId           the CUDA device ordinal, or null (the CPU, or the Java forward pass)
 * @param onnxruntimeVersion the version of the loaded ONNX Runtime library, or null when ONNX Runtime did not run
 *                           the model
 * @param examples           the number of examples run
 * @param seconds            wall-clock seconds spent running the model over the data and observing its layers: for
 *                           ONNX Runtime also reading the data file; in Java, Tribuo's predictions (when the
 *                           evaluator made them) and the forward pass that records the ReLU patterns
 */
public record Execution(String provider, @Nullable Integer deviceId, @Nullable String onnxruntimeVersion,
                        long examples, double seconds) {
    /** The provider of a model run in memory by this library's Java code (a Tribuo model). */
    public static final String JAVA = "java";

    /** A run by this library's Java forward pass. */
    public static Execution inJava(long examples, double seconds) {
        return new Execution(JAVA, null, null, examples, seconds);
    }

    /**
     * One line for the end of a table: {@code Executed by ONNX Runtime 1.20.0 on CPUExecutionProvider: 60 examples
     * in 0.017 s}, or {@code Executed in Java: 150 examples in 0.004 s}.
     */
    public String describe() {
        String by = onnxruntimeVersion == null ? "in Java" : "by ONNX Runtime " + onnxruntimeVersion + " on "
                + provider + (deviceId == null ? "" : " (device " + deviceId + ")");
        return String.format(Locale.ROOT, "Executed %s: %d examples in %.3f s", by, examples, seconds);
    }
}
