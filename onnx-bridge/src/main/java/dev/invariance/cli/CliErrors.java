package dev.invariance.cli;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import dev.invariance.analysis.InsufficientMemoryException;
import dev.invariance.data.InvalidDataException;
import dev.invariance.evaluation.internal.TerminalText;
import dev.invariance.onnx.running.DeviceUnavailableException;
import dev.invariance.onnx.reading.InvalidModelException;
import dev.invariance.training.TrainingDivergedException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

/**
 * Turns failures into one line on standard error and an exit code; never a stack trace. The line is shown with
 * {@link TerminalText#escape}: a name in it cannot act on the terminal or break the line.
 */
final class CliErrors {
    private CliErrors() {
    }

    /**
     * A parameter error in one line: picocli's messages are one line, so a line feed in one comes from a value the
     * user gave and is shown escaped, not taken for the end of the message (which would cut off its cause).
     */
    static int onParameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println(prefix(cmd) + TerminalText.escape(String.valueOf(e.getMessage()).strip()) + " (see '"
                + cmd.getCommandSpec().qualifiedName() + " --help')");
        return InvarianceCommand.BAD_INPUT;
    }

    /**
     * Bad input (exit 2) and an expected failure such as divergence (exit 1) get one line. Anything else is a
     * bug, not the user's doing: one line saying so, then the stack trace for the report, exit 1.
     */
    static int onExecutionError(Exception e, CommandLine cmd, ParseResult parse) {
        if (isBadInput(e)) {
            cmd.getErr().println(prefix(cmd) + describe(e));
            return InvarianceCommand.BAD_INPUT;
        }
        if (e instanceof TrainingDivergedException || e instanceof InsufficientMemoryException) {
            cmd.getErr().println(prefix(cmd) + describe(e));
            return InvarianceCommand.FAILED;
        }
        cmd.getErr().println(prefix(cmd) + "internal error (" + e.getClass().getName() + "): " + describe(e)
                + "; please report it with the trace below");
        e.printStackTrace(cmd.getErr());
        cmd.getErr().flush();
        return InvarianceCommand.FAILED;
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": error: ";
    }

    /**
     * The exceptions that mean the input was unusable: data and model files ({@link InvalidDataException}), trainer
     * settings ({@link PropertyException}), files ({@link IOException}) and command-line values
     * ({@link BadInputException}). A bare {@code IllegalArgumentException} is not among them: the commands turn
     * the ones that do come from input into one of these where they arise.
     */
    static boolean isBadInput(Throwable e) {
        return e instanceof InvalidDataException || e instanceof InvalidModelException || e instanceof BadInputException
                || e instanceof DeviceUnavailableException
                || e instanceof PropertyException || e instanceof IOException || e instanceof UncheckedIOException;
    }

    /**
     * The failure as one line: the whole message of this project's own exceptions (one line by design; a newline
     * in a name is escaped, not cut), the first line of anyone else's, control characters escaped.
     */
    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException n) {
            return TerminalText.escape(n.getFile() + ": no such file");
        }
        if (e instanceof TrainingDivergedException || e instanceof InvalidDataException
                || e instanceof InvalidModelException || e instanceof DeviceUnavailableException
                || e instanceof InsufficientMemoryException || e instanceof BadInputException) {
            return TerminalText.escape(String.valueOf(e.getMessage()).strip());
        }
        if (e instanceof PropertyException p) {
            return TerminalText.escape(oneLine(p.getMsg()));
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : TerminalText.escape(oneLine(m));
    }

    /** The first line of {@code message} ({@code "null"} when there is none), stripped. */
    static String oneLine(@Nullable String message) {
        String m = String.valueOf(message).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
