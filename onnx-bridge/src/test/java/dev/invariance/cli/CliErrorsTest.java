package dev.invariance.cli;

import dev.invariance.data.InvalidDataException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How execution failures become exit codes: bad input in one line, programming errors with their trace. */
class CliErrorsTest {
    private record Outcome(int code, String err) {
    }

    private static Outcome fail(Exception e) {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(CommandLine.Model.CommandSpec.create().name("invariance"));
        cmd.setErr(new PrintWriter(err, true));
        int code = CliErrors.onExecutionError(e, cmd, null);
        return new Outcome(code, err.toString());
    }

    @Test
    void badDataIsExitTwoInOneLine() {
        Outcome o = fail(new InvalidDataException("data.csv: line 3, column 'a': 'x' is not a number"));
        assertEquals(InvarianceCommand.BAD_INPUT, o.code());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains("line 3, column 'a'"), o.err());
    }

    @Test
    void notEnoughHeapIsAnExpectedFailureInOneLine() {
        Outcome o = fail(new dev.invariance.analysis.InsufficientMemoryException(
                "layer 'W' (500 x 100000 float32) needs about 988 MB of heap; run with -Xmx2g or more", 2L << 30));
        assertEquals(InvarianceCommand.FAILED, o.code());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertFalse(o.err().contains("internal error"), o.err());
        assertTrue(o.err().contains("run with -Xmx2g"), o.err());
    }

    @Test
    void anUnusableOutputPathIsExitTwo() {
        assertEquals(InvarianceCommand.BAD_INPUT, fail(new BadInputException("out: is a folder, expected a file name")).code());
    }

    @Test
    void aBareIllegalArgumentExceptionIsAProgrammingErrorWithItsTrace() {
        Outcome o = fail(new IllegalArgumentException("index -1 out of range"));
        assertEquals(InvarianceCommand.FAILED, o.code());
        assertTrue(o.err().contains("internal error (java.lang.IllegalArgumentException): index -1 out of range"), o.err());
        assertTrue(o.err().contains("\tat "), "stack trace: " + o.err());
    }

    @Test
    void aNullPointerIsAProgrammingErrorNotBadInput() {
        Outcome o = fail(new NullPointerException("layer"));
        assertEquals(InvarianceCommand.FAILED, o.code());
        assertFalse(CliErrors.isBadInput(new NullPointerException()));
        assertTrue(o.err().contains("internal error"), o.err());
    }
}
