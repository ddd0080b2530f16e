package dev.invariance.cli;

import dev.invariance.onnx.reading.UntrustedModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Names from a file cannot act on the terminal: a tensor named with the escape sequences that set the window's title
 * ({@code ESC ] 0 ; … BEL}) and clear the screen ({@code ESC [ 2 J}) is shown with those characters escaped in the
 * table, the notes and the error line, and a name starting with a newline does not cut the error line before its
 * cause.
 */
class TerminalEscapesTest {
    private static final String TITLE_AND_CLEAR = "\u001b]0;pwned\u0007W\u001b[2J";

    @TempDir
    Path dir;

    private static void assertNoControlCharacters(String text) {
        for (char c : text.toCharArray()) {
            assertFalse(c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f,
                    "control character " + (int) c + " printed raw in: " + text);
        }
    }

    @Test
    void namesWithTerminalEscapesAreShownEscapedInTheTable() throws IOException {
        Path f = UntrustedModelFiles.gemmNamed(dir, TITLE_AND_CLEAR);
        CliRun.Result r = CliRun.invariance("analyze", f.toString());
        assertEquals(0, r.code(), r.err());
        assertNoControlCharacters(r.out());
        assertNoControlCharacters(r.err());
        assertTrue(r.out().contains("\\u001b]0;pwned\\u0007W\\u001b[2J"), r.out());
    }

    @Test
    void aNameStartingWithANewlineDoesNotCutTheErrorLine() throws IOException {
        Path f = UntrustedModelFiles.nanGemmNamed(dir, "\nW" + TITLE_AND_CLEAR);
        CliRun.Result r = CliRun.invariance("analyze", f.toString());
        assertEquals(InvarianceCommand.BAD_INPUT, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertNoControlCharacters(r.err().strip());
        assertTrue(r.err().contains("tensor '\\nW\\u001b]0;pwned\\u0007W\\u001b[2J' holds NaN"), r.err());
    }
}
