package dev.invariance.onnx.running.internal;

import dev.invariance.onnx.running.DeviceUnavailableException;
import dev.invariance.onnx.running.ExecutionDevice;
import dev.invariance.onnx.reading.InvalidModelException;
import dev.invariance.onnx.reading.OnnxModel;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.function.Consumer;

/**
 * Opens ONNX Runtime sessions on an {@link ExecutionDevice}. There is one {@link OrtEnvironment} per process
 * ({@link #environment(boolean)}); sessions and their options are closed by their owners. ONNX Runtime's own log lines
 * are off (fatal errors only) unless asked for, so a refusal is one line of ours.
 * <p>
 * CUDA: the default build bundles the CPU-only {@code onnxruntime} jar, whose ONNX Runtime answers
 * "Failed to find CUDA shared provider"; the {@code -Pcuda} build bundles {@code onnxruntime_gpu}, which loads
 * {@code libonnxruntime_providers_cuda.so} and through it CUDA 12 and cuDNN 9 ({@code libcudart.so.12},
 * {@code libcublas.so.12}, {@code libcublasLt.so.12}, {@code libcudnn.so.9}); a missing library is named in ONNX
 * Runtime's message, which the {@link DeviceUnavailableException} quotes.
 */
public final class OrtSessions {
    /** ONNX Runtime's name of its CPU execution provider. */
    public static final String CPU_PROVIDER = "CPUExecutionProvider";
    /** ONNX Runtime's name of its CUDA execution provider. */
    public static final String CUDA_PROVIDER = "CUDAExecutionProvider";

    private OrtSessions() {
    }

    /**
     * An open session, the provider it runs on, and what it was given (which must outlive it).
     * {@link #close()} closes both.
     */
    public static final class Opened implements AutoCloseable {
        private final OrtSession session;
        private final String provider;
        private final @Nullable Integer deviceId;
        private final SessionModel model;

        private Opened(OrtSession session, String provider, @Nullable Integer deviceId, SessionModel model) {
            this.session = session;
            this.provider = provider;
            this.deviceId = deviceId;
            this.model = model;
        }

        /** The session. */
        public OrtSession session() {
            return session;
        }

        /** {@link #CPU_PROVIDER} or {@link #CUDA_PROVIDER}. */
        public String provider() {
            return provider;
        }

        /** The CUDA device ordinal, or null on the CPU. */
        public @Nullable Integer deviceId() {
            return deviceId;
        }

