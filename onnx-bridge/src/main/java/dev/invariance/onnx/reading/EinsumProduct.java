package dev.invariance.onnx.reading;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An {@code Einsum} of an activation and a constant 2-D operand read as a dense layer: its equation must be a
 * matrix product over the activation's last axis, {@code …k, ok -> …o} or {@code …k, ko -> …o}, where {@code …} are
 * the activation's other axes (letters or an ellipsis, kept in order in the output) and the constant's letters are the
 * contracted {@code k} and a new output letter {@code o}. The constant {@code [o, k]} is then {@code W} (d_out × d_in,
 * science.md 1.2) as stored ({@code bi,oi->bo}, {@code bti,oi->bto}), and {@code [k, o]} is {@code Wᵀ}
 * ({@code bi,io->bo}). Spaces are ignored; without {@code ->} the output is ONNX's implicit one (an ellipsis first,
 * then the letters that occur once, in alphabetical order). Anything else (a contraction over another axis, a
 * constant with a batch axis, a diagonal, a weighting like {@code btj,tj->bj}) is not a matrix product.
 *
 * @param transpose whether {@code W} is the constant operand transposed
 */
record EinsumProduct(boolean transpose) {
    /** The longest equation read; a longer one is not taken for a matrix product. */
    static final int MAX_EQUATION = 256;
    private static final String ELLIPSIS = "...";

    /**
     * The product {@code equation} makes with its constant operand at position {@code constantOperand} (0 or 1), or
     * null when it is not a matrix product over the other operand's last axis.
     */
    static @Nullable EinsumProduct of(String equation, int constantOperand) {
        String eq = equation.replaceAll("\\s", "");
        if (eq.length() > MAX_EQUATION || (constantOperand != 0 && constantOperand != 1)) {
            return null;
        }
        int arrow = eq.indexOf("->");
        String[] terms = (arrow < 0 ? eq : eq.substring(0, arrow)).split(",", -1);
        if (terms.length != 2) {
            return null;
        }
        List<String> activation = subscripts(terms[1 - constantOperand]);
        List<String> constant = subscripts(terms[constantOperand]);
        if (activation == null || constant == null) {
            return null;
        }
        List<String> output = arrow < 0 ? implicitOutput(activation, constant) : subscripts(eq.substring(arrow + 2));
        if (output == null || constant.size() != 2 || constant.contains(ELLIPSIS)
                || constant.get(0).equals(constant.get(1)) || activation.isEmpty()
                || new HashSet<>(activation).size() != activation.size()) {
            return null;
        }
        String contracted = activation.get(activation.size() - 1);
        int k = constant.indexOf(contracted);
        if (k < 0) {
            return null;
        }
        String produced = constant.get(1 - k);
        List<String> expected = new ArrayList<>(activation);
        expected.set(expected.size() - 1, produced);
        if (activation.contains(produced) || !expected.equals(output)) {
            return null;
        }
        return new EinsumProduct(k == 0); // [k, o] is W transposed; [o, k] is W
    }

    /** The subscripts of one term: single letters and at most one ellipsis; null for anything else. */
    private static @Nullable List<String> subscripts(String term) {
        List<String> out = new ArrayList<>(term.length());
        int i = 0;
        while (i < term.length()) {
            char c = term.charAt(i);
            if (term.startsWith(ELLIPSIS, i)) {
                if (out.contains(ELLIPSIS)) {
                    return null;
                }
                out.add(ELLIPSIS);
                i += ELLIPSIS.length();
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                out.add(String.valueOf(c));
                i++;
            } else {
                return null;
            }
        }
        return out;
    }

    /** ONNX's output when the equation gives none: an ellipsis first, then the letters occurring once, sorted. */
    private static List<String> implicitOutput(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        Set<String> once = new TreeSet<>();
        for (String s : all) {
            if (!s.equals(ELLIPSIS) && all.indexOf(s) == all.lastIndexOf(s)) {
                once.add(s);
            }
        }
        List<String> out = new ArrayList<>();
        if (all.contains(ELLIPSIS)) {
            out.add(ELLIPSIS);
        }
        out.addAll(once);
        return out;
    }
}
