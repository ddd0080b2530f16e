package dev.invariance.onnx.running;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.InvalidDataException;
import dev.invariance.evaluation.DataAnalysis;
import dev.invariance.evaluation.InvarianceEvaluation;
import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.network.Activation;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.StreamedNetwork;
import dev.invariance.onnx.reading.InvalidModelException;
import dev.invariance.onnx.reading.OnnxAnalysis;
import dev.invariance.onnx.reading.OnnxLayerBinding;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import dev.invariance.onnx.running.internal.ActivationProbe;
import dev.invariance.onnx.running.internal.ModelInput;
import dev.invariance.onnx.running.internal.OrtSessions;
import dev.invariance.onnx.running.internal.SingleScoreLabelTransformer;
import ai.onnx.proto.OnnxMl;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.interop.onnx.LabelTransformer;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.ModelProvenance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The data-dependent analysis of an ONNX model, executed by ONNX Runtime: the activation pattern of every
 * ReLU-activated dense layer over the data, every layer and pair metric on the stably active submatrices
 * (science.md 2.11), the end-to-end predictor against the hard-margin SVM for linear bias-free single-output
 * networks (2.8), and Tribuo's {@link LabelEvaluation} of the model.
 * <p>
 * <b>Data.</b> A CSV file: the columns other than the label, in file order, form one example (for a model whose
 * metadata names its features, {@code feature_names} as our own exports write, those columns in the model's order
 * instead), read as float32 for a float input and as whole numbers for an int32 or int64 input. Or a folder of
 * {@code .npy} files, one example each, named with their labels in a labels file
 * ({@link OnnxDataOptions#labelsFile()}, by default the folder's {@code labels.csv}; {@code NpyFolderExamples}).
 * Every example is reshaped row-major into the input's shape: as the model declares it, as
 * {@link OnnxDataOptions#inputShapes()} fixes what it leaves dynamic, or, for a size it leaves open, as the data fix
 * it (the CSV's column count for one open size, the first {@code .npy} file's shape); the session's copy of the model
 * declares that shape ({@code InputShapes}). The data are streamed in batches; only running statistics are kept for
 * the activations.
 * <p>
 * <b>Labels.</b> Output column k is class k of the class order ({@link OnnxDataOptions#classes()}; by default the
 * model's own {@code class_names} metadata when it names every label of the data, as our exports do; otherwise the
 * data's distinct labels, numerically sorted when all are numbers, else in string order), as
 * {@code ONNXExternalModel}'s output mapping. A column per class is read by Tribuo's {@link LabelTransformer} (scores
 * are probabilities when the output comes out of a {@code Softmax}); a single column of a two-class model by
 * {@link SingleScoreLabelTransformer} (a probability when it comes out of a {@code Sigmoid}, else a logit);
 * a two-output model (labels and scores, as sklearn-onnx writes) by {@code LabelTransformer}. The predictions are
 * evaluated by Tribuo's {@link LabelEvaluator} against an {@link EvaluatedOnnxModel}, which carries the model's
 * provenance ({@link OnnxAnalysis#provenance}, as without data) and label columns; each prediction keeps its label
 * and scores, not the features. Without the {@code LabelEvaluation} the outputs are not read at all.
 * <p>
 * <b>Execution and memory.</b> ONNX Runtime gets the model once: one session ({@link ActivationProbe}, through
 * {@link OrtSessions#open}) with the dense layers' outputs named by the {@link OnnxLayerBinding}s added as graph
 * outputs and the external data mapped from the locations checked when the model was opened. The session is closed
 * before the weights are analysed, layer by layer as without data ({@link WeightAnalyzer#analyze(StreamedNetwork)}),
 * so a model larger than the heap analyses as it does without data. The stable submatrices and the SVM comparison
 * need every layer in memory: they are computed when the weights take at most a quarter of the free heap, and
 * otherwise skipped with a note. The SVM comparison needs every input row in memory, is made only for linear
 * single-output two-class networks, and is skipped with a note in the report when the rows outgrow their budget (an
 * eighth of the heap); the {@code LabelEvaluation} keeps one prediction per example. Without the
 * {@code LabelEvaluation}, memory does not grow with the data.
 * <p>
 * This class sets the run up and assembles the result; the pass over the data is {@code DataPass}, the class order
 * {@code ClassOrder}, the reading of the outputs {@code OutputReading} and the SVM comparison's rows
 * {@code MarginRows}.
 */
public final class OnnxDataAnalyzer {
    private final WeightAnalyzer analyzer;
    private final OnnxDataOptions options;

    private OnnxDataAnalyzer(WeightAnalyzer analyzer, OnnxDataOptions options) {
        this.analyzer = analyzer;
        this.options = options;
    }

    /** An analyzer computing the metrics with {@code analyzer}, running with {@code options}. */
    public static OnnxDataAnalyzer create(WeightAnalyzer analyzer, OnnxDataOptions options) {
        return new OnnxDataAnalyzer(analyzer, options);
    }

    /**
     * Runs {@code data} through the model (opened by {@link OnnxModelReader}) and analyses it.
     *
     * @param data        a CSV file, or a folder of {@code .npy} files with its labels file
     * @param labelColumn the CSV's (or the labels file's) label column
     * @param notes       receives one-line notes (the {@code --device auto} fallback, layers that cannot be observed,
     *                    figures skipped for memory)
     * @throws InvalidDataException       naming file, line and column of bad data
     * @throws InvalidModelException      when the model cannot be run or does not fit the data
     * @throws InvalidOptionsException   when the batch size does not fit the memory budget
     *                                    ({@link OnnxDataOptions#checkBatchMemory}), an input shape does not fit the
     *                                    model, or a labels file is given with a CSV file
     * @throws DeviceUnavailableException for {@code cuda} without a usable CUDA execution provider
     * @throws IllegalArgumentException   when the analyzer selects layers ({@code AnalysisOptions.getLayers()}): the
     *                                    data's figures cover the whole network
     */
    public OnnxDataEvaluation analyze(OnnxModel model, Path data, String labelColumn, Consumer<String> notes) {
        if (analyzer.getOptions().getLayers() != null) {
            throw new IllegalArgumentException("a layer selection applies to the analysis of the weights alone, not "
                    + "with data");
        }
        // every example takes at least one float: a batch size beyond any budget is refused before anything is opened
        options.checkBatchMemory(Float.BYTES, "");
        OnnxMl.ModelProto proto = model.getModelProto();
        NetworkOutline outline = model.outline();
        // the provenance hashes the model file: beside the data pass rather than after it, as OnnxAnalysis.evaluate does
        Supplier<ModelProvenance> provenance = OnnxAnalysis.provenanceInBackground(model);
        String source = model.info().path();
        ModelInput input = ModelInput.choose(source, proto, options.inputName());
        ExampleShape given = InputShapes.given(input, options.inputShapes());
        LabelledExamples examples = LabelledExamples.of(data, options.labelsFile(), labelColumn,
                MetadataNames.of(proto, "feature_names"), warning -> notes.accept("warning: " + warning));
        List<String> classes = ClassOrder.of(options.classes(), examples::labelValues,
                MetadataNames.of(proto, "class_names"));
        ExampleShape shape = examples.exampleShape(source, input, given);
        List<ActivationProbe.Point> points = new ArrayList<>();
        boolean observable = true;
        for (OnnxLayerBinding b : model.bindings()) {
            LayerOutline layer = outline.layers().get(b.layer());
            if (b.reluOutputValue() == null) {
                continue;
            }
            if (!b.subgraph().isEmpty()) {
                notes.accept("note: layer " + b.layerName() + " lives in " + b.subgraph()
                        + "; values inside control flow cannot be observed, so its activation pattern is not reported");
                observable = false;
                continue;
            }
            points.add(new ActivationProbe.Point(b.layer(), layer.name(), b.outputValue(), layer.outputWidth(),
                    layer.convolution() != null));
        }
        DataPass pass;
        try (ActivationProbe probe = ActivationProbe.open(OrtSessions.environment(options.runtimeLog()), model,
                input, shape.array(), points, options.labelEvaluation(), options.device(), options.runtimeLog(),
                notes)) {
            int batch = Math.min(batchSize(probe, source), probe.getMaxBatch());
            try (LabelledExamples.Batches batches = examples.open(source, input, shape, new LinkedHashSet<>(classes))) {
                pass = DataPass.stream(options.labelEvaluation(), options.outputName(), model, examples, batches,
                        labelColumn, classes, probe, batch);
            }
        }
        // the session is closed: its native memory is free before the weights are read
        StableSubmatrixMetrics stable = null;
        MarginComparison margin = null;
        String marginNote = pass.marginNote();
        boolean anyRelu = false;
        for (LayerOutline l : outline.layers()) {
            anyRelu |= l.activation() == Activation.RELU;
        }
        if (anyRelu && observable) {
            // layer by layer from the file, as the weights' own analysis: a model larger than memory keeps them
            stable = analyzer.analyzeStableSubmatrices(model, observedOrLinear(outline, pass.activations()));
        }
        if (pass.marginData() != null) {
            // the end-to-end map of a linear chain is one product of every W: the layers must fit in memory together
            NetworkDescription network = inMemory(model);
            if (network == null) {
                marginNote = "the SVM comparison needs every layer in memory (" + (weightBytes(outline) >> 20)
                        + " MB of weights), more than a quarter of the free heap";
            } else {
                try {
                    margin = MarginComparison.of(network, pass.marginData());
                } catch (IllegalArgumentException e) {
                    marginNote = e.getMessage() == null ? e.toString() : e.getMessage();
                }
            }
        }
        AnalysisReport weights = analyzer.analyze(model); // layer by layer, as without data
        ModelProvenance modelProvenance = provenance.get();
        DataAnalysis analysis = new DataAnalysis((int) Math.min(Integer.MAX_VALUE, pass.execution().examples()), margin,
                marginNote, pass.activations(), stable, List.of());
        LabelEvaluation classification = null;
        if (pass.outputInfo() != null) {
            EvaluatedOnnxModel evaluated = EvaluatedOnnxModel.of(model.info().path(), modelProvenance,
                    pass.featureNames(), pass.outputInfo(), pass.probabilities());
            classification = new LabelEvaluator().evaluate(evaluated, pass.predictions(), pass.provenance());
        }
        InvarianceEvaluation evaluation = new InvarianceEvaluation(weights, analysis, classification,
                pass.predictions(), new EvaluationProvenance(modelProvenance, pass.provenance()));
        return new OnnxDataEvaluation(evaluation, pass.execution());
    }

    /** One pattern per layer: the observed ones, every unit stably active for the layers without a ReLU. */
    private static List<LayerActivation> observedOrLinear(NetworkOutline outline, List<LayerActivation> observed) {
        List<LayerActivation> all = new ArrayList<>();
        for (int i = 0; i < outline.layers().size(); i++) {
            LayerOutline layer = outline.layers().get(i);
            LayerActivation seen = null;
            for (LayerActivation a : observed) {
                if (a.layer() == i) {
                    seen = a;
                }
            }
            all.add(seen != null ? seen : new LayerActivation(i, layer.name(), MatrixOps.range(layer.outputWidth()),
                    List.of(), 0, 0, 0));
        }
        return all;
    }

    /** Every layer in memory when its weights take at most a quarter of the free heap, else null. */
    private static @Nullable NetworkDescription inMemory(OnnxModel model) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return weightBytes(model.outline()) > free / 4 ? null : model.readAll();
    }

    /** The bytes the layers' weights take in memory: float32, float16 and bfloat16 as floats, float64 as doubles. */
    private static long weightBytes(NetworkOutline outline) {
        long bytes = 0;
        for (LayerOutline l : outline.layers()) {
            bytes += (long) l.outputWidth() * l.inputWidth() * (l.elementType() == ElementType.FLOAT64 ? 8 : 4);
        }
        return bytes;
    }

    /**
     * The batch: the one asked for, or one sized from the model (about {@link OnnxDataOptions#AUTO_BATCH_BYTES} of
     * buffers, at most {@link OnnxDataOptions#MAX_AUTO_BATCH} examples); either within the memory budget
     * ({@link OnnxDataOptions#checkBatchMemory}).
     */
    private int batchSize(ActivationProbe probe, String source) {
        long perExample = probe.getBytesPerExample();
        long budget = OnnxDataOptions.batchMemoryBudget();
        String parts = "input '" + probe.getInputName() + "' and the observed layer outputs";
        if (perExample > budget) {
            throw new InvalidModelException(source + ": one example takes " + perExample + " bytes (" + parts
                    + "), more than the " + (budget >> 20) + " MB a batch may use (a quarter of the Java heap, at most "
                    + "1 GiB)");
        }
        String what = " (" + perExample + " bytes per example: " + parts + ")";
        if (options.batchSize() > 0) {
            options.checkBatchMemory(perExample, what);
            return options.batchSize();
        }
        long n = OnnxDataOptions.AUTO_BATCH_BYTES / Math.max(1, perExample);
        n = Math.min(n, budget / Math.max(1, perExample));
        return (int) Math.max(1, Math.min(OnnxDataOptions.MAX_AUTO_BATCH, n));
    }
}
