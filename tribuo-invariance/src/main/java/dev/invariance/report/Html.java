package dev.invariance.report;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Locale;

/**
 * The HTML text of the report: escaping, figures as table cells, tables, figures. Every string from a model (layer
 * names, operator names, producer) passes {@link #text}; nothing here writes a script, a link or a URL other than a
 * PNG data URI.
 */
final class Html {
    /** The cell of a figure that was not computed (the top-k spectrum mode), as in the analysis tables. */
    static final String NOT_COMPUTED = "–";
    /** The line under a table with a {@value #NOT_COMPUTED} cell. */
    static final String LEGEND = NOT_COMPUTED + " not computed: the top-k spectrum mode leaves out the figures that"
            + " need every singular value or both full matrices.";

    private final StringBuilder out = new StringBuilder(1 << 16);

    /** Text with {@code & < > " '} escaped and control characters shown as {@code \}{@code uXXXX}. */
    static String text(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (Character.isISOControl(c) || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** A figure with four significant digits; {@value #NOT_COMPUTED} for null (not computed), NaN for undefined. */
    static String figure(@Nullable Double v) {
        if (v == null) {
            return NOT_COMPUTED;
        }
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == 0.0) {
            return "0";
        }
        double a = Math.abs(v);
        return a >= 1e5 || a < 1e-3 ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    /** A count; {@value #NOT_COMPUTED} for null. */
    static String count(@Nullable Number v) {
        return v == null ? NOT_COMPUTED : String.format(Locale.ROOT, "%,d", v.longValue());
    }

    Html raw(String html) {
        out.append(html);
        return this;
    }

    Html line(String html) {
        out.append(html).append('\n');
        return this;
    }

    /** {@code <tag>escaped text</tag>}. */
    Html element(String tag, String content) {
        out.append('<').append(tag).append('>').append(text(content)).append("</").append(tag).append(">\n");
        return this;
    }

    /** A table: the header cells (escaped) and the rows (cells already HTML); numeric columns are right-aligned. */
    Html table(String caption, List<String> header, List<List<String>> rows) {
        out.append("<table><caption>").append(text(caption)).append("</caption>\n<thead><tr>");
        for (String h : header) {
            out.append("<th>").append(text(h)).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            out.append("<tr>");
            for (String cell : row) {
                out.append(cell.startsWith("<td") ? cell : "<td>" + cell + "</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</tbody></table>\n");
        return this;
    }

    /** A numeric cell (right-aligned). */
    static String num(String formatted) {
        return "<td class=\"n\">" + text(formatted) + "</td>";
    }

    /** A figure: the plot as a PNG data URI, its title and its one-sentence caption. */
    Html figure(Charts.Plot plot) {
        out.append("<figure id=\"").append(text(plot.id())).append("\"><img class=\"plot\" src=\"")
                .append(plot.dataUri()).append("\" width=\"").append(Charts.WIDTH).append("\" height=\"")
                .append(Charts.HEIGHT).append("\" alt=\"").append(text(plot.title())).append("\">")
                .append("<figcaption><b>").append(text(plot.title())).append(".</b> ").append(text(plot.caption()))
                .append("</figcaption></figure>\n");
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
