package dev.invariance.cli;

import dev.invariance.analysis.LayerSelection;
import dev.invariance.compression.RankChoice;
import dev.invariance.onnx.reading.InvalidModelException;
import dev.invariance.onnx.reading.OnnxCompression;
import dev.invariance.onnx.reading.OnnxCompressor;
import dev.invariance.onnx.reading.OnnxModelReader;
import dev.invariance.onnx.running.AccuracyBudgetCompression;
import dev.invariance.onnx.running.LabelledRun;
import dev.invariance.onnx.running.OnnxDataOptions;
import dev.invariance.evaluation.internal.TerminalText;
import org.jspecify.annotations.Nullable;
import org.tribuo.Model;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code invariance compress MODEL.(onnx|tribuo) --output SMALL.onnx [--rank R | --energy E | --max-drop P]
 * [--data FILE.csv --label COLUMN] [--layers PATTERN] [--report FILE.html] [--format table|json]}: each selected dense layer factored at a
 * low rank ({@link OnnxCompressor}), ranks chosen per layer under an accuracy budget with {@code --max-drop}
 * ({@link AccuracyBudgetCompression}), the original and the compressed model evaluated on the data by ONNX Runtime
 * ({@link LabelledRun}); the result printed by {@link CompressionOutput}, and with {@code --report} written as an HTML
 * page ({@link CompressionPage}). A Tribuo model is exported to ONNX first.
 */
