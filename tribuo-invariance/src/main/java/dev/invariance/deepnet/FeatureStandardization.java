package dev.invariance.deepnet;

import dev.invariance.training.internal.TrainingData;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-feature standardisation learned on the training data: {@code x'_j = (x_j − m_j) / s_j + t} with m_j the mean
 * and s_j the population standard deviation of feature j over the training examples (implicit zeros included, as
 * the network sees them), s_j = 1 for a constant feature, and target mean t. Feature j is the feature with Tribuo
 * id j. The trainer uses t = 0 (z-scores). A bias-free network is homogeneous (f(0) = 0), so on centred data it
 * cannot place a class around the data's centre: iris's middle class (versicolor) needs {@code bias(true)}
 * (centred iris: 0.85 training accuracy bias-free, 0.99 with biases). t is kept in the model's serial forms so
 * another target (as Tribuo's {@code MeanStdDevTransformation(targetMean, targetStdDev)}) needs no format change.
 *
 * <p>Tribuo's {@code MeanStdDevTransformation} is not used because it divides by a zero deviation (NaN for the
 * constant pixels of scikit-learn's digits) and skips implicit zeros; this class is the same affine map with those
 * two cases defined. It is computed deterministically from the data, so a trainer with {@code standardize = true}
 * recorded in its provenance replays it bit for bit.
 */
public final class FeatureStandardization implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] means;
    private final double[] deviations;
    private final double targetMean;

    FeatureStandardization(double[] means, double[] deviations, double targetMean) {
        if (means.length != deviations.length) {
            throw new IllegalArgumentException(means.length + " means but " + deviations.length + " deviations");
        }
        for (int j = 0; j < means.length; j++) {
            if (!Double.isFinite(means[j]) || !(deviations[j] > 0) || !Double.isFinite(deviations[j])) {
                throw new IllegalArgumentException("feature " + j + ": mean " + means[j] + ", deviation "
                        + deviations[j] + " (need a finite mean and a positive finite deviation)");
            }
        }
        if (!Double.isFinite(targetMean)) {
            throw new IllegalArgumentException("target mean must be finite, got " + targetMean);
        }
        this.means = means.clone();
        this.deviations = deviations.clone();
        this.targetMean = targetMean;
    }

    /** Learns the means and deviations of {@code data} (two passes: mean, then the centred sum of squares). */
    static FeatureStandardization fit(TrainingData data, double targetMean) {
        int n = data.size();
        int d = data.numFeatures();
        double[] x = data.features();
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += x[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[] sq = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = x[i * d + j] - mean[j];
                sq[j] += c * c;
            }
        }
        double[] dev = new double[d];
        for (int j = 0; j < d; j++) {
            double s = Math.sqrt(sq[j] / n);
            dev[j] = s > 0 ? s : 1.0;
        }
        return new FeatureStandardization(mean, dev, targetMean);
    }

    /** The training data with every feature standardised (a copy). */
    TrainingData applyTo(TrainingData data) {
        double[] x = data.features().clone();
        int d = data.numFeatures();
        for (int i = 0; i < data.size(); i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (x[i * d + j] - means[j]) / deviations[j] + targetMean;
            }
        }
        return new TrainingData(x, d, data.targets(), data.weights());
    }

    /** The rows of {@code inputs} (N × d, feature-id order) standardised: the network's inputs (a copy). */
    public dev.invariance.network.WeightMatrix transform(dev.invariance.network.WeightMatrix inputs) {
        double[] x = inputs.toRowMajorArray();
        int d = inputs.getColumns();
        if (d != means.length) {
            throw new IllegalArgumentException(d + " columns but a standardisation of " + means.length + " features");
        }
        for (int i = 0; i < inputs.getRows(); i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (x[i * d + j] - means[j]) / deviations[j] + targetMean;
            }
        }
        return dev.invariance.network.WeightMatrix.fromRowMajor(inputs.getRows(), d, x);
    }

    /** Standardises one dense feature vector in place. */
    void applyInPlace(double[] x) {
        for (int j = 0; j < x.length; j++) {
            x[j] = (x[j] - means[j]) / deviations[j] + targetMean;
        }
    }

    /** The means m_j in feature-id order. */
    public List<Double> getMeans() {
        return boxed(means);
    }

    /** The standard deviations s_j in feature-id order (1 for constant features). */
    public List<Double> getStandardDeviations() {
        return boxed(deviations);
    }

    /** The target mean t of every standardised feature (0 with biases, 1 for a bias-free network). */
    public double getTargetMean() {
        return targetMean;
    }

    double[] meansArray() {
        return means.clone();
    }

    double[] deviationsArray() {
        return deviations.clone();
    }

    private static List<Double> boxed(double[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (double e : v) {
            out.add(e);
        }
        return List.copyOf(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureStandardization f && Arrays.equals(means, f.means)
                && Arrays.equals(deviations, f.deviations) && Double.compare(targetMean, f.targetMean) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(means) + Arrays.hashCode(deviations)) + Double.hashCode(targetMean);
    }

    @Override
    public String toString() {
        return "FeatureStandardization(" + means.length + " features, target mean " + targetMean + ")";
    }
}
