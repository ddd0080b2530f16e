package dev.invariance.onnx.running;

/**
 * The options of a run cannot be used with this model on this machine (a batch whose buffers would not fit the memory
 * budget). The message is one line naming the option, what it needs and what is allowed. Checked before anything of
 * that size is allocated.
 */
public final class InvalidOptionsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message the one-line description */
    public InvalidOptionsException(String message) {
        super(message);
    }
}
