package dev.invariance.data;

/**
 * Numbers in CSV cells: decimal notation only, {@code [+-]digits[.digits][(e|E)[+-]digits]} with digits on at least
 * one side of the point ({@code 1e5}, {@code -0.5}, {@code +3}, {@code .5}, {@code 5.}), surrounded by optional
 * spaces. Java's other literals ({@code 0x1p3}, {@code 2d}, {@code 1.5f}) are not numbers here, and {@code NaN},
 * {@code Infinity} and values beyond the double range ({@code 1e400}) are not finite. The value is
 * {@link Double#parseDouble}'s, so it equals what Tribuo's CSV loader reads for the same cell.
 */
final class DecimalCells {
    private DecimalCells() {
    }

    /**
     * The finite value of {@code chars[from, to)}, or NaN when the cell is empty, not a decimal number or not finite
     * ({@link #problem} then says which).
     */
    static double parse(char[] chars, int from, int to) {
        int start = skipSpaces(chars, from, to);
        int end = trimEnd(chars, start, to);
        if (start == end || !isDecimal(chars, start, end)) {
            return Double.NaN;
        }
        double value = Double.parseDouble(new String(chars, start, end - start));
        return Double.isFinite(value) ? value : Double.NaN;
    }

    /**
     * Why {@code cell} is not a finite number: {@code empty cell}, {@code 'x' is not a number} or
     * {@code 'x' is not finite}, the cell shown as {@link CsvRecordReader#shown} shows it.
     */
    static String problem(String cell) {
        String value = cell.trim();
        if (value.isEmpty()) {
            return "empty cell";
        }
        String shown = "'" + CsvRecordReader.shown(value) + "'";
        String word = value.startsWith("+") || value.startsWith("-") ? value.substring(1) : value;
        if (word.equalsIgnoreCase("nan") || word.equalsIgnoreCase("inf") || word.equalsIgnoreCase("infinity")
                || isDecimal(value.toCharArray(), 0, value.length())) {
            return shown + " is not finite";
        }
        return shown + " is not a number";
    }

    private static boolean isDecimal(char[] c, int from, int to) {
        int i = from;
        if (c[i] == '+' || c[i] == '-') {
            i++;
        }
        int digits = 0;
        while (i < to && isDigit(c[i])) {
            i++;
            digits++;
        }
        if (i < to && c[i] == '.') {
            i++;
            while (i < to && isDigit(c[i])) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < to && (c[i] == 'e' || c[i] == 'E')) {
            i++;
            if (i < to && (c[i] == '+' || c[i] == '-')) {
                i++;
            }
            int exponent = 0;
            while (i < to && isDigit(c[i])) {
                i++;
                exponent++;
            }
            if (exponent == 0) {
                return false;
            }
        }
        return i == to;
    }

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    /** As {@link String#trim()}: characters up to U+0020 are spaces. */
    static int skipSpaces(char[] c, int from, int to) {
        int i = from;
        while (i < to && c[i] <= ' ') {
            i++;
        }
        return i;
    }

    /** The end of {@code c[from, to)} without its trailing spaces (characters up to U+0020). */
    static int trimEnd(char[] c, int from, int to) {
        int i = to;
        while (i > from && c[i - 1] <= ' ') {
            i--;
        }
        return i;
    }
}
