package dev.invariance.deepnet;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import dev.invariance.network.Activation;
import dev.invariance.training.Architecture;
import dev.invariance.training.GradientTraining;
import dev.invariance.training.Initialization;
import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.Precision;
import dev.invariance.training.StepSchedule;
import dev.invariance.training.TrainingConfig;
import dev.invariance.training.TrainingData;
import dev.invariance.training.TrainingListener;
import dev.invariance.training.TrainingResult;
import org.jspecify.annotations.Nullable;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuo.provenance.impl.TrainerProvenanceImpl;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains {@link DeepNetModel}s: deep linear or ReLU feed-forward classifiers trained by gradient descent, in
 * the regimes of the implicit-bias theory (science.md sections 1 and 4) and for ordinary Tribuo pipelines.
 * Every setting that changes the result is an OLCUT {@code @Config} field, so a model's provenance
 * describes its trainer completely and {@code ProvenanceUtil.extractConfiguration} rebuilds it; with the
 * invocation count restored ({@link #setInvocationCount}) retraining gives bit-identical weights.
 *
 * <p>Two classes use ONE output unit with labels ±1 (the positive class is the label with output id 1);
 * k &gt; 2 classes use k outputs. Defaults follow the papers: bias-free linear layers, logistic loss,
 * full-batch gradient descent with a constant step, Gaussian LeCun init, float64.
 */
public final class DeepNetTrainer implements Trainer<Label> {

    @Config(description = "Widths of the hidden layers, input side first (empty: a linear model).")
    private int[] hiddenWidths = {16, 16};

    @Config(description = "Activation after the hidden layers: one value for all, or one per hidden layer (linear, relu).")
    private String[] activations = {"linear"};

    @Config(description = "Whether every layer has a bias vector.")
    private boolean bias = false;

    @Config(description = "Residual skips x_{i+1} = act(W_i x_i + b_i) + x_i around equal-width hidden-to-hidden layers.")
    private boolean skipConnections = false;

    @Config(description = "Loss: LOGISTIC (softmax cross-entropy for k > 2 classes), EXPONENTIAL or SQUARED.")
    private LossFunction loss = LossFunction.LOGISTIC;

    @Config(description = "Update rule: GD (full batch), SGD (minibatch) or ADAM.")
    private OptimizerKind optimizer = OptimizerKind.GD;

    @Config(description = "Minibatch size for SGD and Adam (ignored by full-batch GD).")
    private int batchSize = 32;

    @Config(description = "Initial step size eta_0.")
    private double learningRate = 0.1;

    @Config(description = "Step-size schedule: CONSTANT, DECREASING (eta_0/(1+t)^p) or NORMALIZED (min(eta_0/L, eta_max) with backtracking).")
    private StepSchedule schedule = StepSchedule.CONSTANT;

    @Config(description = "Power p of the decreasing schedule.")
    private double decayPower = 0.5;

    @Config(description = "Cap eta_max of the loss-normalised schedule.")
    private double maxLearningRate = 10.0;

    @Config(description = "Undo full-batch steps that raise the loss and halve the step (normalised schedule).")
    private boolean backtracking = true;

    @Config(description = "Number of parameter updates (used when epochs is 0).")
    private long steps = 1000;

    @Config(description = "Number of passes over the data; when positive it overrides steps.")
    private int epochs = 0;

    @Config(description = "Initialisation: GAUSSIAN, ORTHOGONAL, BALANCED or IDENTITY.")
    private Initialization initialization = Initialization.GAUSSIAN;

    @Config(description = "Init scale relative to LeCun (Gaussian std = scale / sqrt(fan_in)).")
    private double initScale = 1.0;

    @Config(description = "Arithmetic precision: FLOAT64 or FLOAT32.")
    private Precision precision = Precision.FLOAT64;

    @Config(description = "Adam beta_1.")
    private double adamBeta1 = 0.9;

    @Config(description = "Adam beta_2.")
    private double adamBeta2 = 0.999;

    @Config(description = "Adam epsilon.")
    private double adamEpsilon = 1e-8;

    @Config(description = "Standardise every feature to mean 0 and deviation 1 with statistics of the training data"
            + " (kept in the model, applied to every input and folded into the ONNX export).")
    private boolean standardize = false;

    @Config(description = "Seed of the initialisation and minibatch order.")
    private long seed = Trainer.DEFAULT_SEED;

    private SplittableRandom rng;
    private int trainInvocationCounter;
    private List<Activation> parsedActivations = List.of(Activation.LINEAR);

    /** For OLCUT. */
    private DeepNetTrainer() {
        rng = new SplittableRandom(seed);
    }

    /** A builder with the defaults described on the class. */
    public static DeepNetTrainerBuilder builder() {
        return new DeepNetTrainerBuilder();
    }

    static DeepNetTrainer fromBuilder(DeepNetTrainerBuilder b) {
        DeepNetTrainer t = new DeepNetTrainer();
        t.hiddenWidths = b.hiddenWidths();
        t.activations = b.activations();
        t.bias = b.bias();
        t.skipConnections = b.skipConnections();
        t.loss = b.loss();
        t.optimizer = b.optimizer();
        t.batchSize = b.batchSize();
        t.learningRate = b.learningRate();
        t.schedule = b.schedule();
        t.decayPower = b.decayPower();
        t.maxLearningRate = b.maxLearningRate();
        t.backtracking = b.backtracking();
        t.steps = b.steps();
        t.epochs = b.epochs();
        t.initialization = b.initialization();
        t.initScale = b.initScale();
        t.precision = b.precision();
        t.adamBeta1 = b.adamBeta1();
        t.adamBeta2 = b.adamBeta2();
        t.adamEpsilon = b.adamEpsilon();
        t.seed = b.seed();
        t.standardize = b.standardize();
        t.postConfig();
        return t;
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
        rng = new SplittableRandom(seed);
    }

    @Override
    public DeepNetModel train(Dataset<Label> examples) {
        return train(examples, Collections.emptyMap());
    }

    @Override
    public DeepNetModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance) {
        return train(examples, runProvenance, INCREMENT_INVOCATION_COUNT, 1, null);
    }

    @Override
    public DeepNetModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        return train(examples, runProvenance, invocationCount, 1, null);
    }

    /**
     * Trains while reporting checkpoints to {@code listener} every {@code interval} steps (and after the last).
     * The listener is the last parameter, so Kotlin can pass a trailing lambda.
     */
    public DeepNetModel train(Dataset<Label> examples, int interval, TrainingListener listener) {
        return train(examples, Collections.emptyMap(), INCREMENT_INVOCATION_COUNT, interval, listener);
    }

    private DeepNetModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount,
                               int interval, @Nullable TrainingListener listener) {
        ImmutableFeatureMap featureMap = examples.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = examples.getOutputIDInfo();
        if (examples.size() == 0) {
            throw new IllegalArgumentException("training dataset is empty");
        }
        if (outputInfo.size() < 2) {
            throw new IllegalArgumentException("training data has a single class " + outputInfo.getDomain()
                    + "; a classifier needs at least two");
        }
        if (featureMap.size() == 0) {
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
        TrainingData data = toTrainingData(examples, featureMap, outputInfo);
        FeatureStandardization standardization = null;
        if (standardize) {
            standardization = FeatureStandardization.fit(data, 0.0);
            data = standardization.applyTo(data);
        }
        List<Integer> hidden = Arrays.stream(hiddenWidths).boxed().toList();
        Architecture arch = Architecture.of(featureMap.size(), hidden, parsedActivations, data.outputWidth(), bias,
                skipConnections);
        int[] widths = arch.widths().stream().mapToInt(Integer::intValue).toArray();
        double[][] initialWeights = initialization.initialWeights(widths, initScale, localRng);
        long totalSteps = totalStepsFor(data.size());
        TrainingConfig config = new TrainingConfig(loss, optimizer, batchSize, learningRate, schedule, decayPower,
                maxLearningRate, backtracking, totalSteps, adamBeta1, adamBeta2, adamEpsilon, precision.getElementType());
        TrainingResult result = GradientTraining.train(arch, config, data, initialWeights, null, localRng,
                DeepNetModel.class.getSimpleName(), interval, listener);
        ModelProvenance provenance = new ModelProvenance(DeepNetModel.class.getName(), OffsetDateTime.now(),
                examples.getProvenance(), trainerProvenance, runProvenance);
        return new DeepNetModel("deep-net-model", provenance, featureMap, outputInfo, result.network(), loss,
                result.lossCurve(), result.stepsRun(), result.stopReason(), standardization);
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

    /** Dense features in feature-id order, class ids from the output domain, example weights. */
    static TrainingData toTrainingData(Dataset<Label> examples, ImmutableFeatureMap featureMap,
                                       ImmutableOutputInfo<Label> outputInfo) {
        int n = examples.size();
        int d = featureMap.size();
        double[] x = new double[n * d];
        int[] classes = new int[n];
        double[] weights = new double[n];
        int row = 0;
        for (Example<Label> example : examples) {
            for (Feature f : example) {
                int id = featureMap.getID(f.getName());
                if (id >= 0) {
                    x[row * d + id] = f.getValue();
                }
            }
            classes[row] = outputInfo.getID(example.getOutput());
            weights[row] = example.getWeight();
            row++;
        }
        return new TrainingData(x, d, classes, outputInfo.size(), weights);
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

    @Override
    public String toString() {
        return "DeepNetTrainer(hiddenWidths=" + Arrays.toString(hiddenWidths)
                + ",activations=" + Arrays.toString(activations)
                + ",bias=" + bias + ",skipConnections=" + skipConnections
                + ",loss=" + loss + ",optimizer=" + optimizer + ",batchSize=" + batchSize
                + ",learningRate=" + learningRate + ",schedule=" + schedule + ",decayPower=" + decayPower
                + ",maxLearningRate=" + maxLearningRate + ",backtracking=" + backtracking
                + ",steps=" + steps + ",epochs=" + epochs + ",initialization=" + initialization
                + ",initScale=" + initScale + ",precision=" + precision
                + ",adam=(" + adamBeta1 + "," + adamBeta2 + "," + adamEpsilon + "),standardize=" + standardize
                + ",seed=" + seed + ")";
    }
}
