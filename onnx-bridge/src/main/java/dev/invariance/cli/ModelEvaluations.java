package dev.invariance.cli;

import dev.invariance.analysis.HardMarginSvm;
import dev.invariance.analysis.LayerSelection;
import dev.invariance.analysis.SvmProgress;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.CsvDatasets;
import dev.invariance.data.InvalidDataException;
import dev.invariance.evaluation.InvarianceEvaluation;
import dev.invariance.evaluation.InvarianceEvaluator;
import dev.invariance.evaluation.ModelFile;
import dev.invariance.evaluation.internal.TerminalText;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.NetworkProvider;
import dev.invariance.onnx.reading.OnnxAnalysis;
import dev.invariance.onnx.reading.OnnxFileFacts;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import dev.invariance.onnx.reading.OnnxReadOption;
import dev.invariance.onnx.running.OnnxDataAnalyzer;
import dev.invariance.onnx.running.OnnxDataOptions;
import org.jspecify.annotations.Nullable;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one way the commands evaluate a model file (with or without data): {@code analyze} prints the result,
 * {@code report} renders it. A Tribuo model goes through {@link InvarianceEvaluator}, an ONNX file through
 * {@link OnnxAnalysis} (weights only) or {@link OnnxDataAnalyzer} (ONNX Runtime over the data).
 */
final class ModelEvaluations {
    private ModelEvaluations() {
    }

    /**
     * A model's evaluation and what the commands print or render beside it.
     *
     * @param evaluation the evaluation
     * @param file       the JSON's {@code "model"} block
     * @param notes      the ONNX reader's notes (empty for a Tribuo model)
     * @param facts      the ONNX file's size, hash and operators when asked for, else null
     */
    record Evaluated(InvarianceEvaluation evaluation, ModelFile file, List<String> notes, @Nullable OnnxFileFacts facts) {
    }

    /**
     * Evaluates a Tribuo model file, over {@code data} when given (its SVM solve reports to {@code solverProgress}).
     *
     * @param err     where the data's warnings go
     * @param command the command's name for warnings
     */
    static Evaluated tribuo(Path modelFile, WeightAnalyzer analyzer, @Nullable Path data, @Nullable String label,
                            PrintWriter err, String command, SvmProgress solverProgress) {
        Model<Label> model = loadModel(modelFile);
        MutableDataset<Label> dataset = null;
        if (data != null && label != null) {
            Set<String> classes = new HashSet<>();
            for (Label l : model.getOutputIDInfo().getDomain()) {
                classes.add(l.getLabel());
            }
            dataset = CsvDatasets.loadFor(data, label, model.getFeatureIDMap().keySet(), classes,
                    w -> err.println(command + ": warning: " + TerminalText.escape(w)));
        }
        checkSelection(analyzer, ((NetworkProvider) model).getNetwork().outline());
        try {
            return tribuo(model, modelFile.toString(), analyzer, dataset, solverProgress);
        } catch (IllegalArgumentException e) {
            // the evaluator's checks of the data against the model (classes, labels)
            throw new InvalidDataException(data + ": " + CliErrors.oneLine(e.getMessage()), e);
        }
    }

    /**
     * Evaluates a Tribuo model saved at {@code path}, over {@code dataset} when given (its SVM solve reports to
     * {@code solverProgress}: {@link SvmProgressLines#forCommand}).
     *
     * @throws IllegalArgumentException when the data does not fit the model (classes, labels)
     */
    static Evaluated tribuo(Model<Label> model, String path, WeightAnalyzer analyzer,
                            @Nullable Dataset<Label> dataset, SvmProgress solverProgress) {
        InvarianceEvaluator evaluator = InvarianceEvaluator.create(analyzer).withSvm(HardMarginSvm.create(),
                solverProgress);
        InvarianceEvaluation evaluation = dataset != null ? evaluator.evaluate(model, dataset)
                : evaluator.evaluate(model);
        return new Evaluated(evaluation, ModelFile.of(path, evaluation.getProvenance().getModelProvenance()),
                List.of(), null);
    }

    /**
     * Evaluates an ONNX file: its weights layer by layer, and with {@code data} the model run by ONNX Runtime over
     * it with {@code options} ({@code notes} receives the run's one-line notes).
     *
     * @param readOptions how to read the file ({@link OnnxReadOption})
     * @param withFacts   whether to hash the file and count its operators ({@link OnnxFileFacts})
     */
    static Evaluated onnx(Path modelFile, Set<OnnxReadOption> readOptions, WeightAnalyzer analyzer,
                          @Nullable Path data, @Nullable String label, OnnxDataOptions options, boolean withFacts,
                          java.util.function.Consumer<String> notes) {
        try (OnnxModel model = OnnxModelReader.open(modelFile, readOptions.toArray(new OnnxReadOption[0]))) {
            checkSelection(analyzer, model.outline());
            InvarianceEvaluation evaluation = data != null && label != null
                    ? OnnxDataAnalyzer.create(analyzer, options).analyze(model, data, label, notes).evaluation()
                    : OnnxAnalysis.evaluate(model, analyzer);
            return new Evaluated(evaluation, OnnxAnalysis.modelFile(model), OnnxAnalysis.notes(model),
                    withFacts ? OnnxFileFacts.of(model) : null);
        }
    }

    /**
     * Refuses, as bad input naming the pattern, a {@code --layers} selection that picks no layer of {@code outline} or
     * is too costly to match on its names, before any weight is read (the analysis would refuse it the same way, as a
     * bare {@code IllegalArgumentException}).
     */
    private static void checkSelection(WeightAnalyzer analyzer, NetworkOutline outline) {
        LayerSelection selection = analyzer.getOptions().getLayers();
        if (selection != null) {
            try {
                selection.indicesIn(outline);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--layers: " + e.getMessage());
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Model<Label> loadModel(Path file) {
        if (Files.isDirectory(file)) {
            throw new InvalidDataException(file + ": is a folder, expected a model file");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidDataException(file + ": no such file");
        }
        try {
            if (Files.size(file) == 0) {
                throw new InvalidDataException(file + ": empty file, not a Tribuo model");
            }
        } catch (java.io.IOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        Model<?> model;
        try {
            model = Model.deserializeFromFile(file);
        } catch (Exception e) {
            throw new InvalidDataException(file + ": not a Tribuo protobuf model (" + CliErrors.describe(e) + ")", e);
        }
        if (!model.validate(Label.class)) {
            throw new InvalidDataException(file + ": a " + model.getClass().getSimpleName()
                    + " that does not predict classification labels");
        }
        if (!(model instanceof NetworkProvider)) {
            throw new InvalidDataException(file + ": a " + model.getClass().getSimpleName()
                    + " does not expose dense layers to analyse");
        }
        return (Model<Label>) model;
    }
}
