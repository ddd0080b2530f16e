package dev.invariance.cli;

import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.evaluation.EvaluationJson;
import dev.invariance.evaluation.internal.TerminalText;
import dev.invariance.onnx.running.ExecutionDevice;
import dev.invariance.onnx.running.InvalidOptionsException;
import dev.invariance.onnx.running.OnnxDataOptions;
import dev.invariance.onnx.reading.OnnxModelReader;
import dev.invariance.onnx.reading.OnnxReadOption;
import org.jspecify.annotations.Nullable;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code invariance analyze MODEL.tribuo [--data FILE.csv --label COLUMN]} or {@code invariance analyze MODEL.onnx}: the
 * low-rank and alignment analysis of a saved Tribuo model or of an ONNX model read by
 * {@link dev.invariance.onnx.reading.OnnxModelReader}, as a table (default) or as JSON ({@code --format json}).
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Find low-rank and aligned layers of a saved Tribuo model or an ONNX model (optionally with data).")
final class AnalyzeCommand implements Callable<Integer> {

    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    @Spec
    private CommandSpec spec;

    @SuppressWarnings("NullAway.Init") // required (arity 1): picocli sets it, or refuses the command line, before call()
    @Parameters(index = "0", paramLabel = "MODEL", description = "A Tribuo model file (protobuf, as written by train --tribuo-model) or an ONNX model (*.onnx).")
    private Path modelFile;

    @Option(names = "--data", paramLabel = "FILE.csv|FOLDER", description = "Data for the data-dependent metrics and the model's evaluation: a CSV file, or (ONNX models) a folder of .npy files, one example each, with --labels.")
    private @Nullable Path data;

    @Option(names = "--label", paramLabel = "COLUMN", description = "Label column of --data.")
    private @Nullable String label;

    @Option(names = "--input", paramLabel = "NAME", description = "ONNX models with --data: the input to feed (when there are several; others keep their defaults).")
    private @Nullable String input;

    @Option(names = "--input-shape", paramLabel = "NAME=1xDxD", description = "ONNX models with --data: the shape of one example of input NAME, batch axis (1) first, fixing the sizes the model leaves dynamic (repeatable; e.g. image=1x3x240x320).")
    private java.util.List<String> inputShapes = new java.util.ArrayList<>();

    @Option(names = "--output", paramLabel = "NAME", description = "ONNX models with --data: the output holding the class scores (needed when the model has several outputs).")
    private @Nullable String output;

    @Option(names = "--labels", paramLabel = "FILE.csv", description = "ONNX models with --data FOLDER: the CSV naming each example's .npy file (column 'file') and its label (default: FOLDER/labels.csv).")
    private @Nullable Path labels;

    @Option(names = "--batch-size", paramLabel = "N", description = "ONNX models with --data: examples per ONNX Runtime call (default: sized from the model's widths; at most what fits a quarter of the heap).")
    private int batchSize;

    @Option(names = "--device", paramLabel = "D", description = "ONNX models with --data: cpu, cuda, cuda:N or auto (CUDA when usable, else the CPU with a note; default: ${DEFAULT-VALUE}).", defaultValue = "cpu")
    private String device = "cpu";

    @Option(names = "--classes", paramLabel = "C1,C2,...", split = ",", description = "ONNX models with --data: the class of each output column, in order (default: the labels of --data, sorted numerically when all are numbers).")
    private java.util.List<String> classes = new java.util.ArrayList<>();

    @Option(names = "--no-label-evaluation", description = "ONNX models with --data: skip Tribuo's LabelEvaluation (it keeps one prediction per example), so memory does not grow with the data.")
    private boolean noLabelEvaluation;

    @Option(names = "--format", paramLabel = "F", description = "table or json (default: ${DEFAULT-VALUE}).", defaultValue = "table")
    private String format = "table";

