package dev.invariance.training.internal;

import org.jspecify.annotations.Nullable;

/**
 * What the network is trained to output for each example: either class indexes (the classifier) or real-valued
 * target vectors (regression). Both give the loss's target vector yₙ of {@link #target}: ±1 for two classes with
 * one output (index 1 is the positive class y = +1), the one-hot vector e_c for k &gt; 2 classes, the values
 * themselves for regression.
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because the trainers
 * (packages {@code deepnet} and {@code deepnet.regression}) and the benchmark harness build training sets across
 * packages. The arrays are shared, not copied.
 */
public final class TrainingTargets {
    private final int @Nullable [] classes;
    private final double @Nullable [] values;
    private final int numClasses;
    private final int width;
    private final int size;

    private TrainingTargets(int @Nullable [] classes, double @Nullable [] values, int numClasses, int width,
                            int size) {
        this.classes = classes;
        this.values = values;
        this.numClasses = numClasses;
        this.width = width;
        this.size = size;
    }

    /**
     * Class indexes in [0, numClasses); the network has one output for two classes and k for k &gt; 2.
     *
     * @throws IllegalArgumentException for fewer than two classes or an index out of range
     */
    public static TrainingTargets ofClasses(int[] classes, int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("need at least two classes, got " + numClasses);
        }
        for (int i = 0; i < classes.length; i++) {
            if (classes[i] < 0 || classes[i] >= numClasses) {
                throw new IllegalArgumentException("class index " + classes[i] + " out of range at example " + i);
            }
        }
        return new TrainingTargets(classes, null, numClasses, numClasses == 2 ? 1 : numClasses, classes.length);
    }

    /**
     * Real-valued target vectors, row-major N × width (row n is yₙ); the network has {@code width} outputs.
     *
     * @throws IllegalArgumentException for a width below one, a length that is not a multiple of it, or a non-finite
     *                                  value (naming the example and the dimension)
     */
    public static TrainingTargets ofValues(double[] values, int width) {
        if (width < 1) {
            throw new IllegalArgumentException("need at least one target dimension, got " + width);
        }
        if (values.length % width != 0) {
            throw new IllegalArgumentException(values.length + " target values do not fill rows of " + width);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("example " + (i / width) + " has the non-finite target value "
                        + values[i] + " in dimension " + (i % width));
            }
        }
        return new TrainingTargets(null, values, 0, width, values.length / width);
    }

    /** Whether the targets are class indexes (rather than real-valued vectors). */
    public boolean isClasses() {
        return classes != null;
    }

    /** Number of examples N. */
    public int size() {
        return size;
    }

    /** Number of network outputs: 1 for two classes, k for k classes, the dimension of the target vectors. */
    public int outputWidth() {
        return width;
    }

    /** Number of classes (0 for real-valued targets). */
    public int numClasses() {
        return numClasses;
    }

    /**
     * The class indexes, shared.
     *
     * @throws IllegalStateException for real-valued targets
     */
    public int[] classes() {
        int[] c = classes;
        if (c == null) {
            throw new IllegalStateException("real-valued targets have no class indexes");
        }
        return c;
    }

    /** The class index of example n (requires class targets). */
    int classOf(int example) {
        return classes()[example];
    }

    /**
     * Entry j of the loss's target vector yₙ of example n: ±1 (two classes, one output), [j = c] (k classes),
     * or the value itself.
     */
    public double target(int example, int j) {
        int[] c = classes;
        if (c != null) {
            return width == 1 ? (c[example] == 1 ? 1.0 : -1.0) : (c[example] == j ? 1.0 : 0.0);
        }
        double[] v = values;
        return v == null ? 0.0 : v[example * width + j];
    }

    /** Says what the outputs are trained against, for messages: "3 classes" or "2 target dimensions". */
    String describe() {
        return classes != null ? numClasses + " classes" : width + (width == 1 ? " target dimension" : " target dimensions");
    }
}
