package dev.invariance.deepnet;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import dev.invariance.network.Activation;
import dev.invariance.network.LayerStructure;
import dev.invariance.training.Initialization;
import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.Precision;
import dev.invariance.training.StepSchedule;
import dev.invariance.training.TrainingListener;
import dev.invariance.training.internal.Architecture;
import dev.invariance.training.internal.GradientTraining;
import dev.invariance.training.internal.InitialWeights;
import dev.invariance.training.internal.TrainingConfig;
import dev.invariance.training.internal.TrainingData;
import dev.invariance.training.internal.TrainingResult;
import org.jspecify.annotations.Nullable;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.Trainer;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuo.provenance.impl.TrainerProvenanceImpl;

import java.lang.reflect.Field;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the deep-net trainers share: the network and optimisation hyperparameters (OLCUT {@code @Config} fields, so a
 * model's provenance describes its trainer and {@code ProvenanceUtil.extractConfiguration} rebuilds it), their
 * validation, the RNG replayed by {@link #setInvocationCount} for bit-identical retraining, the progress listener, and
 * one training run on the shared engine. {@link DeepNetTrainer} trains classifiers ({@code Label}),
 * {@code dev.invariance.deepnet.regression.DeepNetRegressionTrainer} regressors; each turns its data into the
 * engine's training set and the result into its model.
 *
 * <p>Layer i computes {@code x_{i+1} = σ_i(W_i x_i + b_i)} (+ x_i for a residual skip) with W_i d_out × d_in; the
 * output layer is linear. Defaults follow the papers: bias-free linear layers, full-batch gradient descent with a
 * constant step, Gaussian LeCun init, float64. The hidden layers may be diagonal or circulant ({@code structure}, Yun
 * et al. 2021; trained on their own parameters), the square output layer too ({@code structuredOutput}), and the layers may start aligned with the data
 * ({@code Initialization.ALIGNED}, Radhakrishnan et al. 2020: from the cross-covariance of the inputs with the loss's
 * target vectors, ±1 or one-hot for classes, the real values for regression).
 *
 * <p>Progress: a {@link TrainingListener} set with {@link #setListener} (or on the builder) receives checkpoints from
 * every {@code train} call, including those Tribuo makes ({@code CrossValidation}); {@link #train(Dataset,
 * TrainingListener)} reports one run to its own listener. Listeners are not configuration: they change neither the
 * weights nor the provenance.
 *
 * @param <T> the output type
 * @param <M> the model trained
 */
public abstract class AbstractDeepNetTrainer<T extends Output<T>, M extends Model<T>> implements Trainer<T> {
    /** A listener interval that reports about a hundred checkpoints per run. */
    public static final int AUTOMATIC_INTERVAL = 0;

    // The @Config fields are package-private so that AbstractDeepNetTrainerBuilder writes straight into a draft
    // trainer: each default below is the only place it is written.

    @Config(description = "Widths of the hidden layers, input side first (empty: a linear model).")
    int[] hiddenWidths = {16, 16};

    @Config(description = "Activation after the hidden layers: one value for all, or one per hidden layer (linear, relu).")
    String[] activations = {"linear"};

    @Config(description = "Whether every layer has a bias vector.")
    boolean bias = false;

    @Config(description = "Residual skips x_{i+1} = act(W_i x_i + b_i) + x_i around equal-width hidden-to-hidden layers.")
    boolean skipConnections = false;

    @Config(description = "Parameterisation of the hidden layers, which must then all be as wide as the input: DENSE,"
            + " DIAGONAL (W = diag(w)) or CIRCULANT (W[i][j] = c[(i - j) mod d]); the output layer stays dense unless"
            + " structuredOutput.")
    LayerStructure structure = LayerStructure.DENSE;

    @Config(description = "Whether the output layer has the structure too (then it must be square: as many outputs as"
            + " features), as in a circular convolutional linear network; false keeps it dense.")
    boolean structuredOutput = false;

    @Config(description = "Update rule: GD (full batch), SGD (minibatch) or ADAM.")
    OptimizerKind optimizer = OptimizerKind.GD;

    @Config(description = "Minibatch size for SGD and Adam (ignored by full-batch GD).")
    int batchSize = 32;

    @Config(description = "Initial step size eta_0.")
    double learningRate = 0.1;

    @Config(description = "Step-size schedule: CONSTANT, DECREASING (eta_0/(1+t)^p) or NORMALIZED (min(eta_0/L, eta_max) with backtracking).")
    StepSchedule schedule = StepSchedule.CONSTANT;

    @Config(description = "Power p of the decreasing schedule.")
    double decayPower = 0.5;

    @Config(description = "Cap eta_max of the loss-normalised schedule.")
    double maxLearningRate = 10.0;

    @Config(description = "Undo full-batch steps that raise the loss and halve the step (normalised schedule).")
    boolean backtracking = true;

    @Config(description = "Number of parameter updates (used when epochs is 0).")
    long steps = 1000;

    @Config(description = "Number of passes over the data; when positive it overrides steps.")
    int epochs = 0;

    @Config(description = "Initialisation: GAUSSIAN, ORTHOGONAL, BALANCED, IDENTITY, ALIGNED (from the training data's"
            + " cross-covariance) or CONSTANT_DIAGONAL (hidden layers initScale times I, output layer zero).")
    Initialization initialization = Initialization.GAUSSIAN;

    @Config(description = "Init scale relative to LeCun (Gaussian std = scale / sqrt(fan_in)).")
    double initScale = 1.0;

    @Config(description = "Arithmetic precision: FLOAT64 or FLOAT32.")
    Precision precision = Precision.FLOAT64;

    @Config(description = "Adam beta_1.")
    double adamBeta1 = 0.9;

    @Config(description = "Adam beta_2.")
    double adamBeta2 = 0.999;

    @Config(description = "Adam epsilon.")
    double adamEpsilon = 1e-8;

    @Config(description = "Seed of the initialisation and minibatch order.")
    long seed = Trainer.DEFAULT_SEED;

    private SplittableRandom rng;
    private int trainInvocationCounter;
    private List<Activation> parsedActivations = List.of(Activation.LINEAR);
    /** Not configuration: progress reporting does not change the weights, so it stays out of the provenance. */
    private volatile @Nullable TrainingListener listener;
    private volatile int listenerInterval = AUTOMATIC_INTERVAL;

    /** A trainer with the field defaults; subclasses keep a private no-arg constructor for OLCUT. */
    protected AbstractDeepNetTrainer() {
        rng = new SplittableRandom(seed);
    }

    /**
     * Copies this trainer's {@code @Config} fields (arrays copied), those of every class from the subclass up to
     * this one, into {@code fresh}, and returns it unvalidated. Reflection over the annotated fields, so a new
     * hyperparameter is a field and its builder methods, with no copy code to update.
     */
    final <S extends AbstractDeepNetTrainer<?, ?>> S copyConfigurationInto(S fresh) {
        if (fresh.getClass() != getClass()) {
            throw new IllegalArgumentException("cannot copy a " + getClass().getSimpleName() + " into a "
                    + fresh.getClass().getSimpleName());
        }
        try {
            for (Class<?> c = getClass(); c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.isAnnotationPresent(Config.class)) {
                        f.setAccessible(true);
                        Object value = f.get(this);
                        if (value instanceof int[] ints) {
                            value = ints.clone();
                        } else if (value instanceof Object[] objects) {
                            value = objects.clone();
                        }
                        f.set(fresh, value);
                    }
                }
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot copy a " + getClass().getSimpleName() + "'s own fields", e);
        }
        return fresh;
    }

    /** Validates the configuration; called by OLCUT after injecting fields and by the builder. */
    @Override
    public synchronized void postConfig() {
        for (int w : hiddenWidths) {
            if (w <= 0) {
                throw new PropertyException("", "hiddenWidths", "hidden widths must be positive, got " + Arrays.toString(hiddenWidths));
            }
        }
        List<Activation> parsed = new ArrayList<>();
        for (String a : activations) {
            try {
                parsed.add(Activation.parse(a));
            } catch (IllegalArgumentException e) {
                throw new PropertyException("", "activations", e.getMessage());
            }
        }
        if (parsed.isEmpty() || (parsed.size() != 1 && parsed.size() != hiddenWidths.length)) {
            throw new PropertyException("", "activations", "give one activation for all hidden layers or one per hidden layer ("
                    + hiddenWidths.length + "), got " + parsed.size());
        }
        parsedActivations = List.copyOf(parsed);
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new PropertyException("", "learningRate", "learning rate must be positive and finite, got " + learningRate);
        }
        if (steps < 0 || epochs < 0) {
            throw new PropertyException("", "steps", "steps and epochs must be non-negative");
        }
        if (batchSize <= 0) {
            throw new PropertyException("", "batchSize", "batch size must be positive, got " + batchSize);
        }
        if (!(initScale >= 0) || !Double.isFinite(initScale)) {
            throw new PropertyException("", "initScale", "init scale must be non-negative and finite, got " + initScale);
        }
        if (structure != LayerStructure.DENSE) {
            if (hiddenWidths.length == 0 && !structuredOutput) {
                throw new PropertyException("", "structure", "structure " + structure.getConfigName()
                        + " applies to the hidden layers, and there are none");
            }
            if (!InitialWeights.initialisesStructure(initialization)) {
                throw new PropertyException("", "initialization",
                        InitialWeights.structureRefusal(structure, initialization));
            }
        }
        if (structuredOutput && structure == LayerStructure.DENSE) {
            throw new PropertyException("", "structuredOutput", "a structured output layer needs a structure"
                    + " (diagonal or circulant), got dense");
        }
        if (initialization == Initialization.CONSTANT_DIAGONAL && initScale == 0 && hiddenWidths.length > 0) {
            throw new PropertyException("", "initScale", "constant-diagonal initialisation with init scale 0 starts"
                    + " every layer at zero, a saddle of the loss: give a positive init scale");
        }
        rng = new SplittableRandom(seed);
    }

    /** Trains a model, reporting to the trainer's listener ({@link #setListener}) when one is set. */
    @Override
    public M train(Dataset<T> examples) {
        return train(examples, Collections.emptyMap());
    }

    /** Trains a model with extra run provenance, reporting to the trainer's listener when one is set. */
    @Override
    public M train(Dataset<T> examples, Map<String, Provenance> runProvenance) {
        return train(examples, runProvenance, INCREMENT_INVOCATION_COUNT, listenerInterval, listener);
    }

    /** Trains as the {@code invocationCount}-th training of this trainer, reporting to its listener when one is set. */
    @Override
    public M train(Dataset<T> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        return train(examples, runProvenance, invocationCount, listenerInterval, listener);
    }

    /**
     * Trains while reporting checkpoints to {@code listener} (instead of the trainer's own) every
     * {@link #getListenerInterval()} steps and after the last. The listener is last, so Kotlin writes
     * {@code trainer.train(data) { checkpoint -> ... }}.
     */
    public M train(Dataset<T> examples, TrainingListener listener) {
        return train(examples, Collections.emptyMap(), INCREMENT_INVOCATION_COUNT, listenerInterval, listener);
    }

    /**
     * Trains while reporting checkpoints to {@code listener} every {@code interval} steps (and after the last).
     * The listener is the last parameter, so Kotlin can pass a trailing lambda.
     */
    public M train(Dataset<T> examples, int interval, TrainingListener listener) {
        if (interval <= 0) {
            throw new IllegalArgumentException("listener interval must be positive, got " + interval);
        }
        return train(examples, Collections.emptyMap(), INCREMENT_INVOCATION_COUNT, interval, listener);
    }

    /**
     * The listener that {@code train} calls without an explicit listener report to (null: none). Set it once and
     * every Tribuo path that trains through {@code train(Dataset)}, such as {@code CrossValidation}, reports
     * progress. Progress reporting is not configuration: it is not in the provenance.
     */
    public void setListener(@Nullable TrainingListener listener) {
        this.listener = listener;
    }

    /** The trainer's listener, or null. */
    public @Nullable TrainingListener getListener() {
        return listener;
    }

    /**
     * Steps between listener calls; {@link #AUTOMATIC_INTERVAL} (0, the default) means about a hundred checkpoints
     * per run, {@code max(1, ⌊steps/100⌋)}. The last step is always reported.
     */
    public void setListenerInterval(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("listener interval must be >= 0, got " + steps);
        }
        this.listenerInterval = steps;
    }

    /** Steps between listener calls (0: automatic). */
    public int getListenerInterval() {
        return listenerInterval;
    }

    private M train(Dataset<T> examples, Map<String, Provenance> runProvenance, int invocationCount,
                    int requestedInterval, @Nullable TrainingListener listener) {
        if (examples.size() == 0) {
            throw new IllegalArgumentException("training dataset is empty");
        }
        checkTrainable(examples);
        if (examples.getFeatureIDMap().size() == 0) {
            throw new IllegalArgumentException("training data has no features");
        }
        SplittableRandom localRng;
        TrainerProvenance trainerProvenance;
        synchronized (this) {
            if (invocationCount != INCREMENT_INVOCATION_COUNT) {
                setInvocationCount(invocationCount);
            }
            localRng = rng.split();
            trainerProvenance = getProvenance();
            trainInvocationCounter++;
        }
        return fit(examples, new Run(trainerProvenance, runProvenance, localRng, requestedInterval, listener));
    }

    /**
     * Refuses a non-empty dataset that this trainer cannot learn from, with a one-line
     * {@link IllegalArgumentException} naming the cause (a single class, no regression dimensions).
     */
    protected abstract void checkTrainable(Dataset<T> examples);

    /** Converts the data, trains through {@link Run#train} and wraps the result in the model. */
    protected abstract M fit(Dataset<T> examples, Run run);

    /**
     * One training call's state: the provenance recorded before the invocation count moved on, the split RNG that
     * alone draws the initial weights and the minibatch order, and the progress reporting.
     */
    protected final class Run {
        private final TrainerProvenance trainerProvenance;
        private final Map<String, Provenance> runProvenance;
        private final SplittableRandom rng;
        private final int requestedInterval;
        private final @Nullable TrainingListener listener;

        private Run(TrainerProvenance trainerProvenance, Map<String, Provenance> runProvenance, SplittableRandom rng,
                    int requestedInterval, @Nullable TrainingListener listener) {
            this.trainerProvenance = trainerProvenance;
            this.runProvenance = runProvenance;
            this.rng = rng;
            this.requestedInterval = requestedInterval;
            this.listener = listener;
        }

        /** The model's provenance: the data's, the trainer's (at this invocation) and the run's. */
        public ModelProvenance modelProvenance(String modelClassName, Dataset<T> examples) {
            return new ModelProvenance(modelClassName, OffsetDateTime.now(),
                    examples.getProvenance(), trainerProvenance, runProvenance);
        }

        /** The parameterisation of the hidden layers this run trains, for the model to record. */
        public LayerStructure structure() {
            return structure;
        }

        /**
         * Trains a network of the configured hidden layers (with their structure) from {@code data.numFeatures()}
         * inputs to {@code data.outputWidth()} outputs on the shared engine, minimising {@code loss}; the aligned
         * initialisation reads {@code data}'s target vectors.
         *
         * @throws IllegalArgumentException naming the widths when a structured network's hidden widths are not
         *                                  the number of features, or its structured output layer is not square
         */
        public TrainingResult train(TrainingData data, LossFunction loss, String source) {
            List<Integer> hidden = Arrays.stream(hiddenWidths).boxed().toList();
            Architecture arch = Architecture.of(data.numFeatures(), hidden, parsedActivations, data.outputWidth(),
                    bias, skipConnections).withStructure(structure, structuredOutput);
            double[][] initialWeights = InitialWeights.draw(initialization, arch, initScale, rng, data.features(),
                    () -> InitialWeights.targetVectors(data.targets()));
            long totalSteps = totalStepsFor(data.size());
            int interval = requestedInterval == AUTOMATIC_INTERVAL
                    ? (int) Math.max(1, Math.min(Integer.MAX_VALUE, totalSteps / 100)) : requestedInterval;
            TrainingConfig config = new TrainingConfig(loss, optimizer, batchSize, learningRate, schedule, decayPower,
                    maxLearningRate, backtracking, totalSteps, adamBeta1, adamBeta2, adamEpsilon,
                    precision.getElementType());
            return GradientTraining.train(arch, config, data, initialWeights, null, rng, source, interval, listener);
        }
    }

    /** The number of updates for N examples: {@code steps}, or {@code epochs × ⌈N / batch⌉} when epochs is positive. */
    public long totalStepsFor(int numExamples) {
        if (epochs <= 0) {
            return steps;
        }
        boolean fullBatch = optimizer == OptimizerKind.GD || batchSize >= numExamples;
        long perEpoch = fullBatch ? 1 : (numExamples + batchSize - 1) / batchSize;
        return epochs * perEpoch;
    }

    @Override
    public int getInvocationCount() {
        return trainInvocationCounter;
    }

    /** Replays the RNG to the state after {@code invocationCount} trainings, for bit-identical retraining. */
    @Override
    public synchronized void setInvocationCount(int invocationCount) {
        if (invocationCount < 0) {
            throw new IllegalArgumentException("The supplied invocationCount is less than zero.");
        }
        rng = new SplittableRandom(seed);
        for (trainInvocationCounter = 0; trainInvocationCounter < invocationCount; trainInvocationCounter++) {
            rng.split();
        }
    }

    @Override
    public TrainerProvenance getProvenance() {
        return new TrainerProvenanceImpl(this);
    }

    /** The trainer's class name and every hyperparameter, the subclass's own ({@link #ownSettings}) among them. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "(hiddenWidths=" + Arrays.toString(hiddenWidths)
                + ",activations=" + Arrays.toString(activations)
                + ",bias=" + bias + ",skipConnections=" + skipConnections + ",structure=" + structure
                + ",structuredOutput=" + structuredOutput
                + ownSettings() + ",optimizer=" + optimizer + ",batchSize=" + batchSize
                + ",learningRate=" + learningRate + ",schedule=" + schedule + ",decayPower=" + decayPower
                + ",maxLearningRate=" + maxLearningRate + ",backtracking=" + backtracking
                + ",steps=" + steps + ",epochs=" + epochs + ",initialization=" + initialization
                + ",initScale=" + initScale + ",precision=" + precision
                + ",adam=(" + adamBeta1 + "," + adamBeta2 + "," + adamEpsilon + ")" + ownSettingsAfterAdam()
                + ",seed=" + seed + ")";
    }

    /** The subclass's settings listed after the skip setting in {@link #toString()}, each as {@code ",name=value"}. */
    String ownSettings() {
        return "";
    }

    /** The subclass's settings listed after Adam's in {@link #toString()}, each as {@code ",name=value"}. */
    String ownSettingsAfterAdam() {
        return "";
    }
}
