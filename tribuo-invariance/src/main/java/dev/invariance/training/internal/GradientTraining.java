package dev.invariance.training.internal;

import dev.invariance.training.Initialization;
import dev.invariance.training.LossCurve;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.StepSchedule;
import dev.invariance.training.StopReason;
import dev.invariance.training.TrainingCheckpoint;
import dev.invariance.training.TrainingDivergedException;
import dev.invariance.training.TrainingListener;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training loop: full-batch gradient descent (the papers' algorithm), minibatch SGD or Adam, with the
 * step-size schedules of {@link StepSchedule}. Deterministic: the only randomness is the minibatch order,
 * drawn from the given {@link SplittableRandom}; with a fixed BLAS thread count the same inputs give
 * bit-identical weights.
 *
 * <p>With backtracking a rejected step halves the step size, and each accepted step lets it grow back by 10% up to
 * the schedule's value.
 *
 * <p>Each iteration measures the loss at the current parameters θ_t, reports it, then applies one update.
 * Training stops after the requested number of updates, when the loss is exactly 0 in floating point
 * ({@link StopReason#LOSS_UNDERFLOW}), or throws {@link TrainingDivergedException} naming the step and layer
 * of the first NaN or infinity.
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because
 * {@code DeepNetTrainer} (package {@code deepnet}) and the benchmark harness call the engine across packages; it may
 * change without notice. Users train through {@code DeepNetTrainer}.
 */
public final class GradientTraining {
    private static final int CURVE_POINTS = 1000;
    private static final double MIN_STEP_SCALE = 1e-30;
    /** After an accepted backtracking step the step size grows back by 10% (up to η_t), so one rejection does not slow training for good. */
    private static final double STEP_SCALE_RECOVERY = 1.1;

    private GradientTraining() {
    }

    /**
     * Trains a network.
     *
     * @param arch               the architecture; its input and output widths must match the data
     * @param config             the training settings
     * @param data               the training set
     * @param initialWeights     per layer, row-major d_out × d_in (see {@link Initialization})
     * @param initialBiases      per layer, d_out entries, or null for zero biases (ignored without biases)
     * @param rng                the minibatch-order randomness
     * @param source             a description recorded in the resulting {@code NetworkDescription}s
     * @param listenerInterval   call the listener every this many steps (and after the last one)
     * @param listener           receives checkpoints, or null
     */
    public static TrainingResult train(Architecture arch, TrainingConfig config, TrainingData data,
                                       double[][] initialWeights, double @Nullable [][] initialBiases,
                                       SplittableRandom rng, String source, int listenerInterval,
                                       @Nullable TrainingListener listener) {
        if (arch.inputWidth(0) != data.numFeatures()) {
            throw new IllegalArgumentException("network expects " + arch.inputWidth(0) + " features, data has "
                    + data.numFeatures());
        }
        if (arch.outputWidth(arch.depth() - 1) != data.outputWidth()) {
            throw new IllegalArgumentException("network has " + arch.outputWidth(arch.depth() - 1)
                    + " outputs, " + data.targets().describe() + " need " + data.outputWidth());
        }
        if (listenerInterval <= 0) {
            throw new IllegalArgumentException("listener interval must be positive, got " + listenerInterval);
        }
        Kernels<?> kernels = Kernels.forType(config.precision());
        return new Loop<>(kernels, arch, config, data, initialWeights, initialBiases, rng, source, listenerInterval,
                listener).run();
    }

    /** The state of one run, generic over the precision's array type. */
    private static final class Loop<A> {
        private final Kernels<A> k;
        private final TrainingConfig config;
        private final TrainingData data;
        private final SplittableRandom rng;
        private final String source;
        private final int listenerInterval;
        private final @Nullable TrainingListener listener;
        private final FeedForwardEngine<A> engine;
        private final @Nullable FeedForwardEngine<A> previous;
        private final boolean fullBatch;
        private final int batch;
        private final int width;
        private final A allFeatures;
        private final double[] allLogWeights;
        private final A batchFeatures;
        /** The example index of each batch row (the identity for full batch). */
        private final int[] batchRows;
        private final double[] batchLogWeights;
        private final int[] order;
        private int position;
        private final BatchLoss batchLoss;
        private final double[] outputs;
        private final double[] outputGradient;
        private final A outputGradientA;
        private final @Nullable List<A> adamFirst;
        private final @Nullable List<A> adamSecond;
        private final List<Long> curveSteps = new ArrayList<>();
        private final List<Double> curveLosses = new ArrayList<>();
        private final List<Double> curveLogLosses = new ArrayList<>();

        @SuppressWarnings("unchecked")
        Loop(Kernels<?> kernels, Architecture arch, TrainingConfig config, TrainingData data, double[][] w0,
             double @Nullable [][] b0, SplittableRandom rng, String source, int listenerInterval,
             @Nullable TrainingListener listener) {
            this.k = (Kernels<A>) kernels;
            this.config = config;
            this.data = data;
            this.rng = rng;
            this.source = source;
            this.listenerInterval = listenerInterval;
            this.listener = listener;
            int n = data.size();
            int d = data.numFeatures();
            fullBatch = config.optimizer() == OptimizerKind.GD || config.batchSize() >= n;
            batch = fullBatch ? n : config.batchSize();
            width = data.outputWidth();
            engine = FeedForwardEngine.create(k, arch, w0, b0, batch);
            // Backtracking compares full-batch losses of plain gradient steps; Adam's moments cannot be rolled back.
            boolean backtrack = fullBatch && config.optimizer() != OptimizerKind.ADAM && config.backtracking()
                    && config.schedule() == StepSchedule.NORMALIZED;
            previous = backtrack ? new FeedForwardEngine<>(k, arch, w0, b0, 1) : null;
            allFeatures = k.allocate(n * d);
            k.fromDouble(data.features(), allFeatures, n * d);
            allLogWeights = new double[n];
            for (int i = 0; i < n; i++) {
                allLogWeights[i] = Math.log(data.weights()[i]);
            }
            batchFeatures = fullBatch ? allFeatures : k.allocate(batch * d);
            batchRows = new int[batch];
            batchLogWeights = fullBatch ? allLogWeights : new double[batch];
            order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
                if (fullBatch) {
                    batchRows[i] = i;
                }
            }
            position = n; // forces a shuffle before the first minibatch
            batchLoss = new BatchLoss(config.loss(), data.targets(), batch);
            outputs = new double[batch * width];
            outputGradient = new double[batch * width];
            outputGradientA = k.allocate(batch * width);
            if (config.optimizer() == OptimizerKind.ADAM) {
                adamFirst = new ArrayList<>();
                adamSecond = new ArrayList<>();
                for (int i = 0; i < engine.depth; i++) {
                    adamFirst.add(k.allocate(engine.in[i] * engine.out[i]));
                    adamSecond.add(k.allocate(engine.in[i] * engine.out[i]));
                    adamFirst.add(k.allocate(engine.out[i]));
                    adamSecond.add(k.allocate(engine.out[i]));
                }
            } else {
                adamFirst = null;
                adamSecond = null;
            }
        }

        TrainingResult run() {
            long total = config.steps();
            long curveInterval = Math.max(1, total / CURVE_POINTS);
            boolean normalized = config.schedule() == StepSchedule.NORMALIZED;
            double stepScale = 1.0;
            double previousLogLoss = Double.POSITIVE_INFINITY;
            long step = 0;
            StopReason reason;
            while (true) {
                int count = nextBatch();
                A out = engine.forward(fullBatch ? allFeatures : batchFeatures, count);
                k.toDouble(out, outputs, count * width);
                BatchLoss.Value value = batchLoss.evaluate(outputs, count, batchRows, batchLogWeights, normalized,
                        outputGradient);
                if (Double.isNaN(value.logLoss()) || value.loss() == Double.POSITIVE_INFINITY) {
                    String layer = engine.firstNonFiniteActivations(count);
                    throw new TrainingDivergedException(step, layer == null ? "loss" : layer,
                            layer == null ? "loss" : "activations");
                }
                if (previous != null && step > 0 && value.logLoss() > previousLogLoss) {
                    // Backtracking (Lyu and Li 2020): undo the step that raised the loss and halve the step size.
                    previous.copyParametersTo(engine);
                    stepScale *= 0.5;
                    if (stepScale < MIN_STEP_SCALE) {
                        reason = StopReason.STEP_SIZE_VANISHED;
                        break;
                    }
                    continue;
                }
                boolean last = step >= total;
                if (step % curveInterval == 0 || last || value.loss() == 0.0) {
                    curveSteps.add(step);
                    curveLosses.add(value.loss());
                    curveLogLosses.add(value.logLoss());
                }
                if (listener != null && (step % listenerInterval == 0 || last || value.loss() == 0.0)) {
                    listener.onCheckpoint(new TrainingCheckpoint(step, value.loss(), value.logLoss(),
                            engine.snapshot(source)));
                }
                if (value.loss() == 0.0) {
                    reason = StopReason.LOSS_UNDERFLOW;
                    break;
                }
                if (last) {
                    reason = StopReason.COMPLETED;
                    break;
                }
                k.fromDouble(outputGradient, outputGradientA, count * width);
                engine.backward(outputGradientA, count);
                engine.tieStructuredGradients();
                if (previous != null) {
                    engine.copyParametersTo(previous);
                    previousLogLoss = value.logLoss();
                    stepScale = Math.min(1.0, stepScale * STEP_SCALE_RECOVERY);
                }
                double eta = stepSize(step, value.loss()) * stepScale;
                if (adamFirst != null && adamSecond != null) {
                    adamStep(eta, step + 1);
                } else {
                    engine.descend(eta);
                }
                step++;
                String bad = engine.firstNonFiniteParameters();
                if (bad != null) {
                    throw new TrainingDivergedException(step, bad.substring(bad.indexOf("layer-")),
                            bad.substring(0, bad.indexOf(" of ")));
                }
            }
            LossCurve curve = new LossCurve(curveSteps, curveLosses, curveLogLosses);
            return new TrainingResult(engine.snapshot(source), curve, step, reason);
        }

        /**
         * The multiplier of the gradient buffer: η_t for plain gradients; for the normalised schedule the buffer
         * holds ∇L/L, so η_t∇L = min(η₀/L, η_max)·L·(∇L/L) = min(η₀, η_max·L)·(∇L/L).
         */
        private double stepSize(long step, double loss) {
            double eta0 = config.learningRate();
            return switch (config.schedule()) {
                case CONSTANT -> eta0;
                case DECREASING -> eta0 / Math.pow(1.0 + step, config.decayPower());
                case NORMALIZED -> Math.min(eta0, config.maxLearningRate() * loss);
            };
        }

        private void adamStep(double eta, long t) {
            List<A> m = adamFirst;
            List<A> v = adamSecond;
            if (m == null || v == null) {
                throw new IllegalStateException("Adam state missing");
            }
            double b1 = config.adamBeta1();
            double b2 = config.adamBeta2();
            double c1 = 1 - Math.pow(b1, t);
            double c2 = 1 - Math.pow(b2, t);
            for (int i = 0; i < engine.depth; i++) {
                k.adam(engine.weights[i], engine.weightGrads[i], m.get(2 * i), v.get(2 * i),
                        engine.in[i] * engine.out[i], eta, b1, b2, config.adamEpsilon(), c1, c2);
                A b = engine.biases[i];
                A bg = engine.biasGrads[i];
                if (b != null && bg != null) {
                    k.adam(b, bg, m.get(2 * i + 1), v.get(2 * i + 1), engine.out[i], eta, b1, b2,
                            config.adamEpsilon(), c1, c2);
                }
            }
        }

        /** Selects the next batch into the batch buffers and returns its size (the whole set for full batch). */
        private int nextBatch() {
            int n = data.size();
            if (fullBatch) {
                return n;
            }
            if (position >= n) {
                for (int i = n - 1; i > 0; i--) { // Fisher–Yates
                    int j = rng.nextInt(i + 1);
                    int tmp = order[i];
                    order[i] = order[j];
                    order[j] = tmp;
                }
                position = 0;
            }
            int count = Math.min(batch, n - position);
            k.gatherRows(allFeatures, data.numFeatures(), order, position, count, batchFeatures);
            for (int r = 0; r < count; r++) {
                batchRows[r] = order[position + r];
                batchLogWeights[r] = allLogWeights[order[position + r]];
            }
            position += count;
            return count;
        }
    }
}
