package dev.invariance.cli;

import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.MetricsTrace;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.evaluation.internal.TerminalText;
import dev.invariance.data.CsvDatasets;
import dev.invariance.data.InvalidDataException;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.deepnet.DeepNetTrainerBuilder;
import dev.invariance.deepnet.ProvenanceReplay;
import dev.invariance.linalg.LinearAlgebraBackend;
import dev.invariance.network.Activation;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.WeightDigest;
import dev.invariance.report.HtmlReport;
import dev.invariance.report.ReportedModel;
import dev.invariance.training.Initialization;
import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.Precision;
import dev.invariance.training.StepSchedule;
import org.jspecify.annotations.Nullable;
import org.tribuo.Dataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.provenance.ModelProvenance;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code invariance train}: trains a {@link DeepNetModel} on a CSV file (or replays a provenance file) and
 * writes the ONNX export, optionally the Tribuo model and the provenance JSON.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a deep linear or ReLU classifier on a CSV file and export it to ONNX.")
final class TrainCommand implements Callable<Integer> {

    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    @Spec
    private CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE.csv", description = "CSV file with a header row; all columns but the label are numeric.")
    private @Nullable Path data;

    @Option(names = "--label", paramLabel = "COLUMN", description = "Name of the label column.")
    private @Nullable String label;

    @Option(names = "--from-provenance", paramLabel = "PROV.json", description = "Retrain from a provenance file written by --provenance (bit-identical weights).")
    private @Nullable Path fromProvenance;

    @Option(names = "--allow-data-change", description = "With --from-provenance: retrain on the data file as it is now when its content hash differs from the recorded one (otherwise refused).")
    private boolean allowDataChange;

    @Option(names = "--hidden", split = ",", paramLabel = "W", description = "Hidden layer widths, e.g. 16,16,16 (default: ${DEFAULT-VALUE}).", defaultValue = "16,16")
    private List<Integer> hidden = new ArrayList<>();

    @Option(names = "--activation", split = ",", paramLabel = "A", description = "linear or relu, one for all hidden layers or one per layer (default: ${DEFAULT-VALUE}).", defaultValue = "linear")
    private List<String> activation = new ArrayList<>();

    @Option(names = "--no-bias", description = "Bias-free layers, as in the papers.")
    private boolean noBias;

    @Option(names = "--skip", description = "Residual skips around equal-width hidden layers.")
    private boolean skip;

    @Option(names = "--structure", paramLabel = "S", description = "dense, diagonal (W = diag(w)) or circulant (W[i][j] = c[(i - j) mod d]): the hidden layers' parameterisation; every hidden width must then equal the number of features (default: ${DEFAULT-VALUE}).", defaultValue = "dense")
    private String structure = "dense";

    @Option(names = "--structured-output", description = "Give the output layer the --structure too (it must then be square: as many outputs as features), as in a circular convolutional linear network; by default it stays dense.")
    private boolean structuredOutput;

    @Option(names = "--loss", paramLabel = "L", description = "logistic, exponential or squared (default: ${DEFAULT-VALUE}).", defaultValue = "logistic")
    private String loss = "logistic";

    @Option(names = "--optimizer", paramLabel = "O", description = "gd (full batch), sgd or adam (default: ${DEFAULT-VALUE}).", defaultValue = "gd")
    private String optimizer = "gd";

    @Option(names = "--batch-size", paramLabel = "N", description = "Minibatch size for sgd and adam (default: ${DEFAULT-VALUE}).", defaultValue = "32")
    private int batchSize = 32;

    @Option(names = "--learning-rate", paramLabel = "ETA", description = "Initial step size (default: ${DEFAULT-VALUE}).", defaultValue = "0.1")
    private double learningRate = 0.1;

    @Option(names = "--schedule", paramLabel = "S", description = "constant, decreasing or normalized (default: ${DEFAULT-VALUE}).", defaultValue = "constant")
    private String schedule = "constant";

    @ArgGroup(exclusive = true)
    private @Nullable Budget budget;

    static final class Budget {
        @Option(names = "--steps", paramLabel = "N", description = "Number of parameter updates (default 1000).")
        private @Nullable Long steps;

        @Option(names = "--epochs", paramLabel = "N", description = "Number of passes over the data.")
        private @Nullable Integer epochs;
    }

