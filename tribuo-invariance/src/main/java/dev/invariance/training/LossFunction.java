package dev.invariance.training;

import dev.invariance.training.internal.BatchLoss;
import dev.invariance.training.internal.StableMath;
import dev.invariance.training.internal.TrainingTargets;
import java.util.Locale;

/**
 * The training losses of science.md 4.2, all means over examples. Two classes use ONE output unit f with
 * labels y ∈ {−1, +1} and margin z = y·f, exactly as the papers do; k > 2 classes use k outputs.
 * <ul>
 *   <li>{@link #LOGISTIC}: two classes ℓ = log(1 + e^{−z}) = softplus(−z); k classes the softmax
 *       cross-entropy ℓ = logsumexp(f) − f_c = softplus(logsumexp_{j≠c}(f_j − f_c)).</li>
 *   <li>{@link #EXPONENTIAL}: two classes ℓ = e^{−z}; k classes ℓ = Σ_{j≠c} e^{f_j − f_c}.</li>
 *   <li>{@link #SQUARED}: two classes ℓ = ½(f − y)²; k classes ℓ = ½‖f − e_c‖² with the one-hot target e_c.</li>
 * </ul>
 * Every form is evaluated in the log domain (log-sum-exp), so the logarithm of the loss stays finite after
 * the loss itself underflows to 0 (science.md 4.2).
 */
public enum LossFunction {
    /** Logistic loss (binary) / softmax cross-entropy (multi-class). */
    LOGISTIC("logistic"),
    /** Exponential loss. */
    EXPONENTIAL("exponential"),
    /** Squared loss against ±1 (binary) or one-hot (multi-class) targets. */
    SQUARED("squared");

    private final String configName;

    LossFunction(String configName) {
        this.configName = configName;
    }

    /** The lower-case command-line name. */
    public String getConfigName() {
        return configName;
    }

    /**
     * Parses a command-line name ({@code logistic}, {@code exponential}, {@code squared}; {@code square},
     * {@code exp}, {@code cross-entropy} are accepted too).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static LossFunction parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "logistic", "cross-entropy", "crossentropy", "log" -> LOGISTIC;
            case "exponential", "exp" -> EXPONENTIAL;
            case "squared", "square", "mse" -> SQUARED;
            default -> throw new IllegalArgumentException(
                    "unknown loss '" + name + "' (expected logistic, exponential or squared)");
        };
    }

    /**
     * Class probabilities implied by the outputs of a trained network, the population minimiser of each loss:
     * logistic p = softmax(f) (two classes: p₊ = σ(f)); exponential p = softmax(2f) (two classes: σ(2f));
     * squared loss has no probabilistic reading, so this returns the raw per-class scores (two classes:
     * (−f, f)) and {@link #producesProbabilities()} is false.
     *
     * @param outputs the network outputs: one value for two classes, k values otherwise
     * @param numClasses the number of classes k ≥ 2
     * @return one score per class, in class-index order
     */
    public double[] classScores(double[] outputs, int numClasses) {
        double[] logits;
        if (numClasses == 2) {
            double f = outputs[0];
            logits = switch (this) {
                case LOGISTIC -> new double[] {0.0, f};
                case EXPONENTIAL -> new double[] {0.0, 2 * f};
                case SQUARED -> new double[] {-f, f};
            };
        } else {
            logits = outputs.clone();
            if (this == EXPONENTIAL) {
                for (int j = 0; j < logits.length; j++) {
                    logits[j] *= 2;
                }
            }
        }
        if (this == SQUARED) {
            return logits;
        }
        double lse = StableMath.logSumExp(logits, 0, logits.length);
        for (int j = 0; j < logits.length; j++) {
            logits[j] = Math.exp(logits[j] - lse);
        }
        return logits;
    }

    /**
     * The weighted mean loss L = Σ wₙ ℓ(f(xₙ), yₙ) / Σ wₙ of network outputs, evaluated as in training (log domain).
     *
     * @param outputs    N × width network outputs, row-major (width 1 for two classes, k otherwise)
     * @param classes    class index of each row (two classes: 1 is the positive class y = +1)
     * @param numClasses the number of classes k ≥ 2
     * @param weights    positive example weights
     */
    public double meanLoss(double[] outputs, int[] classes, int numClasses, double[] weights) {
        int n = classes.length;
        double[] logWeights = new double[n];
        for (int r = 0; r < n; r++) {
            logWeights[r] = Math.log(weights[r]);
        }
        int[] rows = new int[n];
        for (int r = 0; r < n; r++) {
            rows[r] = r;
        }
        return new BatchLoss(this, TrainingTargets.ofClasses(classes, numClasses), n).evaluate(outputs, n, rows,
                logWeights, false, new double[outputs.length]).loss();
    }

    /** Whether {@link #classScores} are probabilities (logistic and exponential) or raw scores (squared). */
    public boolean producesProbabilities() {
        return this != SQUARED;
    }
}