        /** Closes the session, then releases the external initializers it used. */
        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
            } finally {
                model.close();
            }
        }
    }

    /**
     * The process's ONNX Runtime environment, quiet: ONNX Runtime's own log lines (which come before our one-line
     * messages on standard error) are shown only when the first caller asked for them ({@link #environment(boolean)}).
     */
    public static OrtEnvironment environment() {
        return environment(false);
    }

    /**
     * The process's ONNX Runtime environment. The first call creates it, logging ONNX Runtime's warnings and errors
     * when {@code runtimeLog} is true and only fatal errors otherwise, with the native libraries loaded from a private
     * temporary folder ({@link OrtNativeLibraries}); later calls return that one.
     */
    public static synchronized OrtEnvironment environment(boolean runtimeLog) {
        if (environment == null) {
            environment = OrtNativeLibraries.loadWhile(() ->
                    OrtEnvironment.getEnvironment(logLevel(runtimeLog), "invariance"));
        }
        return environment;
    }

    private static @Nullable OrtEnvironment environment;

    private static OrtLoggingLevel logLevel(boolean runtimeLog) {
        return runtimeLog ? OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING : OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
    }

    /**
     * Opens one session for the reader's {@code model} on {@code device}, with {@code extraOutputs} added as graph
     * outputs. ONNX Runtime gets the model from memory, its external data from the locations checked when the model
     * was opened, mapped, never by path ({@link SessionModel}); nothing is written to disk.
     *
     * @param runtimeLog whether ONNX Runtime logs its warnings and errors for this session (else only fatal ones)
     * @param notes      receives the one-line note when {@code auto} falls back to the CPU
     * @throws DeviceUnavailableException for {@code cuda} when the CUDA execution provider cannot be used
     * @throws InvalidModelException      when ONNX Runtime rejects the model or its external data cannot be read
     */
    public static Opened open(OrtEnvironment env, OnnxModel model, List<String> extraOutputs, ExecutionDevice device,
                              boolean runtimeLog, Consumer<String> notes) {
        return open(env, model, extraOutputs, null, new long[0], device, runtimeLog, notes);
    }

    /**
     * As {@link #open(OrtEnvironment, OnnxModel, List, ExecutionDevice, boolean, Consumer)}, with the shape of
     * {@code input} behind its batch axis fixed to {@code exampleShape} (null {@code input}: the inputs as declared).
     */
    public static Opened open(OrtEnvironment env, OnnxModel model, List<String> extraOutputs, @Nullable String input,
                              long[] exampleShape, ExecutionDevice device, boolean runtimeLog, Consumer<String> notes) {
        SessionModel given = SessionModel.of(env, model, extraOutputs, input, exampleShape);
        try {
            return open(env, given, model.info().path(), device, runtimeLog, notes);
        } catch (RuntimeException e) {
            given.close();
            throw e;
        }
    }

    private static Opened open(OrtEnvironment env, SessionModel model, String source, ExecutionDevice device,
                               boolean runtimeLog, Consumer<String> notes) {
        if (device.kind() != ExecutionDevice.Kind.CPU) {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            try {
                options.setSessionLogLevel(logLevel(runtimeLog));
                options.addCUDA(device.deviceId());
                model.configure(options, false);
                return new Opened(env.createSession(model.serialized(), options), CUDA_PROVIDER, device.deviceId(),
                        model);
            } catch (OrtException e) {
                String reason = cudaFailure(device, e);
                if (device.kind() == ExecutionDevice.Kind.CUDA) {
                    throw new DeviceUnavailableException(reason, e);
                }
                notes.accept("note: " + reason + "; running on " + CPU_PROVIDER);
            } finally {
                options.close();
            }
        }
        try {
            return new Opened(cpuSession(env, model, runtimeLog, true), CPU_PROVIDER, null, model);
        } catch (OrtException inPlace) {
            if (!model.hasInitializers()) {
                throw cannotLoad(source, inPlace);
            }
            // ONNX Runtime's optimizers cannot read an initializer shared in place (constant folding a Transpose, a
            // Cast or a DequantizeLinear of a weight fails): hand the weights over as copies instead
            try {
                return new Opened(cpuSession(env, model, runtimeLog, false), CPU_PROVIDER, null, model);
            } catch (OrtException copied) {
                throw cannotLoad(source, copied);
            }
        }
    }

    private static OrtSession cpuSession(OrtEnvironment env, SessionModel model, boolean runtimeLog, boolean inPlace)
            throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setSessionLogLevel(logLevel(runtimeLog));
            model.configure(options, inPlace);
            return env.createSession(model.serialized(), options);
        }
    }

    private static InvalidModelException cannotLoad(String source, OrtException e) {
        return new InvalidModelException(source + ": ONNX Runtime cannot load the model (" + firstLine(e.getMessage())
                + ")", e);
    }

    /** The one-line reason why the CUDA provider could not be used, quoting ONNX Runtime. */
    static String cudaFailure(ExecutionDevice device, OrtException e) {
        boolean gpuBuild = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        String hint = gpuBuild
                ? "onnxruntime_gpu needs CUDA 12 and cuDNN 9 (libcudart.so.12, libcublas.so.12, libcublasLt.so.12, "
                + "libcudnn.so.9) on the library path"
                : "this build bundles the CPU-only onnxruntime; build with 'mvn -Pcuda package' for onnxruntime_gpu, "
                + "which needs CUDA 12 and cuDNN 9";
        return "--device " + (device.kind() == ExecutionDevice.Kind.AUTO ? "auto" : "cuda:" + device.deviceId())
                + ": ONNX Runtime cannot use the CUDA execution provider: " + reason(e.getMessage()) + " (" + hint + ")";
    }

    /**
     * ONNX Runtime's own words without its framing: "Error code - ORT_EP_FAIL - message: X" gives X, and
     * "/onnxruntime_src/...cc:1539 ... [ONNXRuntimeError] : 1 : FAIL : X" gives X (which names the missing library).
     */
    static String reason(@Nullable String message) {
        String m = firstLine(message);
        int fail = m.lastIndexOf(" : FAIL : ");
        if (fail >= 0) {
            return m.substring(fail + " : FAIL : ".length()).strip();
        }
        int msg = m.indexOf("message: ");
        return msg >= 0 ? m.substring(msg + "message: ".length()).strip() : m;
    }

    static String firstLine(@Nullable String message) {
        String m = String.valueOf(message).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }
}
