package dev.invariance.data;

/**
 * Whole numbers in CSV cells, for integer model inputs (token ids): {@code [+-]digits}, optionally followed by a point
 * and zeros only ({@code 3.0}, as a float column writes a whole number), surrounded by optional spaces, and within
 * the range of the integer type read. Exponents, fractions and Java's other literals are not whole numbers here; the
 * value is exact (no detour through {@code double}, which loses integers above 2^53).
 */
final class WholeCells {
    private WholeCells() {
    }

    /**
     * Whether {@code chars[from, to)} is a whole number within {@code [min, max]} ({@link #value} then gives it;
     * otherwise {@link #problem} says why not).
     */
    static boolean isWhole(char[] chars, int from, int to, long min, long max) {
        int start = DecimalCells.skipSpaces(chars, from, to);
        int end = wholeEnd(chars, start, DecimalCells.trimEnd(chars, start, to));
        if (end < 0) {
            return false;
        }
        long v = 0;
        boolean negative = chars[start] == '-';
        int i = chars[start] == '+' || negative ? start + 1 : start;
        for (; i < end; i++) {
            int d = chars[i] - '0';
            // accumulated on the negative side, which holds Long.MIN_VALUE
            if (v < (Long.MIN_VALUE + d) / 10) {
                return false;
            }
            v = v * 10 - d;
        }
        if (!negative && v == Long.MIN_VALUE) {
            return false;
        }
        long value = negative ? v : -v;
        return value >= min && value <= max;
    }

    /** The value of a cell that {@link #isWhole} accepted. */
    static long value(char[] chars, int from, int to) {
        int start = DecimalCells.skipSpaces(chars, from, to);
        int end = wholeEnd(chars, start, DecimalCells.trimEnd(chars, start, to));
        return Long.parseLong(new String(chars, start, end - start));
    }

    /**
     * Why {@code cell} is not a whole number of the type named {@code type} with range {@code [min, max]}, as
     * {@link CsvRecordReader#shown} shows it: {@code empty cell}, {@code '2.5' is not a whole number (an int64 input
     * takes integers)} or {@code '3000000000' is outside the int32 range [-2147483648, 2147483647]}.
     */
    static String problem(String cell, String type, long min, long max) {
        String value = cell.trim();
        if (value.isEmpty()) {
            return "empty cell";
        }
        String shown = "'" + CsvRecordReader.shown(value) + "'";
        char[] c = value.toCharArray();
        if (wholeEnd(c, 0, c.length) < 0) {
            return shown + " is not a whole number (an " + type + " input takes integers)";
        }
        return shown + " is outside the " + type + " range [" + min + ", " + max + "]";
    }

    /**
     * The end of the integer part of {@code c[from, to)} when it is {@code [+-]digits[.0*]} with at least one digit,
     * else -1.
     */
    private static int wholeEnd(char[] c, int from, int to) {
        int i = from;
        if (i < to && (c[i] == '+' || c[i] == '-')) {
            i++;
        }
        int digits = i;
        while (i < to && c[i] >= '0' && c[i] <= '9') {
            i++;
        }
        if (i == digits) {
            return -1;
        }
        int end = i;
        if (i < to && c[i] == '.') {
            i++;
            while (i < to && c[i] == '0') {
                i++;
            }
        }
        return i == to ? end : -1;
    }
}
