package dev.invariance.training.internal;

import dev.invariance.training.LossFunction;
/**
 * Evaluates a {@link LossFunction} on a batch of network outputs and writes the gradient with respect to the
 * outputs. Each example's loss and each gradient entry are formed as (sign, log-magnitude) pairs and combined
 * with log-sum-exp, which gives
 * <ul>
 *   <li>the weighted mean loss L = Σ wₙℓₙ / Σ wₙ and log L, finite after L underflows;</li>
 *   <li>either ∂L/∂f (plain) or ∂L/∂f / L (normalised, science.md 4.2(c)): the latter is the softmax-weighted
 *       gradient −Σ qₙ yₙ ∂f(xₙ)/∂θ for the exponential loss and never underflows.</li>
 * </ul>
 * With class targets every loss applies; real-valued targets (regression) take the squared loss
 * ℓ = ½‖f − y‖², whose log is formed from the largest |f_j − y_j| so that it neither overflows nor underflows
 * before the loss does. Outputs and gradients are row-major batch × width arrays in double precision whatever the
 * training precision.
 */
public final class BatchLoss {
    private final LossFunction loss;
    private final TrainingTargets targets;
    private final int width;
    private final double[] shifted;
    private final double[] logMagnitude;
    private final double[] sign;
    private final double[] logExampleLoss;

    /**
     * @param loss     the loss
     * @param targets  the training set's targets, indexed by the rows given to {@link #evaluate}
     * @param maxBatch the largest batch evaluated
     * @throws IllegalArgumentException for real-valued targets with a loss other than {@link LossFunction#SQUARED}
     */
    public BatchLoss(LossFunction loss, TrainingTargets targets, int maxBatch) {
        if (!targets.isClasses() && loss != LossFunction.SQUARED) {
            throw new IllegalArgumentException("real-valued targets need the squared loss, not " + loss.getConfigName());
        }
        this.loss = loss;
        this.targets = targets;
        this.width = targets.outputWidth();
        this.shifted = new double[width];
        this.logMagnitude = new double[maxBatch * width];
        this.sign = new double[maxBatch * width];
        this.logExampleLoss = new double[maxBatch];
    }

    /** The value of one evaluation: the mean loss and its natural logarithm. */
    public record Value(double loss, double logLoss) {
    }

    /**
     * @param outputs    count × width network outputs
     * @param count      number of examples in the batch
     * @param rows       the example (index into the targets) of each batch row
     * @param logWeights log of each batch row's example weight
     * @param normalized write ∂L/∂f / L instead of ∂L/∂f
     * @param gradient   receives count × width entries
     */
    public Value evaluate(double[] outputs, int count, int[] rows, double[] logWeights, boolean normalized,
                   double[] gradient) {
        for (int r = 0; r < count; r++) {
            if (!targets.isClasses()) {
                squaredDistance(r, outputs, r * width, rows[r]);
            } else if (width == 1) {
                binary(r, outputs[r], targets.classOf(rows[r]) == 1 ? 1.0 : -1.0);
            } else {
                multiClass(r, outputs, r * width, targets.classOf(rows[r]));
            }
            logExampleLoss[r] += logWeights[r];
        }
        double logTotalWeight = StableMath.logSumExp(logWeights, 0, count);
        double logNumerator = StableMath.logSumExp(logExampleLoss, 0, count);
        double logLoss = logNumerator - logTotalWeight;
        double logNorm = normalized ? logNumerator : logTotalWeight;
        for (int r = 0; r < count; r++) {
            double shift = logWeights[r] - logNorm;
            int off = r * width;
            for (int j = 0; j < width; j++) {
                double s = sign[off + j];
                gradient[off + j] = s == 0.0 ? 0.0 : s * Math.exp(logMagnitude[off + j] + shift);
            }
        }
        return new Value(Math.exp(logLoss), logLoss);
    }

