package dev.invariance.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvmProgressLinesTest {
    @Test
    void quietAtFirstThenAtMostOneLinePerIntervalWithoutCarriageReturns() {
        StringWriter sw = new StringWriter();
        SvmProgressLines p = new SvmProgressLines(new PrintWriter(sw), "invariance analyze: ", 2_000, 1_000);
        p.onEpoch(1, 1, 100, 0.5, 1_000);   // still quiet
        p.onEpoch(2, 2, 100, 0.25, 2_500);  // first line
        p.onEpoch(3, 3, 100, 0.125, 3_000); // too soon
        p.onEpoch(4, 4, 100, 0.0625, 3_600); // next line
        String[] lines = sw.toString().split("\n");
        assertEquals(2, lines.length, sw.toString());
        assertEquals("invariance analyze: max-margin solver: pass 2 over 100 examples, 2 in the active set,"
                + " violation 2.50e-01, 0.0 s", lines[0]);
        assertFalse(sw.toString().contains("\r"));
    }

    @Test
    void theCommandsReporterPrintsAfterTwoSecondsAndNothingWithQuiet() {
        StringWriter shown = new StringWriter();
        SvmProgressLines.forCommand(new PrintWriter(shown), "invariance analyze", false).onEpoch(9, 3, 100, 0.5,
                3_000_000_000L);
        assertTrue(shown.toString().startsWith("invariance analyze: max-margin solver: pass 9"), shown.toString());
        StringWriter quiet = new StringWriter();
        SvmProgressLines.forCommand(new PrintWriter(quiet), "invariance analyze", true).onEpoch(9, 3, 100, 0.5,
                3_000_000_000L);
        assertEquals("", quiet.toString());
    }
}
