package dev.invariance.deepnet;

import dev.invariance.network.Activation;
import dev.invariance.network.LayerStructure;
import dev.invariance.training.Initialization;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.Precision;
import dev.invariance.training.StepSchedule;
import dev.invariance.training.TrainingListener;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.List;

/**
 * The settings every deep-net trainer shares, for {@link DeepNetTrainerBuilder} and
 * {@code DeepNetRegressionTrainerBuilder}. Every hyperparameter has three forms, so Java and Kotlin both read
 * naturally: a chained setter {@code steps(20_000)}, and a {@code setSteps}/{@code getSteps} pair that Kotlin sees as
 * a property:
 * <pre>{@code
 * // Java
 * DeepNetTrainer t = DeepNetTrainer.builder().hidden(10, 10).initScale(0.1).steps(20_000).build();
 * // Kotlin
 * val t = DeepNetTrainer.builder().apply { hidden = listOf(10, 10); initScale = 0.1; steps = 20_000 }.build()
 * }</pre>
 * The builder writes straight into a draft trainer, so each default is written once, on the trainer's
 * {@code @Config} field; a getter before any setter returns that default. {@code build()} validates a copy of
 * the draft, so one builder can build several trainers.
 *
 * @param <B> the concrete builder, returned by every setter
 * @param <T> the trainer it builds
 */