    @Option(names = "--init", paramLabel = "I", description = "gaussian, orthogonal, balanced, identity, aligned (from the data's cross-covariance) or constant-diagonal (hidden layers = init scale times I, output layer 0) (default: ${DEFAULT-VALUE}).", defaultValue = "gaussian")
    private String init = "gaussian";

    @Option(names = "--init-scale", paramLabel = "S", description = "Init scale relative to LeCun (default: ${DEFAULT-VALUE}).", defaultValue = "1.0")
    private double initScale = 1.0;

    @Option(names = "--precision", paramLabel = "P", description = "float64 or float32 (default: ${DEFAULT-VALUE}).", defaultValue = "float64")
    private String precision = "float64";

    @Option(names = "--standardize", description = "Standardise each feature (mean 0, deviation 1) with the training data's statistics; the model and its ONNX export apply it to raw inputs.")
    private boolean standardize;

    @Option(names = "--seed", paramLabel = "N", description = "Seed (default: ${DEFAULT-VALUE}).", defaultValue = "12345")
    private long seed = 12345L;

    @SuppressWarnings("NullAway.Init") // required: picocli sets it, or refuses the command line, before call()
    @Option(names = "--output", required = true, paramLabel = "MODEL.onnx", description = "Where to write the ONNX model.")
    private Path output;

    @Option(names = "--tribuo-model", paramLabel = "MODEL.tribuo", description = "Also write the Tribuo model (protobuf).")
    private @Nullable Path tribuoModel;

    @Option(names = "--provenance", paramLabel = "PROV.json", description = "Also write the model's provenance as JSON.")
    private @Nullable Path provenance;

    @Option(names = "--report", paramLabel = "REPORT.html", description = "Also write the HTML report of the trained model on its training data, with every metric over the training steps.")
    private @Nullable Path report;

    /** The metrics over the training steps, recorded when {@code --report} is given. */
    private final MetricsTrace trace = MetricsTrace.create();

    @Mixin
    private QuietOption quiet = new QuietOption();