@Command(name = "compress", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Factor dense layers at a low rank and write a smaller ONNX model, with the accuracy it costs.")
final class CompressCommand implements Callable<Integer> {

    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    @Spec
    private CommandSpec spec;

    @SuppressWarnings("NullAway.Init") // required (arity 1): picocli sets it, or refuses the command line, before call()
    @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model (*.onnx) or a Tribuo model file (exported to ONNX first).")
    private Path modelFile;

    @SuppressWarnings("NullAway.Init") // required: picocli refuses the command line without it
    @Option(names = "--output", required = true, paramLabel = "SMALL.onnx", description = "The compressed ONNX model to write (with SMALL.onnx.data beside it when the source keeps external data).")
    private Path output;

    @Option(names = "--rank", paramLabel = "R", description = "Factor every selected layer at rank R (layers where R saves no parameters are kept).")
    private @Nullable Integer rank;

    @Option(names = "--energy", paramLabel = "E", description = "Factor each selected layer at the smallest rank keeping the share E in (0, 1] of its energy ‖W‖_F².")
    private @Nullable Double energy;

    @Option(names = "--max-drop", paramLabel = "P", description = "Choose per-layer ranks greedily (largest savings first) keeping the accuracy on --data within P percentage points of the original's; needs --data and --label.")
    private @Nullable Double maxDrop;

    @Option(names = "--data", paramLabel = "FILE.csv", description = "Labelled data: both models are evaluated on it by ONNX Runtime.")
    private @Nullable Path data;

    @Option(names = "--label", paramLabel = "COLUMN", description = "Label column of --data.")
    private @Nullable String label;

    @Option(names = "--layers", paramLabel = "PATTERN", description = "Compress only the layers whose name or module path contains a match of this Java regular expression.")
    private @Nullable String layers;

    @Option(names = "--report", paramLabel = "FILE.html", description = "Also write the compression as a self-contained HTML page: sizes, evaluations, per-layer ranks and errors, and the --max-drop trials as a plot.")
    private @Nullable Path report;

    @Option(names = "--format", paramLabel = "F", description = "table or json (default: ${DEFAULT-VALUE}).", defaultValue = "table")
    private String format = "table";

    @Mixin
    private OnnxRunArguments run = new OnnxRunArguments();

    @Mixin
    private QuietOption quiet = new QuietOption();

    @Override
    public Integer call() throws IOException {
        String fmt = format.toLowerCase(Locale.ROOT);
        if (!fmt.equals("table") && !fmt.equals("json")) {
            throw new ParameterException(spec.commandLine(), "unknown --format '" + format + "' (expected table or json)");
        }
        RankChoice choice = choice();
        if ((data == null) != (label == null)) {
            throw new ParameterException(spec.commandLine(), "give --data and --label together");
        }
        if (maxDrop != null && data == null) {
            throw new ParameterException(spec.commandLine(), "--max-drop needs --data and --label: the accuracy is "
                    + "measured on them");
        }
        run.checkApplicable(spec, true, data != null, "--output", null);
        LayerSelection selection = selection();
        if (!Files.isRegularFile(modelFile)) {
            throw new BadInputException(modelFile + ": no such file");
        }
        if (Files.exists(output) && Files.isSameFile(modelFile, output)) {
            throw new BadInputException(output + ": the output is the model being compressed; choose another file");
        }
        if (report != null) {
            Path folder = report.toAbsolutePath().getParent();
            if (folder == null || !Files.isDirectory(folder) || Files.isDirectory(report)) {
                throw new BadInputException(report + ": --report needs a file in an existing folder");
            }
        }
        if (data != null && !Files.isRegularFile(data)) {
            throw new BadInputException(data + ": no such file");
        }
        PrintWriter err = spec.commandLine().getErr();
        boolean fromTribuo = !OnnxModelReader.isOnnxFile(modelFile);
        Path source = fromTribuo ? exported(modelFile) : modelFile;
        try {
            return compress(fmt, choice, selection, source, fromTribuo, err);
        } finally {
            if (fromTribuo) {
                Files.deleteIfExists(source);
            }
        }
    }

    private int compress(String fmt, @Nullable RankChoice choice, @Nullable LayerSelection selection, Path source,
                         boolean fromTribuo, PrintWriter err) {
        boolean progress = !quiet.isQuiet();
        OnnxDataOptions options = data == null ? OnnxDataOptions.defaults() : run.dataOptions(spec, null);
        Function<Path, LabelledRun> evaluate = model -> OnnxRunArguments.reportingOptionErrors(spec,
                () -> LabelledRun.of(model, java.util.Objects.requireNonNull(data), java.util.Objects.requireNonNull(label),
                        options, note -> err.println("compress: " + TerminalText.escape(note))));
        try (OnnxCompressor compressor = openCompressor(source, selection)) {
            LabelledRun original = null;
            if (data != null) {
                stage(progress, err, "running the original model on " + data);
                original = evaluate.apply(source);
            }
            OnnxCompression written;
            LabelledRun compressed = null;
            List<AccuracyBudgetCompression.Trial> trials = List.of();
            if (maxDrop != null && original != null) {
                stage(progress, err, "searching ranks for " + compressor.getCandidates().size()
                        + " layers (each candidate run by ONNX Runtime)");
                AccuracyBudgetCompression.Outcome outcome = AccuracyBudgetCompression.compress(compressor, output,
                        maxDrop, original, evaluate);
                written = outcome.compression();
                compressed = outcome.run();
                trials = outcome.trials();
            } else {
                RankChoice c = java.util.Objects.requireNonNull(choice);
                stage(progress, err, "factoring " + compressor.getCandidates().size() + " layers (" + c + ")");
                written = compressor.write(output, c);
                if (data != null) {
                    stage(progress, err, "running the compressed model on " + data);
                    compressed = evaluate.apply(output);
                }
            }
            CompressionOutput result = new CompressionOutput(written, fromTribuo ? modelFile : null, original,
                    compressed, maxDrop, trials);
            if (report != null) {
                CompressionPage.write(report, written, original, compressed, trials);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(fmt.equals("json") ? result.json() : result.table());
            out.flush();
            return 0;
        }
    }

    private static OnnxCompressor openCompressor(Path source, @Nullable LayerSelection selection) {
        try {
            return OnnxCompressor.open(source, selection);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--layers: " + e.getMessage());
        }
    }

    private static void stage(boolean progress, PrintWriter err, String what) {
        if (progress) {
            err.println("compress: " + TerminalText.escape(what));
            err.flush();
        }
    }

    /** The rank choice of {@code --rank} or {@code --energy}, null for {@code --max-drop}; exactly one is given. */
    private @Nullable RankChoice choice() {
        int given = (rank != null ? 1 : 0) + (energy != null ? 1 : 0) + (maxDrop != null ? 1 : 0);
        if (given != 1) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --rank, --energy and --max-drop");
        }
        try {
            if (rank != null) {
                return RankChoice.fixedRank(rank);
            }
            if (energy != null) {
                return RankChoice.energy(energy);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), (rank != null ? "--rank: " : "--energy: ")
                    + e.getMessage());
        }
        double drop = java.util.Objects.requireNonNull(maxDrop);
        if (!(drop >= 0 && drop <= 100)) {
            throw new ParameterException(spec.commandLine(), "--max-drop must be 0 to 100 percentage points (got "
                    + maxDrop + ")");
        }
        return null;
    }

    private @Nullable LayerSelection selection() {
        if (layers == null) {
            return null;
        }
        try {
            return LayerSelection.matching(layers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--layers: " + e.getMessage());
        }
    }

    /** A Tribuo model exported to a temporary ONNX file in the output's folder (removed after the compression). */
    private Path exported(Path tribuoModel) throws IOException {
        Model<Label> model = ModelEvaluations.loadModel(tribuoModel);
        if (!(model instanceof ONNXExportable exportable)) {
            throw new BadInputException(tribuoModel + ": this Tribuo model cannot be exported to ONNX");
        }
        Path folder = output.toAbsolutePath().getParent();
        Path file = Files.createTempFile(folder, ".compress-export-", ".onnx");
        try {
            exportable.saveONNXModel("dev.invariance", 1, file);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw new InvalidModelException(tribuoModel + ": cannot export to ONNX (" + e.getMessage() + ")", e);
        }
        return file;
    }
}