public abstract class AbstractDeepNetTrainerBuilder<B extends AbstractDeepNetTrainerBuilder<B, T>,
        T extends AbstractDeepNetTrainer<?, ?>> {
    private final T draft;
    private @Nullable TrainingListener listener;
    private int listenerInterval = AbstractDeepNetTrainer.AUTOMATIC_INTERVAL;

    /** A builder writing into {@code draft}, a trainer holding its field defaults. */
    protected AbstractDeepNetTrainerBuilder(T draft) {
        this.draft = draft;
    }

    /** This builder, as its own type. */
    protected abstract B self();

    /** The draft the setters write into. */
    final T draft() {
        return draft;
    }

    /**
     * Copies the draft's settings into {@code fresh} (a trainer of the same class holding its defaults), validates
     * them and hands it the listener: what {@code build()} returns.
     *
     * @throws com.oracle.labs.mlrg.olcut.config.PropertyException naming an invalid setting
     */
    protected final T configure(T fresh) {
        T trainer = draft.copyConfigurationInto(fresh);
        trainer.postConfig();
        trainer.setListenerInterval(listenerInterval);
        trainer.setListener(listener);
        return trainer;
    }


    /** Hidden layer widths, input side first (default 16, 16; none gives a linear model). */
    public B hidden(int... widths) {
        draft.hiddenWidths = widths.clone();
        return self();
    }

    /** Hidden layer widths from a list (Kotlin: {@code hidden = listOf(10, 10)}). */
    public B setHidden(List<Integer> widths) {
        draft.hiddenWidths = widths.stream().mapToInt(Integer::intValue).toArray();
        return self();
    }

    /** Chained form of {@link #setHidden}. */
    public B hidden(List<Integer> widths) {
        return setHidden(widths);
    }

    /** The hidden layer widths, input side first. */
    public List<Integer> getHidden() {
        return Arrays.stream(draft.hiddenWidths).boxed().toList();
    }

    /** One activation after every hidden layer (default linear). */
    public B activation(Activation activation) {
        return setActivations(List.of(activation));
    }

    /** One activation for all hidden layers (a one-element list) or one per hidden layer. */
    public B setActivations(List<Activation> perLayer) {
        draft.activations = perLayer.stream().map(Activation::getConfigName).toArray(String[]::new);
        return self();
    }

    /** Chained form of {@link #setActivations}. */
    public B activations(List<Activation> perLayer) {
        return setActivations(perLayer);
    }

    /** The activations: one for all hidden layers, or one per hidden layer. */
    public List<Activation> getActivations() {
        return Arrays.stream(draft.activations).map(Activation::parse).toList();
    }

    /** Bias vectors on every layer (default false, as in the papers). */
    public B setBias(boolean bias) {
        draft.bias = bias;
        return self();
    }

    /** Chained form of {@link #setBias}. */
    public B bias(boolean bias) {
        return setBias(bias);
    }

    /** Whether every layer has a bias vector. */
    public boolean getBias() {
        return draft.bias;
    }

    /** Residual skips x_{i+1} = act(W_i x_i) + x_i around equal-width hidden-to-hidden layers (default false). */
    public B setSkipConnections(boolean skip) {
        draft.skipConnections = skip;
        return self();
    }

    /** Chained form of {@link #setSkipConnections}. */
    public B skipConnections(boolean skip) {
        return setSkipConnections(skip);
    }

    /** Whether equal-width hidden-to-hidden layers get residual skips. */
    public boolean getSkipConnections() {
        return draft.skipConnections;
    }

    /**
     * The parameterisation of the hidden layers (default {@link LayerStructure#DENSE}): {@code DIAGONAL} trains
     * W = diag(w), {@code CIRCULANT} trains W[i][j] = c[(i − j) mod d], by gradient descent on w or c. Every hidden
     * width must then equal the number of features d (training refuses other widths); the output layer stays dense
     * unless {@link #setStructuredOutput structuredOutput},
     * so with one hidden layer and one output a diagonal net computes f(x) = ⟨w_1 ⊙ w_0, x⟩ (Yun et al. 2021).
     * Structured layers are initialised with {@code GAUSSIAN} or {@code IDENTITY}.
     */
    public B setStructure(LayerStructure structure) {
        draft.structure = structure;
        return self();
    }

    /** Chained form of {@link #setStructure}. */
    public B structure(LayerStructure structure) {
        return setStructure(structure);
    }

    /** The parameterisation of the hidden layers. */
    public LayerStructure getStructure() {
        return draft.structure;
    }

    /**
     * Whether the output layer gets the {@link #setStructure structure} too (default false: it stays dense). The
     * output layer must then be square d × d, as many outputs as features (training refuses it otherwise, naming
     * both), so that a net with one hidden layer and d outputs is a two-layer circular convolutional linear network
     * W_1 W_0 with both W_i circulant (Radhakrishnan et al. 2020's convolutional case). With it the network may have
     * no hidden layer: one structured d × d layer.
     */
    public B setStructuredOutput(boolean structured) {
        draft.structuredOutput = structured;
        return self();
    }

    /** Chained form of {@link #setStructuredOutput}. */
    public B structuredOutput(boolean structured) {
        return setStructuredOutput(structured);
    }

    /** Whether the output layer has the structure too. */
    public boolean getStructuredOutput() {
        return draft.structuredOutput;
    }

    /** The update rule (default full-batch GD). */
    public B setOptimizer(OptimizerKind optimizer) {
        draft.optimizer = optimizer;
        return self();
    }

    /** Chained form of {@link #setOptimizer}. */
    public B optimizer(OptimizerKind optimizer) {
        return setOptimizer(optimizer);
    }

    /** The update rule. */
    public OptimizerKind getOptimizer() {
        return draft.optimizer;
    }

    /** Minibatch size for SGD and Adam (default 32). */
    public B setBatchSize(int batchSize) {
        draft.batchSize = batchSize;
        return self();
    }

    /** Chained form of {@link #setBatchSize}. */
    public B batchSize(int batchSize) {
        return setBatchSize(batchSize);
    }

    /** The minibatch size. */
    public int getBatchSize() {
        return draft.batchSize;
    }

    /** Initial step size η₀ (default 0.1). */
    public B setLearningRate(double learningRate) {
        draft.learningRate = learningRate;
        return self();
    }

    /** Chained form of {@link #setLearningRate}. */
    public B learningRate(double learningRate) {
        return setLearningRate(learningRate);
    }

    /** The initial step size η₀. */
    public double getLearningRate() {
        return draft.learningRate;
    }

    /** Step-size schedule (default constant). */
    public B setSchedule(StepSchedule schedule) {
        draft.schedule = schedule;
        return self();
    }

    /** Chained form of {@link #setSchedule}. */
    public B schedule(StepSchedule schedule) {
        return setSchedule(schedule);
    }

    /** The step-size schedule. */
    public StepSchedule getSchedule() {
        return draft.schedule;
    }

    /** Power p of the decreasing schedule η₀/(1+t)^p (default 0.5). */
    public B setDecayPower(double decayPower) {
        draft.decayPower = decayPower;
        return self();
    }

    /** Chained form of {@link #setDecayPower}. */
    public B decayPower(double decayPower) {
        return setDecayPower(decayPower);
    }

    /** The power p of the decreasing schedule. */
    public double getDecayPower() {
        return draft.decayPower;
    }

    /** Cap η_max of the normalised schedule (default 10; {@code Double.POSITIVE_INFINITY} for no cap). */
    public B setMaxLearningRate(double maxLearningRate) {
        draft.maxLearningRate = maxLearningRate;
        return self();
    }

    /** Chained form of {@link #setMaxLearningRate}. */
    public B maxLearningRate(double maxLearningRate) {
        return setMaxLearningRate(maxLearningRate);
    }

    /** The cap η_max of the normalised schedule. */
    public double getMaxLearningRate() {
        return draft.maxLearningRate;
    }

    /** Backtracking for plain gradient steps of the normalised schedule (default true). */
    public B setBacktracking(boolean backtracking) {
        draft.backtracking = backtracking;
        return self();
    }

    /** Chained form of {@link #setBacktracking}. */
    public B backtracking(boolean backtracking) {
        return setBacktracking(backtracking);
    }

    /** Whether rejected steps are undone and the step halved. */
    public boolean getBacktracking() {
        return draft.backtracking;
    }

    /** Number of parameter updates (default 1000); clears epochs. */
    public B setSteps(long steps) {
        draft.steps = steps;
        draft.epochs = 0;
        return self();
    }

    /** Chained form of {@link #setSteps}. */
    public B steps(long steps) {
        return setSteps(steps);
    }

    /** The number of parameter updates (used while epochs is 0). */
    public long getSteps() {
        return draft.steps;
    }

    /** Number of passes over the data; when positive it overrides steps (default 0). */
    public B setEpochs(int epochs) {
        draft.epochs = epochs;
        return self();
    }

    /** Chained form of {@link #setEpochs}. */
    public B epochs(int epochs) {
        return setEpochs(epochs);
    }

    /** The number of passes over the data (0: use steps). */
    public int getEpochs() {
        return draft.epochs;
    }

    /**
     * Initialisation scheme (default Gaussian); {@link Initialization#ALIGNED} builds aligned layers from the
     * training data's cross-covariance Σ_n y_n x_nᵀ, with y_n the loss's target vector (Radhakrishnan et al. 2020).
     */
    public B setInitialization(Initialization initialization) {
        draft.initialization = initialization;
        return self();
    }

    /** Chained form of {@link #setInitialization}. */
    public B initialization(Initialization initialization) {
        return setInitialization(initialization);
    }

    /** The initialisation scheme. */
    public Initialization getInitialization() {
        return draft.initialization;
    }

    /** Init scale relative to LeCun, Gaussian std = scale/√fan_in (default 1; 0.1 is the papers' "small" init). */
    public B setInitScale(double initScale) {
        draft.initScale = initScale;
        return self();
    }

    /** Chained form of {@link #setInitScale}. */
    public B initScale(double initScale) {
        return setInitScale(initScale);
    }

    /** The init scale relative to LeCun. */
    public double getInitScale() {
        return draft.initScale;
    }

    /** Arithmetic precision (default float64). */
    public B setPrecision(Precision precision) {
        draft.precision = precision;
        return self();
    }

    /** Chained form of {@link #setPrecision}. */
    public B precision(Precision precision) {
        return setPrecision(precision);
    }

    /** The arithmetic precision. */
    public Precision getPrecision() {
        return draft.precision;
    }

    /** Adam's β₁, the decay of the first-moment average m_t = β₁ m_{t−1} + (1 − β₁) g_t (default 0.9). */
    public B setAdamBeta1(double beta1) {
        draft.adamBeta1 = beta1;
        return self();
    }

    /** Chained form of {@link #setAdamBeta1}. */
    public B adamBeta1(double beta1) {
        return setAdamBeta1(beta1);
    }

    /** Adam's β₁. */
    public double getAdamBeta1() {
        return draft.adamBeta1;
    }

    /** Adam's β₂, the decay of the second-moment average v_t = β₂ v_{t−1} + (1 − β₂) g_t² (default 0.999). */
    public B setAdamBeta2(double beta2) {
        draft.adamBeta2 = beta2;
        return self();
    }

    /** Chained form of {@link #setAdamBeta2}. */
    public B adamBeta2(double beta2) {
        return setAdamBeta2(beta2);
    }

    /** Adam's β₂. */
    public double getAdamBeta2() {
        return draft.adamBeta2;
    }

    /** Adam's ε in the update η m̂_t / (√v̂_t + ε) (default 1e-8). */
    public B setAdamEpsilon(double epsilon) {
        draft.adamEpsilon = epsilon;
        return self();
    }

    /** Chained form of {@link #setAdamEpsilon}. */
    public B adamEpsilon(double epsilon) {
        return setAdamEpsilon(epsilon);
    }

    /** Adam's ε. */
    public double getAdamEpsilon() {
        return draft.adamEpsilon;
    }

    /** Seed of the initialisation and minibatch order (default Tribuo's {@code Trainer.DEFAULT_SEED}, 12345). */
    public B setSeed(long seed) {
        draft.seed = seed;
        return self();
    }

    /** Chained form of {@link #setSeed}. */
    public B seed(long seed) {
        return setSeed(seed);
    }

    /** The seed. */
    public long getSeed() {
        return draft.seed;
    }

    /**
     * Steps between listener calls; {@link AbstractDeepNetTrainer#AUTOMATIC_INTERVAL} (0, the default) reports about a
     * hundred checkpoints per run. Not a hyperparameter: it does not change the weights or the provenance.
     */
    public B setListenerInterval(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("listener interval must be >= 0, got " + steps);
        }
        this.listenerInterval = steps;
        return self();
    }

    /** Chained form of {@link #setListenerInterval}. */
    public B listenerInterval(int steps) {
        return setListenerInterval(steps);
    }

    /** Steps between listener calls (0: automatic). */
    public int getListenerInterval() {
        return listenerInterval;
    }

    /**
     * The listener every {@code train} call of the built trainer reports to, including calls made by Tribuo
     * ({@code CrossValidation}, provenance replay); null for none (the default). Not a hyperparameter.
     */
    public B setListener(@Nullable TrainingListener listener) {
        this.listener = listener;
        return self();
    }

    /** Chained form of {@link #setListener}, last so Kotlin can pass a trailing lambda: {@code .listener { log(it.loss) }}. */
    public B listener(TrainingListener listener) {
        return setListener(listener);
    }

    /** The listener, or null. */
    public @Nullable TrainingListener getListener() {
        return listener;
    }
}