    @Option(names = "--trace-every", paramLabel = "N", description = "With --report: record the metrics every N steps (default: about 50 times in all).")
    private int traceEvery;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        OutputFiles.checkDistinct(outputs(), inputs());
        for (Path target : outputs().values()) {
            OutputFiles.checkWritable(target);
        }
        DeepNetModel model;
        Dataset<Label> trainingData;
        if (fromProvenance != null) {
            List<String> conflicting = new ArrayList<>();
            for (picocli.CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
                if (!REPLAY_OPTIONS.contains(o.longestName())) {
                    conflicting.add(o.longestName());
                }
            }
            if (!conflicting.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--from-provenance replays the recorded data and trainer;"
                        + " do not give " + String.join(", ", conflicting));
            }
            checkProvenanceSize(fromProvenance);
            ModelProvenance recorded = ProvenanceReplay.readJson(fromProvenance);
            model = ProvenanceReplay.retrain(recorded, allowDataChange);
            trainingData = null;
        } else {
            if (data == null || label == null) {
                throw new ParameterException(spec.commandLine(), "give --data FILE.csv and --label COLUMN (or --from-provenance PROV.json)");
            }
            if (allowDataChange) {
                throw new ParameterException(spec.commandLine(), "--allow-data-change applies to --from-provenance");
            }
            if (traceEvery != 0 && report == null) {
                throw new ParameterException(spec.commandLine(), "--trace-every applies to --report");
            }
            if (traceEvery < 0) {
                throw new ParameterException(spec.commandLine(), "--trace-every must be positive");
            }
            // the widths against the heap before the data is read, and again, exactly, once it is
            TrainingMemory.leastData(hidden).check(hiddenOption(), Runtime.getRuntime().maxMemory());
            trainingData = CsvDatasets.load(data, label);
            DeepNetTrainer trainer = trainer();
            int examples = trainingData.size();
            new TrainingMemory(trainingData.getFeatureIDMap().size(), hidden, trainingData.getOutputIDInfo().size(),
                    batchRows(examples), examples).check(hiddenOption(), Runtime.getRuntime().maxMemory());
            long total = trainer.totalStepsFor(trainingData.size());
            try (TerminalProgress progress = new TerminalProgress("train", total, TerminalProgress.shouldDraw(quiet.isQuiet()))) {
                int progressEvery = TerminalProgress.interval(total);
                if (report == null) {
                    trainer.setListenerInterval(progressEvery);
                    trainer.setListener(progress);
                } else {
                    // the trace's steps and the progress bar's, both multiples of the listener's interval
                    int every = traceEvery > 0 ? traceEvery : progressEvery * TRACE_PER_PROGRESS;
                    trainer.setListenerInterval(gcd(progressEvery, every));
                    trainer.setListener(checkpoint -> {
                        progress.onCheckpoint(checkpoint);
                        if (checkpoint.step() % every == 0 || checkpoint.step() >= total || checkpoint.loss() == 0.0) {
                            trace.onCheckpoint(checkpoint);
                        }
                    });
                }
                model = trainer.train(trainingData);
            } catch (IllegalArgumentException e) {
                // the trainer's checks of its input (one class, no features): here they can only be about the CSV
                throw new InvalidDataException(data + ": " + CliErrors.oneLine(e.getMessage()), e);
            }
        }
        OutputFiles.writeAtomically(output, f -> model.saveONNXModel("dev.invariance", 1, f));
        if (tribuoModel != null) {
            OutputFiles.writeAtomically(tribuoModel, model::serializeToFile);
        }
        if (provenance != null) {
            String json = ProvenanceReplay.toJson(model.getProvenance());
            OutputFiles.writeAtomically(provenance, f -> Files.writeString(f, json));
        }
        if (report != null && trainingData != null) {
            writeReport(report, model, trainingData);
        }
        out.printf("trained %s%n", TerminalText.escape(model.toString()));
        // the loss over the whole training set at the final weights (SGD and Adam record minibatch losses)
        double finalLoss = trainingData != null ? model.meanLoss(trainingData) : model.getLossCurve().getFinalLoss();
        out.printf("steps %d, %s %.6e (%s), %s%n", model.getStepsRun(),
                trainingData != null ? "final loss (training set)" : finalLossLabel(model), finalLoss,
                model.getStopReason().name().toLowerCase(java.util.Locale.ROOT), LinearAlgebraBackend.describe());
        out.printf("weights sha256 %s%n", WeightDigest.sha256(model.getNetwork()));
        if (trainingData != null) {
            out.printf("training accuracy %.4f%n", new LabelEvaluator().evaluate(model, trainingData).accuracy());
        }
        out.printf("wrote %s%n", TerminalText.escape(output.toString()));
        if (tribuoModel != null) {
            out.printf("wrote %s%n", TerminalText.escape(tribuoModel.toString()));
        }
        if (provenance != null) {
            out.printf("wrote %s%n", TerminalText.escape(provenance.toString()));
        }
        if (report != null) {
            out.printf("wrote %s%n", TerminalText.escape(report.toString()));
        }
        return 0;
    }

    /** Trace checkpoints per progress-bar update when {@code --trace-every} is not given: about 50 in all. */
    private static final int TRACE_PER_PROGRESS = 4;

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Writes the report of {@code model} evaluated on its training data as {@code analyze} evaluates a Tribuo model,
     * with the trace recorded during training.
     */
    private void writeReport(Path file, DeepNetModel model, Dataset<Label> trainingData) {
        WeightAnalyzer analyzer = WeightAnalyzer.create(AnalysisOptions.builder().allSingularValues(true).build());
        ModelEvaluations.Evaluated e = ModelEvaluations.tribuo(model, output.toString(), analyzer, trainingData,
                SvmProgressLines.forCommand(spec.commandLine().getErr(), spec.qualifiedName(), quiet.isQuiet()));
        Path fileName = output.getFileName();
        HtmlReport html = HtmlReport.of(ReportedModel.of(fileName == null ? output.toString() : fileName.toString(),
                e.evaluation(), e.file())).withTrace(trace.getEntries());
        OutputFiles.writeAtomically(file, html::writeTo);
    }

    /** The options that may accompany --from-provenance: where to write and logging, nothing that changes training. */
    private static final java.util.Set<String> REPLAY_OPTIONS = java.util.Set.of("--from-provenance", "--output",
            "--tribuo-model", "--provenance", "--verbose", "--allow-data-change", "--quiet");

    /** Replay: GD recorded the loss over the whole training set; SGD and Adam the loss of the last minibatch. */
    private static String finalLossLabel(DeepNetModel model) {
        Object recorded = model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("optimizer");
        String optimizer = recorded instanceof com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance<?> p
                ? String.valueOf(p.getValue()) : String.valueOf(recorded);
        return optimizer.equals(OptimizerKind.GD.name()) ? "final loss (training set)" : "last minibatch loss";
    }

    /** The files written, by option, in the order they are written. */
    private Map<String, Path> outputs() {
        Map<String, Path> all = new LinkedHashMap<>();
        all.put("--output", output);
        if (tribuoModel != null) {
            all.put("--tribuo-model", tribuoModel);
        }
        if (provenance != null) {
            all.put("--provenance", provenance);
        }
        if (report != null) {
            all.put("--report", report);
        }
        return all;
    }

    /** The files read, by option. */
    private Map<String, Path> inputs() {
        Map<String, Path> all = new LinkedHashMap<>();
        if (data != null) {
            all.put("--data", data);
        }
        if (fromProvenance != null) {
            all.put("--from-provenance", fromProvenance);
        }
        return all;
    }

    /**
     * The most bytes of a provenance file read: a thousand times what {@code --provenance} writes for a small network
     * (a few kilobytes), and at most 1/64 of the heap, which the JSON tree and the configuration made from it take
     * several times over.
     */
    static long provenanceLimit() {
        return Math.min(16L << 20, Runtime.getRuntime().maxMemory() / 64);
    }

    /** Refuses a provenance file larger than {@link #provenanceLimit()} before reading it. */
    private static void checkProvenanceSize(Path file) {
        try {
            if (Files.isRegularFile(file) && Files.size(file) > provenanceLimit()) {
                throw new InvalidDataException(file + ": " + Files.size(file) + " bytes, more than a provenance JSON"
                        + " file holds (at most " + provenanceLimit() + " bytes are read)");
            }
        } catch (java.io.IOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The examples in one batch, as the trainer batches: all of them for full-batch gradient descent, else
     * {@code --batch-size} (all of them when it is larger). The options were checked by {@link #trainer()}.
     */
    private int batchRows(int examples) {
        return OptimizerKind.parse(optimizer) == OptimizerKind.GD ? examples : Math.min(batchSize, examples);
    }

    /** {@code --hidden} as given, for messages; a long list shortened to its first widths and its length. */
    private String hiddenOption() {
        return hidden.stream().limit(8).map(String::valueOf).collect(Collectors.joining(","))
                + (hidden.size() > 8 ? ",… (" + hidden.size() + " widths)" : "");
    }

    /** The trainer the options describe; an unknown option value is a parameter error naming it. */
    private DeepNetTrainer trainer() {
        try {
            return trainerFromOptions();
        } catch (IllegalArgumentException e) {
            // the enum parsers' "unknown value" messages; invalid combinations are PropertyExceptions from build()
            throw new ParameterException(spec.commandLine(), CliErrors.oneLine(e.getMessage()), e);
        }
    }

    private DeepNetTrainer trainerFromOptions() {
        List<Activation> activations = activation.stream().map(Activation::parse).toList();
        DeepNetTrainerBuilder b = DeepNetTrainer.builder()
                .hidden(hidden.stream().mapToInt(Integer::intValue).toArray())
                .activations(activations)
                .bias(!noBias)
                .skipConnections(skip)
                .structure(LayerStructure.parse(structure))
                .structuredOutput(structuredOutput)
                .loss(LossFunction.parse(loss))
                .optimizer(OptimizerKind.parse(optimizer))
                .batchSize(batchSize)
                .learningRate(learningRate)
                .schedule(StepSchedule.parse(schedule))
                .initialization(Initialization.parse(init))
                .initScale(initScale)
                .precision(Precision.parse(precision))
                .standardize(standardize)
                .seed(seed);
        if (budget != null && budget.epochs != null) {
            b.epochs(budget.epochs);
        } else if (budget != null && budget.steps != null) {
            b.steps(budget.steps);
        }
        return b.build();
    }
}
