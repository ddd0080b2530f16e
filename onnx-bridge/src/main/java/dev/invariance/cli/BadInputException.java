package dev.invariance.cli;

/**
 * Something named on the command line cannot be used (an output folder that is not writable, a folder given
 * as a file name). The command line reports it in one line with exit code 2; the library's own
 * {@code IllegalArgumentException}s are not taken for bad input, since they may be programming errors.
 */
final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadInputException(String message) {
        super(message);
    }
}
