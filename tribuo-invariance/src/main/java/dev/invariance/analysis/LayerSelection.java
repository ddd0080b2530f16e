package dev.invariance.analysis;

import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which layers an analysis covers: those whose name or module path ({@link dev.invariance.network.LayerOrigin#module})
 * contains a match of a Java regular expression ({@link Matcher#find()}); edges are kept between selected layers
 * only. {@code LayerSelection.matching("encoder\\.layer\\.(0|1)\\.")}, then
 * {@link AnalysisOptions.Builder#layers(LayerSelection)}.
 *
 * <p>Names come from untrusted files, and the reader does not bound their length (a protobuf string can be as long as
 * the file), so matching is bounded here instead: the pattern is at most {@value #MAX_PATTERN_LENGTH} characters, and
 * all matching over one network reads at most {@value #MAX_CHARACTER_READS} characters of names (every read a
 * backtracking regular expression makes counts); a selection that needs more, or that overflows the matcher's stack,
 * is refused in one line instead of running for hours.
 */
public final class LayerSelection {
    /** The longest pattern accepted. */
    public static final int MAX_PATTERN_LENGTH = 1000;

    /** The most characters of layer names all the matching over one network may read. */
    public static final long MAX_CHARACTER_READS = 100_000_000L;

    private final Pattern pattern;

    private LayerSelection(Pattern pattern) {
        this.pattern = pattern;
    }

    /**
     * The layers whose name or module path contains a match of {@code regex}.
     *
     * @throws IllegalArgumentException in one line naming the pattern, when it is longer than
     *                                  {@value #MAX_PATTERN_LENGTH} characters or not a valid regular expression
     */
    public static LayerSelection matching(String regex) {
        if (regex.length() > MAX_PATTERN_LENGTH) {
            throw new IllegalArgumentException("layer pattern of " + regex.length() + " characters is longer than the "
                    + MAX_PATTERN_LENGTH + " accepted");
        }
        try {
            return new LayerSelection(Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("layer pattern '" + regex + "' is not a valid regular expression: "
                    + e.getDescription() + " near index " + e.getIndex());
        } catch (StackOverflowError e) {
            throw new IllegalArgumentException("layer pattern '" + regex + "' nests too deeply to compile");
        }
    }

    /** The regular expression, as given. */
    public String getPattern() {
        return pattern.pattern();
    }

    /**
     * The indices (in {@code outline.layers()} order) of the selected layers.
     *
     * @throws IllegalArgumentException in one line naming the pattern, when it selects no layer or matching it
     *                                  would read more than {@value #MAX_CHARACTER_READS} characters of names
     */
    public List<Integer> indicesIn(NetworkOutline outline) {
        ReadBudget budget = new ReadBudget();
        List<Integer> selected = new ArrayList<>();
        List<LayerOutline> layers = outline.layers();
        try {
            for (int i = 0; i < layers.size(); i++) {
                LayerOutline o = layers.get(i);
                if (finds(o.name(), budget) || finds(o.origin().module(), budget)) {
                    selected.add(i);
                }
            }
        } catch (ReadBudget.Exhausted | StackOverflowError e) {
            throw new IllegalArgumentException("layer pattern '" + getPattern() + "' is too costly to match on this "
                    + "model's layer names (more than " + MAX_CHARACTER_READS + " characters read, or too deep a "
                    + "backtracking); give a simpler pattern");
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("layer pattern '" + getPattern() + "' matches no layer name or module "
                    + "path of the " + layers.size() + " layers");
        }
        return List.copyOf(selected);
    }

    private boolean finds(String text, ReadBudget budget) {
        return pattern.matcher(budget.counting(text)).find();
    }

    @Override
    public String toString() {
        return "LayerSelection(" + getPattern() + ")";
    }

    /** Counts the characters the matcher reads across all names, and stops it past the limit. */
    private static final class ReadBudget {
        private long left = MAX_CHARACTER_READS;

        /** Thrown from inside the matcher when the budget is spent (no stack trace: it is control flow). */
        static final class Exhausted extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Exhausted() {
                super(null, null, false, false);
            }
        }

        CharSequence counting(String text) {
            return new Counted(text, 0, text.length());
        }

        private final class Counted implements CharSequence {
            private final String text;
            private final int from;
            private final int to;

            Counted(String text, int from, int to) {
                this.text = text;
                this.from = from;
                this.to = to;
            }

            @Override
            public int length() {
                return to - from;
            }

            @Override
            public char charAt(int index) {
                if (--left < 0) {
                    throw new Exhausted();
                }
                return text.charAt(from + index);
            }

            @Override
            public CharSequence subSequence(int start, int end) {
                return new Counted(text, from + start, from + end);
            }

            @Override
            public String toString() {
                return text.substring(from, to);
            }
        }
    }
}
