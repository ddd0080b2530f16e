package dev.invariance.onnx.reading;

import dev.invariance.evaluation.internal.TerminalText;

/**
 * An ONNX file that cannot be read safely: not a protobuf model, truncated, inconsistent (a payload that does not
 * match its declared shape), too large to allocate, non-finite weights, external data outside the model's folder,
 * cycles, unsupported element types. The message is one line that names the file and the cause; the command line
 * prints it and exits with code 2. This is the only exception the reader throws for a bad file (the fuzz test holds
 * it to that).
 */
public final class InvalidModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A one-line message naming the file and the cause. The names in it come from the file: their control characters
     * are escaped ({@link TerminalText#escape}), so that a name with a line feed cannot break the line.
     */
    public InvalidModelException(String message) {
        super(TerminalText.escape(message));
    }

    /**
     * A one-line message naming the file and the cause (escaped as above), with the underlying failure for
     * {@code --debug}.
     */
    public InvalidModelException(String message, Throwable cause) {
        super(TerminalText.escape(message), cause);
    }
}
