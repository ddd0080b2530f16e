package dev.invariance.data;

/**
 * Input data cannot be used. The message is one line naming the file and, where it applies, the line and
 * column, for example {@code data.csv: line 7, column 'x3': 'abc' is not a number}.
 */
public final class InvalidDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message the one-line description */
    public InvalidDataException(String message) {
        super(message);
    }

    /**
     * @param message the one-line description
     * @param cause   the underlying failure
     */
    public InvalidDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
