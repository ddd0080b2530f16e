package dev.invariance.onnx.reading;

/**
 * An ONNX file that cannot be read safely: not a protobuf model, truncated, inconsistent (a payload that does not
 * match its declared shape), too large to allocate, non-finite weights, external data outside the model's folder,
 * cycles, unsupported element types. The message is one line that names the file and the cause; the command line
 * prints it and exits with code 2. This is the only exception the reader throws for a bad file (the fuzz test holds
 * it to that).
 */
public final class InvalidModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A one-line message naming the file and the cause. */
    public InvalidModelException(String message) {
        super(message);
    }

    /** A one-line message naming the file and the cause, with the underlying failure for {@code --debug}. */
    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
