package dev.invariance.training.internal;

/**
 * A dense training set: N examples of d features, row-major, with what each example is trained to output (class
 * indexes or real-valued target vectors, {@link TrainingTargets}) and example weights. For two classes index 1 is
 * the positive class (y = +1) and index 0 the negative one (y = −1).
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because
 * {@code DeepNetTrainer} (package {@code deepnet}) and the benchmark harness call the engine across packages; it may
 * change without notice. The arrays are shared, not copied (a training set can be most of the heap).
 *
 * @param features    N × d row-major feature values
 * @param numFeatures d
 * @param targets     the class index or target vector of each example
 * @param weights     positive example weights (the loss is Σ wₙℓₙ / Σ wₙ)
 */
public record TrainingData(double[] features, int numFeatures, TrainingTargets targets, double[] weights) {
    /** Checks the sizes agree and values are in range. */
    public TrainingData {
        int n = targets.size();
        if (n == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        if ((long) n * numFeatures != features.length || weights.length != n) {
            throw new IllegalArgumentException("training data sizes disagree: " + n + " examples, " + numFeatures
                    + " features, " + features.length + " values, " + weights.length + " weights");
        }
        for (int i = 0; i < n; i++) {
            if (!(weights[i] > 0) || !Double.isFinite(weights[i])) {
                throw new IllegalArgumentException("example " + i + " has weight " + weights[i] + "; weights must be positive");
            }
        }
        for (int i = 0; i < features.length; i++) {
            if (!Double.isFinite(features[i])) {
                throw new IllegalArgumentException("example " + (i / numFeatures) + " has a non-finite feature value");
            }
        }
    }

    /**
     * A classification training set.
     *
     * @param classes    class index of each example, in [0, numClasses)
     * @param numClasses number of classes, at least 2
     */
    public TrainingData(double[] features, int numFeatures, int[] classes, int numClasses, double[] weights) {
        this(features, numFeatures, TrainingTargets.ofClasses(classes, numClasses), weights);
    }

    /** The class indexes (classification only; shared). */
    public int[] classes() {
        return targets.classes();
    }

    /** The number of classes (0 for real-valued targets). */
    public int numClasses() {
        return targets.numClasses();
    }

    /** Number of examples N. */
    public int size() {
        return targets.size();
    }

    /** Number of network outputs: 1 for two classes, k for k classes, the target dimension for regression. */
    public int outputWidth() {
        return targets.outputWidth();
    }
}
