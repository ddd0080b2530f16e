package dev.invariance.cli;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import dev.invariance.data.InvalidDataException;
import dev.invariance.onnx.DeviceUnavailableException;
import dev.invariance.onnx.InvalidModelException;
import dev.invariance.training.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

/** Turns failures into one line on standard error and an exit code; never a stack trace. */
final class CliErrors {
    private CliErrors() {
    }

    static int onParameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println(prefix(cmd) + oneLine(e.getMessage()) + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        return InvarianceCommand.BAD_INPUT;
    }

    static int onExecutionError(Exception e, CommandLine cmd, ParseResult parse) {
        cmd.getErr().println(prefix(cmd) + describe(e));
        return isBadInput(e) ? InvarianceCommand.BAD_INPUT : InvarianceCommand.FAILED;
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": error: ";
    }

    static boolean isBadInput(Throwable e) {
        return e instanceof InvalidDataException || e instanceof InvalidModelException
                || e instanceof DeviceUnavailableException || e instanceof IllegalArgumentException
                || e instanceof PropertyException || e instanceof IOException || e instanceof UncheckedIOException;
    }

    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": no such file";
        }
        if (e instanceof TrainingDivergedException || e instanceof InvalidDataException
                || e instanceof InvalidModelException || e instanceof DeviceUnavailableException) {
            return oneLine(e.getMessage());
        }
        if (e instanceof PropertyException p) {
            return oneLine(p.getMsg());
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : oneLine(m);
    }

    static String oneLine(String message) {
        String m = String.valueOf(message).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
