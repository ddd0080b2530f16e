package dev.invariance.onnx.running;

/**
 * The requested execution device cannot be used: {@code --device cuda} when ONNX Runtime cannot load its CUDA
 * execution provider (the CPU-only {@code onnxruntime} jar, or {@code onnxruntime_gpu} without the CUDA 12 / cuDNN 9
 * libraries). The message is one line that quotes ONNX Runtime's own reason (which names the missing library); the
 * command line prints it and exits with code 2.
 */
public final class DeviceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A one-line message naming the device and ONNX Runtime's reason. */
    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
