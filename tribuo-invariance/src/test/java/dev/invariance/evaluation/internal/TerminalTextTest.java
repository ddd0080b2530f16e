package dev.invariance.evaluation.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** What {@link TerminalText} escapes and what it leaves alone. */
class TerminalTextTest {
    @Test
    void terminalEscapeSequencesAreShownNotActedOn() {
        assertEquals("\\u001b]0;title\\u0007 \\u001b[2J", TerminalText.escape("\u001b]0;title\u0007 \u001b[2J"));
    }

    @Test
    void lineBreaksAndTabsAreEscapedInOneLineText() {
        assertEquals("\\nW\\r\\tx", TerminalText.escape("\nW\r\tx"));
    }

    @Test
    void c1ControlsDeleteAndBidirectionalOverridesAreEscaped() {
        assertEquals("a\\u009b2Jb\\u007fc\\u202ed\\u2066e\\u2028", TerminalText.escape("a\u009b2Jb\u007fc\u202ed\u2066e\u2028"));
    }

    @Test
    void printableTextIsReturnedAsItIs() {
        String name = "blocks.0/attn\\c_proj.weight@Gemm_0 é 漢 →";
        assertSame(name, TerminalText.escape(name));
    }

    @Test
    void multiLineTextKeepsItsLinesAndTabs() {
        assertEquals("Layer\tshape\nW\\u001b[2J  2x2\r\n", TerminalText.escapeKeepingLines("Layer\tshape\nW\u001b[2J  2x2\r\n"));
    }
}