    private void binary(int r, double f, double y) {
        double z = y * f;
        switch (loss) {
            case LOGISTIC -> {
                logExampleLoss[r] = StableMath.logSoftplus(-z);
                logMagnitude[r] = StableMath.logSigmoid(-z);
                sign[r] = -y;
            }
            case EXPONENTIAL -> {
                logExampleLoss[r] = -z;
                logMagnitude[r] = -z;
                sign[r] = -y;
            }
            case SQUARED -> {
                double d = f - y;
                logMagnitude[r] = Math.log(Math.abs(d));
                logExampleLoss[r] = 2 * logMagnitude[r] + Math.log(0.5);
                sign[r] = Math.signum(d);
            }
        }
    }

    /**
     * ℓ = ½‖f − y‖² against a real target vector, log ℓ = log ½ + 2 log m + log Σ_j ((f_j − y_j)/m)² with
     * m = max_j |f_j − y_j|, and ∂ℓ/∂f_j = f_j − y_j as (sign, log-magnitude).
     */
    private void squaredDistance(int r, double[] outputs, int off, int example) {
        double largest = 0.0;
        for (int j = 0; j < width; j++) {
            double d = outputs[off + j] - targets.target(example, j);
            logMagnitude[off + j] = Math.log(Math.abs(d));
            sign[off + j] = Math.signum(d);
            largest = Math.max(largest, Math.abs(d));
        }
        if (!(largest > 0.0) || largest == Double.POSITIVE_INFINITY) {
            // all zero: ℓ = 0, log ℓ = −∞; infinite or NaN: the loop reports divergence
            logExampleLoss[r] = largest == 0.0 ? Double.NEGATIVE_INFINITY : Math.log(largest);
            return;
        }
        double scaled = 0.0;
        for (int j = 0; j < width; j++) {
            double d = (outputs[off + j] - targets.target(example, j)) / largest;
            scaled += d * d;
        }
        logExampleLoss[r] = Math.log(0.5) + 2 * Math.log(largest) + Math.log(scaled);
    }

    private void multiClass(int r, double[] outputs, int off, int c) {
        double fc = outputs[off + c];
        if (loss == LossFunction.SQUARED) {
            double sumSquares = 0.0;
            for (int j = 0; j < width; j++) {
                double d = outputs[off + j] - (j == c ? 1.0 : 0.0);
                sumSquares += d * d;
                logMagnitude[off + j] = Math.log(Math.abs(d));
                sign[off + j] = Math.signum(d);
            }
            logExampleLoss[r] = Math.log(0.5 * sumSquares);
            return;
        }
        // a = log Σ_{j≠c} exp(f_j − f_c): the log of the exponential loss, the softplus argument of cross-entropy
        int n = 0;
        for (int j = 0; j < width; j++) {
            if (j != c) {
                shifted[n++] = outputs[off + j] - fc;
            }
        }
        double a = StableMath.logSumExp(shifted, 0, n);
        if (loss == LossFunction.LOGISTIC) {
            double logPartition = fc + StableMath.logAddExp(0.0, a); // log Σ_j exp(f_j)
            logExampleLoss[r] = StableMath.logSoftplus(a);
            for (int j = 0; j < width; j++) {
                if (j == c) {
                    logMagnitude[off + j] = fc + a - logPartition; // 1 − p_c = Σ_{j≠c} p_j
                    sign[off + j] = -1.0;
                } else {
                    logMagnitude[off + j] = outputs[off + j] - logPartition; // p_j
                    sign[off + j] = 1.0;
                }
            }
        } else {
            logExampleLoss[r] = a;
            for (int j = 0; j < width; j++) {
                if (j == c) {
                    logMagnitude[off + j] = a;
                    sign[off + j] = -1.0;
                } else {
                    logMagnitude[off + j] = outputs[off + j] - fc;
                    sign[off + j] = 1.0;
                }
            }
        }
    }

    int width() {
        return width;
    }
}
