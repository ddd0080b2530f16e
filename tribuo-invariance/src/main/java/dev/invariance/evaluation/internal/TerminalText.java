package dev.invariance.evaluation.internal;

/**
 * Text from files (tensor, node and label names, paths, producers) made safe to print on a terminal: control
 * characters are shown as escapes instead of acting. A name holding {@code ESC ] 0 ; … BEL} would otherwise set the
 * window's title, {@code ESC [ 2 J} would clear the screen, and a newline would cut a one-line message before its
 * cause. Escaped: the C0 and C1 control characters and DEL ({@code \n}, {@code \r}, {@code \t} by those names, the
 * others as {@code \u001b}), the line and paragraph separators and the bidirectional formatting characters (which
 * reorder what is shown). Everything else, backslashes included, is left as it is. JSON output needs none of
 * this: its writer escapes control characters itself.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** {@code text} with every character {@link TerminalText} escapes shown as its escape: one line, inert. */
    public static String escape(String text) {
        return escape(text, false);
    }

    /**
     * {@code text} with the characters {@link TerminalText} escapes shown as escapes, except its line breaks
     * ({@code \n}, {@code \r}) and tabs: for tables and other multi-line text whose lines are the printer's own, with
     * every name in them already passed through {@link #escape(String)}.
     */
    public static String escapeKeepingLines(String text) {
        return escape(text, true);
    }

    private static String escape(String text, boolean keepLines) {
        int first = firstToEscape(text, keepLines);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c, keepLines)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static int firstToEscape(String text, boolean keepLines) {
        for (int i = 0; i < text.length(); i++) {
            if (needsEscape(text.charAt(i), keepLines)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean needsEscape(char c, boolean keepLines) {
        if (keepLines && (c == '\n' || c == '\r' || c == '\t')) {
            return false;
        }
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029' || c == '\u061c'
                || c == '\u200e' || c == '\u200f' || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
    }
}
