package dev.invariance.training;

/**
 * A dense training set: N examples of d features, row-major, with class indexes and example weights.
 * For two classes index 1 is the positive class (y = +1) and index 0 the negative one (y = −1).
 *
 * <p>Engine input, not user API: {@code DeepNetTrainer} builds one from a Tribuo dataset. The arrays are taken
 * over without a copy (a training set can be most of the heap), so the caller must not change them afterwards,
 * and they are visible only to the engine in this package.
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because
 * {@code DeepNetTrainer} (package {@code deepnet}) and the benchmark harness call the engine across packages; it may
 * change without notice. Users train through {@code DeepNetTrainer}.
 */
public final class TrainingData {
    private final double[] features;
    private final int numFeatures;
    private final int[] classes;
    private final int numClasses;
    private final double[] weights;

    /**
     * Checks the sizes agree and values are in range.
     *
     * @param features    N × d row-major feature values (taken over, not copied)
     * @param numFeatures d
     * @param classes     class index of each example, in [0, numClasses) (taken over, not copied)
     * @param numClasses  number of classes, at least 2
     * @param weights     positive example weights; the loss is Σ wₙℓₙ / Σ wₙ (taken over, not copied)
     */
    public TrainingData(double[] features, int numFeatures, int[] classes, int numClasses, double[] weights) {
        int n = classes.length;
        if (n == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("need at least two classes, got " + numClasses);
        }
        if ((long) n * numFeatures != features.length || weights.length != n) {
            throw new IllegalArgumentException("training data sizes disagree: " + n + " examples, " + numFeatures
                    + " features, " + features.length + " values, " + weights.length + " weights");
        }
        for (int i = 0; i < n; i++) {
            if (classes[i] < 0 || classes[i] >= numClasses) {
                throw new IllegalArgumentException("class index " + classes[i] + " out of range at example " + i);
            }
            if (!(weights[i] > 0) || !Double.isFinite(weights[i])) {
                throw new IllegalArgumentException("example " + i + " has weight " + weights[i] + "; weights must be positive");
            }
        }
        for (int i = 0; i < features.length; i++) {
            if (!Double.isFinite(features[i])) {
                throw new IllegalArgumentException("example " + (i / numFeatures) + " has a non-finite feature value");
            }
        }
        this.features = features;
        this.numFeatures = numFeatures;
        this.classes = classes;
        this.numClasses = numClasses;
        this.weights = weights;
    }

    /** N × d row-major feature values (the engine's view; not copied). */
    double[] features() {
        return features;
    }

    /** Class index of each example (the engine's view; not copied). */
    int[] classes() {
        return classes;
    }

    /** Example weights (the engine's view; not copied). */
    double[] weights() {
        return weights;
    }

    /** The number of features d. */
    public int numFeatures() {
        return numFeatures;
    }

    /** The number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** Number of examples N. */
    public int size() {
        return classes.length;
    }

    /** Number of network outputs: 1 for two classes, k otherwise. */
    public int outputWidth() {
        return numClasses == 2 ? 1 : numClasses;
    }
}
