package dev.invariance.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    public record Opened(OrtSession session, String provider, @Nullable Integer deviceId, @Nullable Path temporary)
            implements AutoCloseable {
        /** Closes the session and deletes the temporary copy of the model, if one was written. */
        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
            } finally {
                deleteTemporary(temporary);
            }
        }
    }

    /** The process's ONNX Runtime environment. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * Opens a session for {@code model} on {@code device}. A model without external data is handed to ONNX Runtime
     * from memory. ONNX Runtime 1.20 refuses external data in a model given from memory ("model_path must not be
     * empty"), so a model with external data (its locations made absolute, see
     * {@link ActivationProbe#withOutputs}) is written to a temporary file, which {@link Opened#close()} deletes.
     *
     * @param source what to name in messages (the model file)
     * @param notes  receives the one-line note when {@code auto} falls back to the CPU
     * @throws DeviceUnavailableException for {@code cuda} when the CUDA execution provider cannot be used
     * @throws InvalidModelException      when ONNX Runtime rejects the model
     */
    public static Opened open(OrtEnvironment env, OnnxMl.ModelProto model, String source, ExecutionDevice device,
                              Consumer<String> notes) {
        Path temporary = null;
        if (hasExternalData(model)) {
            try {
                Path dir = Files.createTempDirectory("invariance-onnx");
                temporary = dir.resolve("model.onnx");
                try (OutputStream out = Files.newOutputStream(temporary)) {
                    model.writeTo(out);
                }
            } catch (IOException e) {
                deleteTemporary(temporary);
                throw new UncheckedIOException("cannot write a temporary copy of " + source + ": " + e.getMessage(), e);
            }
        }
        byte[] bytes = temporary == null ? model.toByteArray() : null;
        try {
            return open(env, bytes, temporary, source, device, notes);
        } catch (RuntimeException e) {
            deleteTemporary(temporary);
            throw e;
        }
    }

    private static Opened open(OrtEnvironment env, byte @Nullable [] bytes, @Nullable Path file, String source,
                               ExecutionDevice device, Consumer<String> notes) {
        if (device.kind() != ExecutionDevice.Kind.CPU) {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            try {
                options.addCUDA(device.deviceId());
                return new Opened(session(env, bytes, file, options), CUDA_PROVIDER, device.deviceId(), file);
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
            return new Opened(session(env, bytes, file, options), CPU_PROVIDER, null, file);
        } catch (OrtException e) {
            throw new InvalidModelException(source + ": ONNX Runtime cannot load the model ("
                    + firstLine(e.getMessage()) + ")", e);
        }
    }

    private static OrtSession session(OrtEnvironment env, byte @Nullable [] bytes, @Nullable Path file,
                                      OrtSession.SessionOptions options) throws OrtException {
        return bytes != null ? env.createSession(bytes, options) : env.createSession(String.valueOf(file), options);
    }

    /** Whether an initializer of the main graph keeps its values in an external file. */
    static boolean hasExternalData(OnnxMl.ModelProto model) {
        for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
                return true;
            }
        }
        return false;
    }

    private static void deleteTemporary(@Nullable Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        } catch (IOException ignored) {
            // a leftover file in the temporary folder is harmless
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
