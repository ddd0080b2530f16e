package dev.invariance.cli;

import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.LayerSelection;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.InvalidDataException;
import dev.invariance.evaluation.internal.TerminalText;
import dev.invariance.onnx.reading.OnnxFileFacts;
import dev.invariance.onnx.reading.OnnxModelReader;
import dev.invariance.onnx.running.OnnxDataOptions;
import dev.invariance.report.HtmlReport;
import dev.invariance.report.ReportedModel;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code invariance report MODEL... [--data FILE.csv --label COLUMN] [--spectrum full|top-k] --output REPORT.html}:
 * the HTML report ({@link HtmlReport}) of one model, or of several checkpoints of one architecture side by side, each
 * evaluated exactly as {@code analyze} evaluates it, with the same options for running an ONNX model over the data
 * ({@link OnnxRunArguments}; the scored output is {@code --model-output}, since {@code --output} is the report).
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a self-contained HTML report (plots, tables, provenance, conclusion) of a model, or of "
                + "several checkpoints of one architecture side by side.")
final class ReportCommand implements Callable<Integer> {

    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    @Spec
    private CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "MODEL", description = "Tribuo model files or ONNX models; several of "
            + "one architecture are checkpoints, shown in the order given (layers matched by name).")
    private List<Path> models = new ArrayList<>();

    @Option(names = "--data", paramLabel = "FILE.csv|FOLDER", description = "Data for the data-dependent metrics and the models' evaluation: a CSV file, or (ONNX models) a folder of .npy files, one example each, with --labels.")
    private @Nullable Path data;

    @Option(names = "--label", paramLabel = "COLUMN", description = "Label column of --data.")
    private @Nullable String label;

    @Option(names = "--model-output", paramLabel = "NAME", description = "ONNX models with --data: the output holding the class scores (needed when the model has several outputs; analyze calls it --output).")
    private @Nullable String modelOutput;

    @Mixin
    private OnnxRunArguments run = new OnnxRunArguments();

    @Option(names = "--spectrum", paramLabel = "MODE", defaultValue = "full", description = "full (every singular "
            + "value, all of them plotted) or top-k (only the leading ones: faster) (default: ${DEFAULT-VALUE}).")
    private String spectrum = "full";

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "10", description = "Singular values computed per "
            + "layer in top-k mode (default: ${DEFAULT-VALUE}).")
    private int topK = 10;

    @Mixin
    private LayerPatternOption layers = new LayerPatternOption();

    @Mixin
    private QuietOption quiet = new QuietOption();

    @SuppressWarnings("NullAway.Init") // required: picocli sets it, or refuses the command line, before call()
    @Option(names = "--output", required = true, paramLabel = "REPORT.html", description = "Where to write the report.")
    private Path output;

    @Override
    public Integer call() {
        SpectrumMode mode = AnalysisArguments.spectrumMode(spec, data, label, topK, spectrum);
        LayerSelection selection = layers.selection(spec, data);
        boolean anyOnnx = models.stream().anyMatch(OnnxModelReader::isOnnxFile);
        run.checkApplicable(spec, anyOnnx, data != null, "--model-output", modelOutput);
        OnnxDataOptions options = anyOnnx && data != null ? run.dataOptions(spec, modelOutput)
                : OnnxDataOptions.defaults();
        OutputFiles.checkWritable(output);
        // full mode computes every singular value anyway: all of them are kept for the spectrum plots
        WeightAnalyzer analyzer = WeightAnalyzer.create(AnalysisOptions.builder().topK(topK)
                .allSingularValues(mode == SpectrumMode.FULL).spectrum(mode).layers(selection).build());
        PrintWriter err = spec.commandLine().getErr();
        List<ReportedModel> reported = new ArrayList<>();
        boolean draw = TerminalProgress.shouldDraw(quiet.isQuiet());
        for (Path model : models) {
            // one bar per model, completed before the next model's starts
            try (TerminalProgress progress = TerminalProgress.forAnalysis("report", draw)) {
                reported.add(evaluate(model, analyzer.withProgress(progress), options, err));
            }
        }
        HtmlReport report;
        try {
            report = HtmlReport.of(reported);
        } catch (IllegalArgumentException e) {
            // the models are not checkpoints of one architecture
            throw new InvalidDataException(CliErrors.oneLine(e.getMessage()), e);
        }
        OutputFiles.writeAtomically(output, report::writeTo);
        spec.commandLine().getOut().printf("wrote %s%n", TerminalText.escape(output.toString()));
        return 0;
    }

    private ReportedModel evaluate(Path model, WeightAnalyzer analyzer, OnnxDataOptions options, PrintWriter err) {
        Path fileName = model.getFileName();
        String name = fileName == null ? model.toString() : fileName.toString();
        if (OnnxModelReader.isOnnxFile(model)) {
            ModelEvaluations.Evaluated e = OnnxRunArguments.reportingOptionErrors(spec, () -> ModelEvaluations.onnx(
                    model, run.readOptions(), analyzer, data, label, options, true, note -> {
                        err.println(TerminalText.escape(note));
                        err.flush();
                    }));
            OnnxFileFacts facts = e.facts();
            ReportedModel r = ReportedModel.of(name, e.evaluation(), e.file());
            return facts == null ? r : r.withFileDigest(facts.sizeBytes(), facts.sha256())
                    .withOperators(facts.operators(), facts.notUnderstood());
        }
        ModelEvaluations.Evaluated e = ModelEvaluations.tribuo(model, analyzer, data, label, err, spec.qualifiedName(),
                SvmProgressLines.forCommand(err, spec.qualifiedName(), quiet.isQuiet()));
        return ReportedModel.of(name, e.evaluation(), e.file());
    }
}
