package dev.invariance.cli;

import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.LayerSelection;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.evaluation.EvaluationJson;
import dev.invariance.evaluation.internal.TerminalText;
import dev.invariance.onnx.running.OnnxDataOptions;
import dev.invariance.onnx.reading.OnnxModelReader;
import org.jspecify.annotations.Nullable;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
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

    @Option(names = {"--output", "--model-output"}, paramLabel = "NAME", description = "ONNX models with --data: the output holding the class scores (needed when the model has several outputs).")
    private @Nullable String output;

    @Mixin
    private OnnxRunArguments run = new OnnxRunArguments();

    @Option(names = "--format", paramLabel = "F", description = "table or json (default: ${DEFAULT-VALUE}).", defaultValue = "table")
    private String format = "table";

    @Option(names = "--top-k", paramLabel = "K", description = "Singular values reported per layer (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    private int topK = 10;

    @Option(names = "--all-singular-values", description = "Report every singular value.")
    private boolean allSingularValues;

    @Option(names = "--spectrum", paramLabel = "MODE", defaultValue = "full",
            description = "full (every singular value) or top-k (only the leading ones: faster; figures that need all "
                    + "of them are null) (default: ${DEFAULT-VALUE}).")
    private String spectrum = "full";

    @Mixin
    private LayerPatternOption layers = new LayerPatternOption();

    @Mixin
    private QuietOption quiet = new QuietOption();

    @Override
    public Integer call() {
        String fmt = format.toLowerCase(Locale.ROOT);
        if (!fmt.equals("table") && !fmt.equals("json")) {
            throw new ParameterException(spec.commandLine(), "unknown --format '" + format + "' (expected table or json)");
        }
        SpectrumMode mode = AnalysisArguments.spectrumMode(spec, data, label, topK, spectrum);
        LayerSelection selection = layers.selection(spec, data);
        WeightAnalyzer analyzer = WeightAnalyzer.create(AnalysisOptions.builder().topK(topK)
                .allSingularValues(allSingularValues).spectrum(mode).layers(selection).build());
        boolean onnx = OnnxModelReader.isOnnxFile(modelFile);
        run.checkApplicable(spec, onnx, data != null, "--output", output);
        ModelEvaluations.Evaluated evaluated;
        // the bar is closed (its line completed) before the result is printed
        try (TerminalProgress progress = TerminalProgress.forAnalysis("analyze", TerminalProgress.shouldDraw(quiet.isQuiet()))) {
            evaluated = onnx ? evaluateOnnx(analyzer.withProgress(progress))
                    : ModelEvaluations.tribuo(modelFile, analyzer.withProgress(progress), data, label,
                    spec.commandLine().getErr(), spec.qualifiedName(),
                    SvmProgressLines.forCommand(spec.commandLine().getErr(), spec.qualifiedName(), quiet.isQuiet()));
        }
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

    private ModelEvaluations.Evaluated evaluateOnnx(WeightAnalyzer analyzer) {
        if (data != null && label != null) {
            OnnxDataOptions options = run.dataOptions(spec, output);
            PrintWriter err = spec.commandLine().getErr();
            return OnnxRunArguments.reportingOptionErrors(spec, () -> ModelEvaluations.onnx(modelFile,
                    run.readOptions(), analyzer, data, label, options, false, note -> {
                        err.println(TerminalText.escape(note));
                        err.flush();
                    }));
        }
        return ModelEvaluations.onnx(modelFile, run.readOptions(), analyzer, null, null, OnnxDataOptions.defaults(),
                false, note -> { });
    }

    /** A Tribuo model file that predicts labels and exposes its dense layers ({@link ModelEvaluations#loadModel}). */
    static Model<Label> loadModel(Path file) {
        return ModelEvaluations.loadModel(file);
    }
}
