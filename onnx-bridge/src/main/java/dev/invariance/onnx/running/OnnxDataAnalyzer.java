package dev.invariance.onnx.running;

import dev.invariance.onnx.running.internal.ActivationProbe;
import dev.invariance.onnx.running.internal.OrtSessions;
import dev.invariance.onnx.running.internal.SingleScoreLabelTransformer;
import dev.invariance.onnx.reading.InvalidModelException;
import dev.invariance.onnx.reading.OnnxAnalysis;
import dev.invariance.onnx.reading.OnnxLayerBinding;
import dev.invariance.onnx.reading.OnnxModelReader;
import dev.invariance.onnx.reading.OnnxModel;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.TensorInfo;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LabelledData;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.CsvExampleReader;
import dev.invariance.data.InvalidDataException;
import dev.invariance.evaluation.DataAnalysis;
import dev.invariance.evaluation.Execution;
import dev.invariance.evaluation.InvarianceEvaluation;
import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.network.Activation;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.StreamedNetwork;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;
import org.tribuo.Example;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.interop.onnx.LabelTransformer;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.ModelProvenance;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The data-dependent analysis of an ONNX model, executed by ONNX Runtime: the activation pattern of every
 * ReLU-activated dense layer over the data, every layer and pair metric on the stably active submatrices
 * (science.md 2.11), the end-to-end predictor against the hard-margin SVM for linear bias-free single-output
 * networks (2.8), and Tribuo's {@link LabelEvaluation} of the model.
 * <p>
 * <b>Data.</b> The CSV columns other than the label, in file order, form one example (for a model whose metadata
 * names its features, {@code feature_names} as our own exports write, and whose names are exactly the CSV's feature
 * columns, in the model's order instead); when the model's input has a
 * fixed non-batch shape (for example {@code [N, 16, 96]}) the row is reshaped into it, so the column count must equal
 * the shape's size. The file is streamed in batches; only running statistics are kept for the activations.
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
 * single-output two-class networks, and is skipped with a note in the report when the rows outgrow
 * {@link #marginBudget()}; the {@code LabelEvaluation} keeps one prediction per example. Without the
 * {@code LabelEvaluation}, memory does not grow with the data.
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
     * @param labelColumn the CSV's label column
     * @param notes       receives one-line notes (the {@code --device auto} fallback, layers that cannot be observed,
     *                    figures skipped for memory)
     * @throws InvalidDataException       naming file, line and column of bad data
     * @throws InvalidModelException      when the model cannot be run or does not fit the data
     * @throws InvalidOptionsException   when the batch size does not fit the memory budget
     *                                    ({@link OnnxDataOptions#checkBatchMemory})
     * @throws DeviceUnavailableException for {@code cuda} without a usable CUDA execution provider
     */
    public OnnxDataEvaluation analyze(OnnxModel model, Path data, String labelColumn, Consumer<String> notes) {
        // every example takes at least one float: a batch size beyond any budget is refused before anything is opened
        options.checkBatchMemory(Float.BYTES, "");
        OnnxMl.ModelProto proto = model.getModelProto();
        NetworkOutline outline = model.outline();
        // the provenance hashes the model file: beside the data pass rather than after it, as OnnxAnalysis.evaluate does
        Supplier<ModelProvenance> provenance = OnnxAnalysis.provenanceInBackground(model);
        List<String> classes = classOrder(data, labelColumn, metadataNames(proto, "class_names"));
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
            points.add(new ActivationProbe.Point(b.layer(), layer.name(), b.outputValue(), layer.outputWidth()));
        }
        DataPass pass;
        try (ActivationProbe probe = ActivationProbe.open(OrtSessions.environment(options.runtimeLog()), model,
                options.inputName(), points, options.device(), options.runtimeLog(), notes)) {
            int batch = Math.min(batchSize(probe, model.info().path()), probe.getMaxBatch());
            try (CsvExampleReader reader = CsvExampleReader.open(data, labelColumn,
                    metadataNames(proto, "feature_names"), warning -> notes.accept("warning: " + warning))) {
                pass = stream(model, data, labelColumn, classes, probe, reader, batch);
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
                    marginNote = e.getMessage();
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

    /**
     * What one pass over the data gives.
     *
     * @param activations   the observed patterns of the ReLU layers
     * @param predictions   one per example when the {@code LabelEvaluation} is made, else empty
     * @param outputInfo    the label of each output column, or null without the {@code LabelEvaluation}
     * @param probabilities whether the predictions' scores are probabilities
     * @param featureNames  the feature columns, in input order
     * @param marginData    the rows for the SVM comparison, or null when it is not made
     * @param marginNote    why it is not made (empty when it is)
     */
    private record DataPass(List<LayerActivation> activations, List<Prediction<Label>> predictions,
                            @Nullable ImmutableOutputInfo<Label> outputInfo, boolean probabilities,
                            List<String> featureNames, @Nullable LabelledData marginData, String marginNote,
                            Execution execution, OnnxDataProvenance provenance) {
    }

    private DataPass stream(OnnxModel model, Path data, String labelColumn, List<String> classes,
                            ActivationProbe probe, CsvExampleReader reader, int batch) {
        String source = model.info().path();
        int size = probe.getExampleSize();
        List<String> features = reader.getFeatureColumns();
        if (features.size() != size) {
            throw new InvalidDataException(data + ": line 1: " + features.size()
                    + " feature columns (every column but '" + labelColumn + "'), but input '" + probe.getInputName()
                    + "' of " + source + " takes " + size + " values per example (shape "
                    + ActivationProbe.describeShape(withBatch(probe.getExampleShape())) + ")");
        }
        OutputReading reading = options.labelEvaluation() ? outputReading(model.getModelProto(), probe, classes, source)
                : null;
        ImmutableOutputInfo<Label> outputInfo = reading == null ? null : EvaluatedOnnxModel.columns(classes);
        FloatBuffer buffer = ByteBuffer.allocateDirect(batch * size * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        Set<String> known = new LinkedHashSet<>(classes);
        String marginNote = marginNote(model.outline(), classes, size);
        MarginRows marginRows = marginNote.isEmpty() ? new MarginRows(size, marginBudget()) : null;
        List<Prediction<Label>> predictions = new ArrayList<>();
        List<String> labels = new ArrayList<>(batch);
        long start = System.nanoTime();
        while (true) {
            labels.clear();
            buffer.clear();
            int rows = reader.read(buffer, batch, labels, known);
            if (rows == 0) {
                break;
            }
            buffer.flip();
            List<Example<Label>> examples = new ArrayList<>(outputInfo == null ? 0 : rows);
            if (outputInfo != null) {
                for (String l : labels) {
                    examples.add(new ArrayExample<>(new Label(l)));
                }
            }
            int[] used = new int[rows];
            Arrays.fill(used, size);
            probe.runBatch(buffer, rows, reading == null ? null : (outputs, n) -> predictions.addAll(
                    reading.transformer().transformToBatchPrediction(reading.select(outputs), outputInfo, used, examples)));
            if (marginRows != null && !marginRows.add(buffer, rows, labels, classes.get(1))) {
                marginNote = marginRows.overBudget();
                marginRows = null;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (reader.getRows() == 0) {
            throw new InvalidDataException(data + ": no data rows after the header");
        }
        Execution execution = new Execution(probe.getProvider(), probe.getDeviceId(),
                OrtSessions.environment().getVersion(), probe.getExamples(), seconds);
        OnnxDataProvenance provenance = new OnnxDataProvenance(data.toString(), labelColumn, probe.getInputName(), batch,
                execution);
        return new DataPass(probe.activations(), predictions, outputInfo,
                reading != null && reading.transformer().generatesProbabilities(), features,
                marginRows == null ? null : marginRows.data(), marginNote, execution, provenance);
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
     * The memory the SVM comparison may hold for its rows: an eighth of the heap. Each row costs about
     * {@code 16 d + 48} bytes on the way (the rows as floats, the SVM's copy in doubles, the label).
     */
    static long marginBudget() {
        return Runtime.getRuntime().maxMemory() / 8;
    }

    /** The rows of the SVM comparison, kept while they fit their budget. */
    private static final class MarginRows {
        private final int size;
        private final long maxRows;
        private float[] values = new float[0];
        private final List<Double> labels = new ArrayList<>();

        MarginRows(int size, long budget) {
            this.size = size;
            this.maxRows = Math.min(budget / (16L * size + 48), (Integer.MAX_VALUE - 8L) / size);
        }

        /** Adds a batch (labels ±1 against {@code positive}); false when the rows would outgrow the budget. */
        boolean add(FloatBuffer batch, int rows, List<String> batchLabels, String positive) {
            int n = labels.size();
            if (n + (long) rows > maxRows) {
                return false;
            }
            int needed = (n + rows) * size;
            if (values.length < needed) {
                values = Arrays.copyOf(values, (int) Math.min(maxRows * size, Math.max(needed, 2L * values.length)));
            }
            batch.duplicate().get(values, n * size, rows * size);
            for (int r = 0; r < rows; r++) {
                labels.add(batchLabels.get(r).equals(positive) ? 1.0 : -1.0);
            }
            return true;
        }

        String overBudget() {
            return "the SVM comparison keeps every example in memory, and more than " + maxRows + " examples of "
                    + size + " values outgrow its budget of " + (marginBudget() >> 20) + " MB (an eighth of the heap)";
        }

        LabelledData data() {
            return new LabelledData(WeightMatrix.fromRowMajor(labels.size(), size,
                    Arrays.copyOf(values, labels.size() * size)), labels);
        }
    }

    private static String marginNote(NetworkOutline network, List<String> classes, int size) {
        List<LayerOutline> layers = network.layers();
        int outputs = layers.get(layers.size() - 1).outputWidth();
        for (LayerOutline l : layers) {
            if (l.activation() != Activation.LINEAR || l.hasBias()) {
                return "the network is not linear and bias-free";
            }
        }
        if (outputs != 1 || classes.size() != 2) {
            return "the network has " + outputs + " outputs (the SVM comparison needs two classes, one output)";
        }
        if (layers.get(0).inputWidth() != size) {
            return "the first dense layer reads " + layers.get(0).inputWidth() + " of the " + size
                    + " input values (the SVM comparison needs the end-to-end map of the whole input)";
        }
        if (!network.isChain()) {
            return "the network is not a chain of dense layers (the SVM comparison needs the end-to-end map)";
        }
        return "";
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

    private static long[] withBatch(long[] example) {
        long[] s = new long[example.length + 1];
        s[0] = -1;
        System.arraycopy(example, 0, s, 1, example.length);
        return s;
    }

    /**
     * The class order: given ({@code --classes}); else the model's own, when its metadata names it
     * ({@code class_names}, which our exports write) and the data's labels are among those names; else the data's
     * distinct labels sorted (numerically when every label is a number).
     */
    List<String> classOrder(Path data, String labelColumn, @Nullable List<String> modelClasses) {
        if (!options.classes().isEmpty()) {
            if (new LinkedHashSet<>(options.classes()).size() != options.classes().size()) {
                throw new IllegalArgumentException("the class order " + options.classes() + " repeats a class");
            }
            return options.classes();
        }
        Set<String> labels = CsvExampleReader.labelValues(data, labelColumn);
        if (modelClasses != null && new LinkedHashSet<>(modelClasses).size() == modelClasses.size()
                && modelClasses.containsAll(labels)) {
            return List.copyOf(modelClasses);
        }
        return sortedClasses(labels);
    }

    /**
     * A list of names that the model's metadata holds under {@code key} as a JSON array of strings (our exports write
     * {@code feature_names} and {@code class_names}), or null when the key is absent or is not such an array.
     */
    static @Nullable List<String> metadataNames(OnnxMl.ModelProto proto, String key) {
        for (OnnxMl.StringStringEntryProto e : proto.getMetadataPropsList()) {
            if (!e.getKey().equals(key)) {
                continue;
            }
            try {
                com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(e.getValue());
                if (node == null || !node.isArray() || node.isEmpty()) {
                    return null;
                }
                List<String> names = new ArrayList<>();
                for (com.fasterxml.jackson.databind.JsonNode n : node) {
                    if (!n.isTextual()) {
                        return null;
                    }
                    names.add(n.asText());
                }
                return List.copyOf(names);
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                return null; // a metadata value that is not ours: fall back to the documented defaults
            }
        }
        return null;
    }

    /** Numeric order when every label parses as a number, else string order. */
    static List<String> sortedClasses(Set<String> labels) {
        List<String> out = new ArrayList<>(labels);
        boolean numeric = true;
        for (String l : out) {
            try {
                Double.parseDouble(l);
            } catch (NumberFormatException e) {
                numeric = false;
                break;
            }
        }
        out.sort(numeric ? Comparator.comparingDouble(Double::parseDouble) : Comparator.naturalOrder());
        return List.copyOf(out);
    }

    /**
     * How the model's outputs become predictions.
     *
     * @param transformer the Tribuo transformer
     * @param first       index of the first model output the transformer reads
     * @param count       how many outputs it reads (1, or 2 for labels and scores)
     */
    record OutputReading(LabelTransformer transformer, int first, int count) {
        List<OnnxValue> select(List<OnnxValue> outputs) {
            return outputs.subList(first, first + count);
        }
    }

    private static OutputReading outputReading(OnnxMl.ModelProto proto, ActivationProbe probe, List<String> classes,
                                               String source) {
        List<String> outputs = probe.getModelOutputs();
        if (outputs.isEmpty()) {
            throw new InvalidModelException(source + ": the model has no outputs");
        }
        if (outputs.size() == 2) {
            TensorInfo scores = probe.outputInfo(outputs.get(1));
            checkColumns(source, outputs.get(1), scores, classes, false);
            return new OutputReading(new LabelTransformer(true), 0, 2);
        }
        String name = outputs.get(0);
        TensorInfo info = probe.outputInfo(name);
        boolean single = checkColumns(source, name, info, classes, true);
        String producer = producer(proto, name);
        if (single) {
            return new OutputReading(new SingleScoreLabelTransformer(producer.equals("Sigmoid")), 0, 1);
        }
        return new OutputReading(new LabelTransformer(producer.equals("Softmax")), 0, 1);
    }

    /** Whether the scores have one column (two classes); otherwise checks one column per class. */
    private static boolean checkColumns(String source, String name, TensorInfo info, List<String> classes,
                                        boolean allowSingle) {
        long[] shape = info.getShape();
        if (shape.length != 2) {
            throw new InvalidModelException(source + ": output '" + name + "' has shape " + Arrays.toString(shape)
                    + "; class scores need [batch, classes]");
        }
        long k = shape[1];
        if (allowSingle && k == 1 && classes.size() == 2) {
            return true;
        }
        if (k > 0 && k != classes.size()) {
            throw new InvalidModelException(source + ": output '" + name + "' has " + k + " columns but there are "
                    + classes.size() + " classes (" + String.join(", ", classes)
                    + "); give the model's class order with --classes");
        }
        return false;
    }

    /** The op type that produces {@code value}, looking through Identity / Reshape / Flatten / Squeeze. */
    static String producer(OnnxMl.ModelProto proto, String value) {
        Map<String, OnnxMl.NodeProto> byOutput = new HashMap<>();
        for (OnnxMl.NodeProto n : proto.getGraph().getNodeList()) {
            for (String o : n.getOutputList()) {
                byOutput.put(o, n);
            }
        }
        String v = value;
        for (int hops = 0; hops < 8; hops++) {
            OnnxMl.NodeProto n = byOutput.get(v);
            if (n == null) {
                return "";
            }
            switch (n.getOpType()) {
                case "Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze" -> v = n.getInput(0);
                default -> {
                    return n.getOpType();
                }
            }
        }
        return "";
    }
}
