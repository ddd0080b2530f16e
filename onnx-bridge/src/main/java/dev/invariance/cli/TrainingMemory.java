package dev.invariance.cli;

import dev.invariance.analysis.internal.HeapSize;

import java.util.ArrayList;
import java.util.List;

/**
 * What training a network needs of the heap, from its widths alone, so that {@code train} refuses widths it cannot
 * hold in one line before anything of their size is allocated (an option is untrusted input: {@code --hidden
 * 2147483647} would otherwise end in {@code OutOfMemoryError}, {@code --hidden 46341,46341} in a negative array size).
 *
 * <p>With widths d_0 (features), d_1 … d_{L−1} ({@code --hidden}) and d_L (outputs), layer i holds d_{i+1} × d_i
 * weights. The estimate counts {@link #BYTES_PER_WEIGHT} per weight and {@link #BYTES_PER_UNIT} per unit and example:
 * an upper bound on what the engine, the model and its exports hold at once, so a network that passes does not run
 * out of heap on account of its size.
 */
final class TrainingMemory {
    /**
     * Eight doubles per weight: the initial weights, the engine's weights and gradient, Adam's two moments, the copy
     * that backtracking keeps, the trained model's matrix and its serialised form.
     */
    static final long BYTES_PER_WEIGHT = 64;
    /** Five doubles per unit and example of a batch: pre- and post-activation, two gradients, a residual's sum. */
    static final long BYTES_PER_UNIT = 40;
    /** The longest Java array (a few words less than {@code Integer.MAX_VALUE}, as the JDK's own collections allow). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private TrainingMemory() {
    }

    /** The number of weights, Σ d_i · d_{i+1}, saturating at {@code Long.MAX_VALUE}. */
    static long weights(int features, List<Integer> hidden, int outputs) {
        List<Integer> widths = widths(features, hidden, outputs);
        long total = 0;
        for (int i = 0; i + 1 < widths.size(); i++) {
            total = saturatedAdd(total, (long) widths.get(i) * widths.get(i + 1));
        }
        return total;
    }

    /** The heap training needs, in bytes (see the class comment), saturating at {@code Long.MAX_VALUE}. */
    static long bytes(int features, List<Integer> hidden, int outputs, int examples) {
        long units = 0;
        for (int w : widths(features, hidden, outputs)) {
            units = saturatedAdd(units, w);
        }
        return saturatedAdd(saturatedMultiply(weights(features, hidden, outputs), BYTES_PER_WEIGHT),
                saturatedMultiply(saturatedMultiply(units, BYTES_PER_UNIT), Math.max(1, examples)));
    }

    /**
     * Refuses widths whose training cannot be held whatever the data: {@link #check} for one feature, one output and
     * one example, the least any data set gives, so that absurd widths are refused before the data is read.
     */
    static void checkBeforeReading(String hiddenOption, List<Integer> hidden, long heap) {
        check(hiddenOption, 1, hidden, 1, 1, heap, true);
    }

    /**
     * Refuses widths whose training cannot be held: a layer with more weights than a Java array holds, a batch buffer
     * ({@code examples} × a width) beyond one, or more bytes in all than the heap's maximum.
     *
     * @param hiddenOption the {@code --hidden} value as given, for the message
     * @param examples     the most examples in one batch
     * @param heap         the heap's maximum in bytes
     * @throws BadInputException naming {@code --hidden}, what does not fit and what would
     */
    static void check(String hiddenOption, int features, List<Integer> hidden, int outputs, int examples, long heap) {
        check(hiddenOption, features, hidden, outputs, examples, heap, false);
    }

    private static void check(String hiddenOption, int features, List<Integer> hidden, int outputs, int examples,
                              long heap, boolean leastData) {
        List<Integer> widths = widths(features, hidden, outputs);
        String option = "--hidden " + hiddenOption + ": ";
        String orMore = leastData ? " or more" : "";
        for (int i = 0; i + 1 < widths.size(); i++) {
            long size = (long) widths.get(i) * widths.get(i + 1);
            if (size > MAX_ARRAY) {
                throw new BadInputException(option + "layer-" + i + " (" + widths.get(i + 1) + " units) would hold "
                        + size + orMore + " weights, more than a Java array holds (" + MAX_ARRAY + ")");
            }
            if ((long) widths.get(i + 1) * examples > MAX_ARRAY) {
                throw new BadInputException(option + "a batch of " + examples + " examples through " + widths.get(i + 1)
                        + " units is more values than a Java array holds (" + MAX_ARRAY + ")");
            }
        }
        long need = bytes(features, hidden, outputs, examples);
        if (need > heap) {
            throw new BadInputException(option + "training " + weights(features, hidden, outputs) + orMore
                    + " weights needs about " + HeapSize.describe(need) + orMore + " of heap, more than the "
                    + HeapSize.describe(heap) + " this JVM may use; give smaller widths or run with "
                    + HeapSize.maxHeapOption(need) + " (INVARIANCE_JAVA_OPTS)");
        }
    }

    /** d_0 … d_L; a width that is not positive is the trainer's to refuse (in its own words), so it counts as one. */
    private static List<Integer> widths(int features, List<Integer> hidden, int outputs) {
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
