package dev.invariance.deepnet;

import dev.invariance.network.Activation;
import dev.invariance.training.Initialization;
import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.Precision;
import dev.invariance.training.StepSchedule;
import org.tribuo.Trainer;

import java.util.List;

/**
 * Builds a {@link DeepNetTrainer}; every method sets one hyperparameter and returns the builder, so Java and
 * Kotlin read the same: {@code DeepNetTrainer.builder().hidden(10, 10).initScale(0.1).steps(20_000).build()}.
 * Unset values keep the defaults documented on each method.
 */
public final class DeepNetTrainerBuilder {
    private int[] hiddenWidths = {16, 16};
    private String[] activations = {"linear"};
    private boolean bias = false;
    private boolean skipConnections = false;
    private LossFunction loss = LossFunction.LOGISTIC;
    private OptimizerKind optimizer = OptimizerKind.GD;
    private int batchSize = 32;
    private double learningRate = 0.1;
    private StepSchedule schedule = StepSchedule.CONSTANT;
    private double decayPower = 0.5;
    private double maxLearningRate = 10.0;
    private boolean backtracking = true;
    private long steps = 1000;
    private int epochs = 0;
    private Initialization initialization = Initialization.GAUSSIAN;
    private double initScale = 1.0;
    private Precision precision = Precision.FLOAT64;
    private double adamBeta1 = 0.9;
    private double adamBeta2 = 0.999;
    private double adamEpsilon = 1e-8;
    private long seed = Trainer.DEFAULT_SEED;
    private boolean standardize = false;

    DeepNetTrainerBuilder() {
    }

    /** Hidden layer widths, input side first (default 16, 16; none gives a linear model). */
    public DeepNetTrainerBuilder hidden(int... widths) {
        this.hiddenWidths = widths.clone();
        return this;
    }

    /** Hidden layer widths from a list (Kotlin: {@code hidden(listOf(10, 10))}). */
    public DeepNetTrainerBuilder hidden(List<Integer> widths) {
        this.hiddenWidths = widths.stream().mapToInt(Integer::intValue).toArray();
        return this;
    }

    /** One activation after every hidden layer (default linear). */
    public DeepNetTrainerBuilder activation(Activation activation) {
        this.activations = new String[] {activation.getConfigName()};
        return this;
    }

    /** One activation per hidden layer. */
    public DeepNetTrainerBuilder activations(List<Activation> perLayer) {
        this.activations = perLayer.stream().map(Activation::getConfigName).toArray(String[]::new);
        return this;
    }

    /** Bias vectors on every layer (default false, as in the papers). */
    public DeepNetTrainerBuilder bias(boolean bias) {
        this.bias = bias;
        return this;
    }

    /** Residual skips around equal-width hidden-to-hidden layers (default false). */
    public DeepNetTrainerBuilder skipConnections(boolean skip) {
        this.skipConnections = skip;
        return this;
    }

    /** The loss (default logistic). */
    public DeepNetTrainerBuilder loss(LossFunction loss) {
        this.loss = loss;
        return this;
    }

    /** The update rule (default full-batch GD). */
    public DeepNetTrainerBuilder optimizer(OptimizerKind optimizer) {
        this.optimizer = optimizer;
        return this;
    }

    /** Minibatch size for SGD and Adam (default 32). */
    public DeepNetTrainerBuilder batchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
    }

    /** Initial step size η₀ (default 0.1). */
    public DeepNetTrainerBuilder learningRate(double learningRate) {
        this.learningRate = learningRate;
        return this;
    }

    /** Step-size schedule (default constant). */
    public DeepNetTrainerBuilder schedule(StepSchedule schedule) {
        this.schedule = schedule;
        return this;
    }

    /** Power p of the decreasing schedule η₀/(1+t)^p (default 0.5). */
    public DeepNetTrainerBuilder decayPower(double decayPower) {
        this.decayPower = decayPower;
        return this;
    }

    /** Cap η_max of the normalised schedule (default 10; {@code Double.POSITIVE_INFINITY} for no cap). */
    public DeepNetTrainerBuilder maxLearningRate(double maxLearningRate) {
        this.maxLearningRate = maxLearningRate;
        return this;
    }

    /** Backtracking for the normalised schedule (default true). */
    public DeepNetTrainerBuilder backtracking(boolean backtracking) {
        this.backtracking = backtracking;
        return this;
    }

    /** Number of parameter updates (default 1000); clears epochs. */
    public DeepNetTrainerBuilder steps(long steps) {
        this.steps = steps;
        this.epochs = 0;
        return this;
    }

    /** Number of passes over the data; overrides steps. */
    public DeepNetTrainerBuilder epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    /** Initialisation scheme (default Gaussian). */
    public DeepNetTrainerBuilder initialization(Initialization initialization) {
        this.initialization = initialization;
        return this;
    }

    /** Init scale relative to LeCun (default 1; 0.1 is the papers' "small" init). */
    public DeepNetTrainerBuilder initScale(double initScale) {
        this.initScale = initScale;
        return this;
    }

    /** Arithmetic precision (default float64). */
    public DeepNetTrainerBuilder precision(Precision precision) {
        this.precision = precision;
        return this;
    }

    /** Adam's β₁, β₂ and ε (defaults 0.9, 0.999, 1e-8). */
    public DeepNetTrainerBuilder adam(double beta1, double beta2, double epsilon) {
        this.adamBeta1 = beta1;
        this.adamBeta2 = beta2;
        this.adamEpsilon = epsilon;
        return this;
    }

    /** Seed of the initialisation and minibatch order (default Tribuo's 12345). */
    public DeepNetTrainerBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Standardise every feature to mean 0 and deviation 1 with the training data's statistics (default false): for raw
     * data whose features differ in scale by orders of magnitude, where the default step size diverges. The model
     * applies the same map to every input and its ONNX export takes raw features; the analysis reports the weights
     * as trained (on the standardised features). Centred data need {@code bias(true)} when a class sits in the
     * middle of the data (iris), since a bias-free network outputs 0 at the centre.
     */
    public DeepNetTrainerBuilder standardize(boolean standardize) {
        this.standardize = standardize;
        return this;
    }

    /**
     * Builds and validates the trainer.
     *
     * @throws com.oracle.labs.mlrg.olcut.config.PropertyException naming an invalid setting
     */
    public DeepNetTrainer build() {
        return DeepNetTrainer.fromBuilder(this);
    }

    int[] hiddenWidths() { return hiddenWidths.clone(); }
    String[] activations() { return activations.clone(); }
    boolean bias() { return bias; }
    boolean skipConnections() { return skipConnections; }
    LossFunction loss() { return loss; }
    OptimizerKind optimizer() { return optimizer; }
    int batchSize() { return batchSize; }
    double learningRate() { return learningRate; }
    StepSchedule schedule() { return schedule; }
    double decayPower() { return decayPower; }
    double maxLearningRate() { return maxLearningRate; }
    boolean backtracking() { return backtracking; }
    long steps() { return steps; }
    int epochs() { return epochs; }
    Initialization initialization() { return initialization; }
    double initScale() { return initScale; }
    Precision precision() { return precision; }
    double adamBeta1() { return adamBeta1; }
    double adamBeta2() { return adamBeta2; }
    double adamEpsilon() { return adamEpsilon; }
    long seed() { return seed; }
    boolean standardize() { return standardize; }
}
