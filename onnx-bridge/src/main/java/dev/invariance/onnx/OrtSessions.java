package dev.invariance.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import org.jspecify.annotations.Nullable;

import java.util.function.Consumer;

/**
 * Opens ONNX Runtime sessions on an {@link ExecutionDevice}. There is one {@link OrtEnvironment} per process
 * ({@link OrtEnvironment#getEnvironment()}); sessions and their options are closed by their owners.
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
     * An open session and the provider it runs on.
     *
     * @param session  the session (close it)
     * @param provider {@link #CPU_PROVIDER} or {@link #CUDA_PROVIDER}
     * @param deviceId the CUDA device ordinal, or null on the CPU
     */
    public record Opened(OrtSession session, String provider, @Nullable Integer deviceId) implements AutoCloseable {
        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
            }
        }
    }

    /** The process's ONNX Runtime environment. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * Opens a session for the serialised model {@code model} on {@code device}.
     *
     * @param source what to name in messages (the model file)
     * @param notes  receives the one-line note when {@code auto} falls back to the CPU
     * @throws DeviceUnavailableException for {@code cuda} when the CUDA execution provider cannot be used
     * @throws InvalidModelException      when ONNX Runtime rejects the model
     */
    public static Opened open(OrtEnvironment env, byte[] model, String source, ExecutionDevice device,
                              Consumer<String> notes) {
        if (device.kind() != ExecutionDevice.Kind.CPU) {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            try {
                options.addCUDA(device.deviceId());
                OrtSession session = env.createSession(model, options);
                return new Opened(session, CUDA_PROVIDER, device.deviceId());
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
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            return new Opened(env.createSession(model, options), CPU_PROVIDER, null);
        } catch (OrtException e) {
            throw new InvalidModelException(source + ": ONNX Runtime cannot load the model ("
                    + firstLine(e.getMessage()) + ")", e);
        }
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