    @Option(names = "--top-k", paramLabel = "K", description = "Singular values reported per layer (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    private int topK = 10;

    @Option(names = "--all-singular-values", description = "Report every singular value.")
    private boolean allSingularValues;

    @Option(names = "--fold-batchnorm", description = "ONNX models: fold an inference-mode BatchNormalization that "
            + "follows a layer into it (W' = diag(gamma/sqrt(var+eps)) W, b' = (b - mean) gamma/sqrt(var+eps) + beta); "
            + "without it such a layer is analysed as stored, with a note.")
    private boolean foldBatchNorm;

    @Option(names = "--spectrum", paramLabel = "MODE", defaultValue = "full",
            description = "full (every singular value) or top-k (only the leading ones: faster; figures that need all "
                    + "of them are null) (default: ${DEFAULT-VALUE}).")
    private String spectrum = "full";

    @Override
    public Integer call() {
        String fmt = format.toLowerCase(Locale.ROOT);
        if (!fmt.equals("table") && !fmt.equals("json")) {
            throw new ParameterException(spec.commandLine(), "unknown --format '" + format + "' (expected table or json)");
        }
        SpectrumMode mode = AnalysisArguments.spectrumMode(spec, data, label, topK, spectrum);
        WeightAnalyzer analyzer = WeightAnalyzer.create(AnalysisOptions.builder().topK(topK)
                .allSingularValues(allSingularValues).spectrum(mode).build());
        boolean onnx = OnnxModelReader.isOnnxFile(modelFile);
        boolean runtimeOptions = input != null || batchSize != 0 || !device.equals("cpu") || !classes.isEmpty()
                || noLabelEvaluation || !inputShapes.isEmpty() || output != null || labels != null;
        if (runtimeOptions && (!onnx || data == null)) {
            throw new ParameterException(spec.commandLine(), "--input, --input-shape, --output, --labels, "
                    + "--batch-size, --device, --classes and --no-label-evaluation run an ONNX model over --data; they "
                    + "do not apply here");
        }
        if (foldBatchNorm && !onnx) {
            throw new ParameterException(spec.commandLine(), "--fold-batchnorm reads ONNX models; it does not apply here");
        }
        if (onnx) {
            return analyzeOnnx(analyzer, fmt);
        }
        ModelEvaluations.Evaluated evaluated = ModelEvaluations.tribuo(modelFile, analyzer, data, label,
                spec.commandLine().getErr(), spec.qualifiedName());
        print(fmt, evaluated);
        return 0;
    }

    /** The JSON, or the table followed by the reader's notes about the model (ONNX files). */
    private void print(String fmt, ModelEvaluations.Evaluated evaluated) {
        PrintWriter out = spec.commandLine().getOut();
        if (fmt.equals("json")) {
            EvaluationJson.write(evaluated.evaluation(), evaluated.file(), out); // streamed: no copy of the document
            out.println();
        } else {
            out.print(TerminalText.escapeKeepingLines(evaluated.evaluation().toString()));
            for (String note : evaluated.notes()) {
                out.println("note: " + TerminalText.escape(note));
            }
        }
        out.flush();
    }

    private int analyzeOnnx(WeightAnalyzer analyzer, String fmt) {
        if (data != null && label != null) {
            return analyzeOnnxWithData(analyzer, fmt, data, label);
        }
        print(fmt, ModelEvaluations.onnx(modelFile, readOptions(), analyzer, null, null, OnnxDataOptions.defaults(), false,
                note -> { }));
        return 0;
    }

    /** {@code analyze MODEL.onnx --data FILE.csv --label COLUMN}: the model run by ONNX Runtime over the data. */
    private int analyzeOnnxWithData(WeightAnalyzer analyzer, String fmt, Path csv, String labelColumn) {
        if (batchSize < 0) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be positive");
        }
        checkClasses();
        ExecutionDevice target;
        try {
            target = ExecutionDevice.parse(device);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        try {
            OnnxDataOptions options = OnnxDataOptions.defaults().withInputName(input).withOutputName(output)
                    .withLabelsFile(labels).withBatchSize(batchSize).withDevice(target).withClasses(classes)
                    .withLabelEvaluation(!noLabelEvaluation).withRuntimeLog(verbose());
            for (String shape : inputShapes) {
                options = options.withInputShape(shape);
            }
            options.checkBatchMemory(Float.BYTES, ""); // the least an example takes: before the model is even read
            print(fmt, ModelEvaluations.onnx(modelFile, readOptions(), analyzer, csv, labelColumn, options, false, note -> {
                err.println(TerminalText.escape(note));
                err.flush();
            }));
        } catch (InvalidOptionsException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return 0;
    }

    /** Refuses a {@code --classes} list with an empty name or a class named twice: no output column could be told. */
    private void checkClasses() {
        Set<String> seen = new HashSet<>();
        for (String c : classes) {
            if (c.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--classes " + String.join(",", classes)
                        + ": an empty class name");
            }
            if (!seen.add(c)) {
                throw new ParameterException(spec.commandLine(), "--classes " + String.join(",", classes)
                        + ": class '" + c + "' is named twice");
            }
        }
    }

    /** The reading options the command line asks for. */
    private Set<OnnxReadOption> readOptions() {
        return foldBatchNorm ? Set.of(OnnxReadOption.FOLD_BATCH_NORMALIZATION) : Set.of();
    }

    /** Whether {@code --verbose} was given (before or after {@code analyze}). */
    private boolean verbose() {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            ParseResult parsed = s.commandLine().getParseResult();
            if (parsed != null && parsed.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** A Tribuo model file that predicts labels and exposes its dense layers ({@link ModelEvaluations#loadModel}). */
    static Model<Label> loadModel(Path file) {
        return ModelEvaluations.loadModel(file);
    }
}
