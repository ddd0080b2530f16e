package dev.invariance.onnx.running;

import java.util.Locale;

/**
 * Where ONNX Runtime runs a model: {@code cpu}, {@code cuda} / {@code cuda:N} (the CUDA execution provider on GPU
 * N, default 0; failing when it cannot be loaded), or {@code auto} (CUDA device N when its provider loads, otherwise
 * the CPU with a one-line note).
 *
 * @param kind     cpu, cuda or auto
 * @param deviceId the CUDA device ordinal (0 for cpu)
 */
public record ExecutionDevice(Kind kind, int deviceId) {

    /** How the execution provider is chosen. */
    public enum Kind {
        /** ONNX Runtime's CPUExecutionProvider. */
        CPU,
        /** CUDAExecutionProvider, or an error when it cannot be loaded. */
        CUDA,
        /** CUDAExecutionProvider when it loads, else CPUExecutionProvider with a note. */
        AUTO
    }

    /** Checks the device ordinal. */
    public ExecutionDevice {
        if (deviceId < 0) {
            throw new IllegalArgumentException("device ordinal " + deviceId + " is negative");
        }
    }

    /** The CPU. */
    public static ExecutionDevice cpu() {
        return new ExecutionDevice(Kind.CPU, 0);
    }

    /** CUDA device {@code id}. */
    public static ExecutionDevice cuda(int id) {
        return new ExecutionDevice(Kind.CUDA, id);
    }

    /** CUDA device 0 when available, else the CPU. */
    public static ExecutionDevice auto() {
        return new ExecutionDevice(Kind.AUTO, 0);
    }

    /**
     * Parses {@code cpu}, {@code cuda}, {@code cuda:N}, {@code auto} or {@code auto:N} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    public static ExecutionDevice parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon);
        int id = 0;
        if (colon >= 0) {
            try {
                id = Integer.parseInt(t.substring(colon + 1));
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (id < 0 || name.equals("cpu")) {
                throw new IllegalArgumentException("unknown --device '" + text + "' (expected cpu, cuda, cuda:N or auto)");
            }
        }
        return switch (name) {
            case "cpu" -> cpu();
            case "cuda" -> cuda(id);
            case "auto" -> new ExecutionDevice(Kind.AUTO, id);
            default -> throw new IllegalArgumentException("unknown --device '" + text
                    + "' (expected cpu, cuda, cuda:N or auto)");
        };
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : kind.name().toLowerCase(Locale.ROOT) + ":" + deviceId;
    }
}
