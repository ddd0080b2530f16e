package dev.invariance.cli;

import dev.invariance.analysis.internal.HeapSize;

import java.util.ArrayList;
import java.util.List;

/**
 * What training a network needs of the heap, from its widths and the data's size alone, so that {@code train}
 * refuses widths it cannot hold in one line before anything of their size is allocated (an option is untrusted
 * input: {@code --hidden 2147483647} would otherwise end in {@code OutOfMemoryError}, {@code --hidden 46341,46341} in a
 * negative array size).
 *
 * <p>With widths d_0 (features), d_1 … d_{L−1} ({@code --hidden}) and d_L (outputs), layer i holds d_{i+1} × d_i
 * weights. The estimate counts {@link #BYTES_PER_WEIGHT} per weight, {@link #BYTES_PER_UNIT} per unit and example of a
 * batch and {@link #BYTES_PER_VALUE} per feature value of the data: an upper bound on what the engine, the model and
 * its exports hold at once, so a network that passes does not run out of heap on account of its size.
 *
 * @param features d_0, at least 1
 * @param hidden   d_1 … d_{L−1} as given; a width that is not positive is the trainer's to refuse (in its own words),
 *                 so it counts as 1 here
 * @param outputs  d_L (or more), at least 1
 * @param batch    the examples in one batch
 * @param examples the examples in the data
 */
record TrainingMemory(int features, List<Integer> hidden, int outputs, int batch, int examples) {
    /**
     * Eight doubles per weight: the initial weights, the engine's weights and gradient, Adam's two moments, the copy
     * that backtracking keeps, the trained model's matrix and its serialised form.
     */
    static final long BYTES_PER_WEIGHT = 64;
    /** Five doubles per unit and example of a batch: pre- and post-activation, two gradients, a residual's sum. */
    static final long BYTES_PER_UNIT = 40;
    /** Three doubles per feature value: the trainer's dense copy, its standardised copy and the engine's. */
    static final long BYTES_PER_VALUE = 24;
    /** The longest Java array (a few words less than {@code Integer.MAX_VALUE}, as the JDK's own collections allow). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** Copies the widths. */
    TrainingMemory {
        hidden = List.copyOf(hidden);
    }

    /** The least any data asks for: one feature, one output, one example, so that widths can be checked first. */
    static TrainingMemory leastData(List<Integer> hidden) {
        return new TrainingMemory(1, hidden, 1, 1, 1);
    }

    /** The number of weights, Σ d_i · d_{i+1}, saturating at {@code Long.MAX_VALUE}. */
    long weights() {
        List<Integer> widths = widths();
        long total = 0;
        for (int i = 0; i + 1 < widths.size(); i++) {
            total = saturatedAdd(total, (long) widths.get(i) * widths.get(i + 1));
        }
        return total;
    }

    /** The heap training needs, in bytes (see the class comment), saturating at {@code Long.MAX_VALUE}. */
    long bytes() {
        long units = 0;
        for (int w : widths()) {
            units = saturatedAdd(units, w);
        }
        long data = saturatedMultiply(saturatedMultiply(Math.max(1, examples), Math.max(1, features)), BYTES_PER_VALUE);
        return saturatedAdd(saturatedAdd(saturatedMultiply(weights(), BYTES_PER_WEIGHT),
                saturatedMultiply(saturatedMultiply(units, BYTES_PER_UNIT), Math.max(1, batch))), data);
    }

    /**
     * Refuses widths whose training cannot be held: a layer with more weights than a Java array holds, a batch buffer
     * ({@code batch} × a width) beyond one, or more bytes in all than the heap's maximum.
     *
     * @param hiddenOption the {@code --hidden} value as given, for the message
     * @param heap         the heap's maximum in bytes
     * @throws BadInputException naming {@code --hidden}, what does not fit and what would
     */
    void check(String hiddenOption, long heap) {
        List<Integer> widths = widths();
        String option = "--hidden " + hiddenOption + ": ";
        String orMore = equals(leastData(hidden)) ? " or more" : "";
        for (int i = 0; i + 1 < widths.size(); i++) {
            long size = (long) widths.get(i) * widths.get(i + 1);
            if (size > MAX_ARRAY) {
                throw new BadInputException(option + "layer-" + i + " (" + widths.get(i + 1) + " units) would hold "
                        + size + orMore + " weights, more than a Java array holds (" + MAX_ARRAY + ")");
            }
            if ((long) widths.get(i + 1) * batch > MAX_ARRAY) {
                throw new BadInputException(option + "a batch of " + batch + " examples through " + widths.get(i + 1)
                        + " units is more values than a Java array holds (" + MAX_ARRAY + ")");
            }
        }
        long need = bytes();
        if (need > heap) {
            throw new BadInputException(option + "training " + weights() + orMore + " weights needs about "
                    + HeapSize.describe(need) + orMore + " of heap, more than the " + HeapSize.describe(heap)
                    + " this JVM may use; give smaller widths or run with " + HeapSize.maxHeapOption(need)
                    + " (INVARIANCE_JAVA_OPTS)");
        }
    }

    /** d_0 … d_L, each at least 1. */
    private List<Integer> widths() {
        List<Integer> widths = new ArrayList<>(hidden.size() + 2);
        widths.add(Math.max(1, features));
        for (int h : hidden) {
            widths.add(Math.max(1, h));
        }
        widths.add(Math.max(1, outputs));
        return widths;
    }

    /** a + b for non-negative a and b, or {@code Long.MAX_VALUE} where that overflows. */
    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** a · b for non-negative a and b, or {@code Long.MAX_VALUE} where that overflows. */
    private static long saturatedMultiply(long a, long b) {
        long product = a * b;
        return Math.multiplyHigh(a, b) != 0 || product < 0 ? Long.MAX_VALUE : product;
    }
}
