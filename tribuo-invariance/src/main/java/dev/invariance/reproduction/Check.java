package dev.invariance.reproduction;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One acceptance check of science.md section 3 as decided by a run: {@code A1.1 PASS rho_min=0.9972 a_min=1.0000
 * cos=0.9993 loss=3.2e-05}.
 *
 * @param id      the check's id in science.md, for example {@code "A1.1"}
 * @param claim   what the check asserts, in one sentence with its thresholds
 * @param verdict the outcome
 * @param figures the figures measured, by name, in the order they are printed (names without spaces or {@code =})
 * @param summary one line saying what the figures mean for the claim (which criterion failed, why not applicable)
 */
public record Check(String id, String claim, Verdict verdict, Map<String, Double> figures, String summary) {
    /** Copies the figures, keeping their order, and refuses names that would not print as {@code name=value}. */
    public Check {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(summary, "summary");
        for (String name : figures.keySet()) {
            if (name.isEmpty() || name.chars().anyMatch(c -> c == '=' || Character.isWhitespace(c))) {
                throw new IllegalArgumentException("check " + id + ": the figure name '" + name
                        + "' is empty or holds a space or '='");
            }
        }
        figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
    }

    /** A check whose criterion holds. */
    public static Check pass(String id, String claim, Map<String, Double> figures, String summary) {
        return new Check(id, claim, Verdict.PASS, figures, summary);
    }

    /** A check whose criterion does not hold. */
    public static Check fail(String id, String claim, Map<String, Double> figures, String summary) {
        return new Check(id, claim, Verdict.FAIL, figures, summary);
    }

    /** A "report only" check: its figures are printed and never fail the run. */
    public static Check reported(String id, String claim, Map<String, Double> figures, String summary) {
        return new Check(id, claim, Verdict.REPORTED, figures, summary);
    }

    /** A check whose precondition does not hold in this run; it neither passes nor fails. */
    public static Check notApplicable(String id, String claim, Map<String, Double> figures, String summary) {
        return new Check(id, claim, Verdict.NOT_APPLICABLE, figures, summary);
    }

    /** {@link #pass} when {@code holds}, {@link #fail} otherwise. */
    public static Check asserted(String id, String claim, boolean holds, Map<String, Double> figures, String summary) {
        return holds ? pass(id, claim, figures, summary) : fail(id, claim, figures, summary);
    }

    /**
     * The check on one line: id, verdict and every figure as {@code name=value}. Values from 10⁻³ up to 10⁵ have four
     * decimals ({@code 0.9972}, {@code 1.0000}); others four significant digits in scientific notation without
     * trailing zeros ({@code 3.2e-05}, {@code 1.234e+06}).
     */
    public String line() {
        StringBuilder s = new StringBuilder(id).append(' ').append(verdict.name());
        figures.forEach((name, value) -> s.append(' ').append(name).append('=').append(format(value)));
        return s.toString();
    }

    /** A figure as {@link #line()} prints it. */
    public static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        double a = Math.abs(value);
        if (a == 0 || (a >= 1e-3 && a < 1e5)) {
            return String.format(Locale.ROOT, "%.4f", value);
        }
        String e = String.format(Locale.ROOT, "%.3e", value);
        int exp = e.indexOf('e');
        String mantissa = e.substring(0, exp).replaceAll("0+$", "").replaceAll("\\.$", "");
        return mantissa + e.substring(exp);
    }
}
