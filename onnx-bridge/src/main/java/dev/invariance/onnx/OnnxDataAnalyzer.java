package dev.invariance.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.invariance.analysis.LabelledData;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.InvalidDataException;
import dev.invariance.evaluation.DataAnalysis;
import dev.invariance.evaluation.Execution;
import dev.invariance.evaluation.InvarianceEvaluation;
import dev.invariance.network.Activation;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;
import org.tribuo.Example;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.interop.onnx.DenseTransformer;
import org.tribuo.interop.onnx.LabelTransformer;
import org.tribuo.interop.onnx.ONNXExternalModel;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.ModelProvenance;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

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
 * evaluated by Tribuo's {@link LabelEvaluator} against an {@link ONNXExternalModel} of the same file (the
 * {@code LabelEvaluation}'s model provenance; the {@link InvarianceEvaluation}'s is the reader's, as without data);
 * each prediction keeps its label and scores, not the features.
 * <p>
 * <b>Execution.</b> Hidden values come from the model: the dense layers' outputs named by the
 * {@link OnnxLayerBinding}s are added as graph outputs of an in-memory copy ({@link ActivationProbe}). The SVM
 * comparison needs every input row in memory and is made only for linear single-output two-class networks.
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
     * What the analysis needs of an ONNX model (the reader's output).
     *
     * @param file     the model file (its folder resolves external data; it is what {@code ONNXExternalModel} loads)
     * @param proto    the parsed model
     * @param network  its dense layers and data-flow edges
     * @param bindings where each dense layer's output and ReLU live in the graph, one per layer
     */
    public record ModelSource(Path file, OnnxMl.ModelProto proto, NetworkDescription network,
                              List<OnnxLayerBinding> bindings, @Nullable ModelProvenance provenance) {
        /** Copies the list and checks there is one binding per layer. */
        public ModelSource {
            bindings = List.copyOf(bindings);
            if (bindings.size() != network.depth()) {
                throw new IllegalArgumentException(bindings.size() + " layer bindings for " + network.depth() + " layers");
            }
        }

        /**
         * What the reader gives: every layer in memory, the bindings and the model's provenance
         * ({@link OnnxAnalysis#provenance}: the Tribuo provenance our own exports carry, else an external model's).
         */
        public static ModelSource of(OnnxModel model) {
            return new ModelSource(Path.of(model.info().path()), model.getModelProto(), model.readAll(),
                    model.bindings(), OnnxAnalysis.provenance(model));
        }
    }

    /** {@link #analyze(ModelSource, Path, String, Consumer)} of a model opened by {@link OnnxModelReader}. */
    public OnnxDataEvaluation analyze(OnnxModel model, Path data, String labelColumn, Consumer<String> notes) {
        return analyze(ModelSource.of(model), data, labelColumn, notes);
    }

    /**
     * Runs {@code data} through the model and analyses it.
     *
     * @param labelColumn the CSV's label column
     * @param notes       receives one-line notes (the {@code --device auto} fallback, layers that cannot be observed)
     * @throws InvalidDataException       naming file, line and column of bad data
     * @throws InvalidModelException      when the model cannot be run or does not fit the data
     * @throws DeviceUnavailableException for {@code cuda} without a usable CUDA execution provider
     */
    public OnnxDataEvaluation analyze(ModelSource model, Path data, String labelColumn, Consumer<String> notes) {
        String source = model.file().toString();
        NetworkDescription network = model.network();
        List<String> classes = classOrder(data, labelColumn, metadataNames(model.proto(), "class_names"));
        List<ActivationProbe.Point> points = new ArrayList<>();
        boolean observable = true;
        for (OnnxLayerBinding b : model.bindings()) {
            DenseLayer layer = network.layer(b.layer());
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
        OrtEnvironment env = OrtSessions.environment();
        Path folder = model.file().toAbsolutePath().getParent();
        try (ActivationProbe probe = ActivationProbe.open(env, model.proto(), folder, source, options.inputName(),
                points, options.device(), notes);
             CsvExampleReader reader = CsvExampleReader.open(data, labelColumn,
                     metadataNames(model.proto(), "feature_names"))) {
            int size = probe.getExampleSize();
            if (reader.getFeatureColumns().size() != size) {
                throw new InvalidDataException(data + ": line 1: " + reader.getFeatureColumns().size()
                        + " feature columns (every column but '" + labelColumn + "'), but input '" + probe.getInputName()
                        + "' of " + source + " takes " + size + " values per example (shape "
                        + ActivationProbe.describeShape(withBatch(probe.getExampleShape())) + ")");
            }
            OutputReading reading = outputReading(model.proto(), probe, classes, source);
            Map<String, Integer> featureMapping = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                featureMapping.put(reader.getFeatureColumns().get(i), i);
            }
            Map<Label, Integer> outputMapping = new LinkedHashMap<>();
            for (int i = 0; i < classes.size(); i++) {
                outputMapping.put(new Label(classes.get(i)), i);
            }
            // the LabelEvaluation's model; without a LabelEvaluation only needed for a provenance the source lacks
            boolean needed = options.labelEvaluation() || model.provenance() == null;
            try (ONNXExternalModel<Label> external = needed ? externalModel(model, featureMapping, outputMapping,
                    reading.transformer(), probe.getInputName()) : null) {
                return run(model, data, labelColumn, classes, probe, reader, reading, external, observable, notes);
            }
        }
    }

    private OnnxDataEvaluation run(ModelSource model, Path data, String labelColumn, List<String> classes,
                                   ActivationProbe probe, CsvExampleReader reader, OutputReading reading,
                                   @Nullable ONNXExternalModel<Label> external, boolean observable,
                                   Consumer<String> notes) {
        NetworkDescription network = model.network();
        int size = probe.getExampleSize();
        int batch = Math.min(batchSize(probe, network), probe.getMaxBatch());
        FloatBuffer buffer = ByteBuffer.allocateDirect(Math.multiplyExact(batch, size) * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        ImmutableOutputInfo<Label> outputInfo = options.labelEvaluation() && external != null
                ? external.getOutputIDInfo() : null;
        Set<String> known = new LinkedHashSet<>(classes);
        String marginNote = marginNote(network, classes, size);
        List<double[]> marginInputs = marginNote.isEmpty() ? new ArrayList<>() : null;
        List<Double> marginLabels = new ArrayList<>();
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
            probe.runBatch(buffer, rows, outputInfo == null ? null : (outputs, n) -> predictions.addAll(
                    reading.transformer().transformToBatchPrediction(reading.select(outputs), outputInfo, used, examples)));
            if (marginInputs != null) {
                for (int r = 0; r < rows; r++) {
                    double[] x = new double[size];
                    for (int j = 0; j < size; j++) {
                        x[j] = buffer.get(r * size + j);
                    }
                    marginInputs.add(x);
                    marginLabels.add(labels.get(r).equals(classes.get(1)) ? 1.0 : -1.0);
                }
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

        List<LayerActivation> observed = probe.activations();
        List<LayerActivation> relu = new ArrayList<>();
        List<LayerActivation> all = new ArrayList<>();
        boolean anyRelu = false;
        for (int i = 0; i < network.depth(); i++) {
            DenseLayer layer = network.layer(i);
            LayerActivation seen = null;
            for (LayerActivation a : observed) {
                if (a.layer() == i) {
                    seen = a;
                }
            }
            if (seen != null) {
                relu.add(seen);
                all.add(seen);
                anyRelu = true;
            } else {
                anyRelu |= layer.activation() == Activation.RELU;
                List<Integer> units = new ArrayList<>(layer.outputWidth());
                for (int j = 0; j < layer.outputWidth(); j++) {
                    units.add(j);
                }
                all.add(new LayerActivation(i, layer.name(), units, List.of(), 0, 0, 0));
            }
        }
        StableSubmatrixMetrics stable = null;
        if (anyRelu && observable) {
            stable = analyzer.analyzeStableSubmatrices(network, all);
        }
        MarginComparison margin = null;
        if (marginInputs != null) {
            double[] flat = new double[marginInputs.size() * size];
            for (int r = 0; r < marginInputs.size(); r++) {
                System.arraycopy(marginInputs.get(r), 0, flat, r * size, size);
            }
            try {
                margin = MarginComparison.of(network, new LabelledData(
                        WeightMatrix.fromRowMajor(marginInputs.size(), size, flat), marginLabels));
            } catch (IllegalArgumentException e) {
                marginNote = e.getMessage();
            }
        }
        DataAnalysis analysis = new DataAnalysis((int) Math.min(Integer.MAX_VALUE, probe.getExamples()), margin,
                marginNote, relu, stable, List.of());
        LabelEvaluation classification = outputInfo == null || external == null ? null
                : new LabelEvaluator().evaluate(external, predictions, provenance);
        ModelProvenance modelProvenance = model.provenance();
        if (modelProvenance == null) {
            modelProvenance = java.util.Objects.requireNonNull(external, "external model").getProvenance();
        }
        InvarianceEvaluation evaluation = new InvarianceEvaluation(analyzer.analyze(network), analysis, classification,
                predictions, new EvaluationProvenance(modelProvenance, provenance));
        return new OnnxDataEvaluation(evaluation, execution);
    }

    private static String marginNote(NetworkDescription network, List<String> classes, int size) {
        int outputs = network.layer(network.depth() - 1).outputWidth();
        if (!network.isLinear()) {
            return "the network is not linear and bias-free";
        }
        if (outputs != 1 || classes.size() != 2) {
            return "the network has " + outputs + " outputs (the SVM comparison needs two classes, one output)";
        }
        if (network.layer(0).inputWidth() != size) {
            return "the first dense layer reads " + network.layer(0).inputWidth() + " of the " + size
                    + " input values (the SVM comparison needs the end-to-end map of the whole input)";
        }
        for (DataFlowEdge e : network.edges()) {
            if (e.consumer() != e.producer() + 1) {
                return "the network is not a chain of dense layers (the SVM comparison needs the end-to-end map)";
            }
        }
        if (network.edges().size() != network.depth() - 1) {
            return "the network is not a chain of dense layers (the SVM comparison needs the end-to-end map)";
        }
        return "";
    }

    private int batchSize(ActivationProbe probe, NetworkDescription network) {
        if (options.batchSize() > 0) {
            return options.batchSize();
        }
        long perExample = probe.getExampleSize();
        for (DenseLayer l : network.layers()) {
            perExample += l.outputWidth();
        }
        long n = OnnxDataOptions.AUTO_BATCH_BYTES / (Float.BYTES * Math.max(1, perExample));
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

    /** Largest model (with its external data inlined) handed to {@code ONNXExternalModel}, which keeps it in memory. */
    static final long MAX_INLINED_BYTES = 1L << 30;

    /**
     * Tribuo's {@code ONNXExternalModel} of the model file. It gives the model to ONNX Runtime from memory, where
     * ONNX Runtime 1.20 refuses external data; a model with external data is therefore handed over as a temporary
     * copy with its tensors inlined (up to {@link #MAX_INLINED_BYTES}; larger models are refused with a message).
     */
    private static ONNXExternalModel<Label> externalModel(ModelSource model, Map<String, Integer> features,
                                                          Map<Label, Integer> outputs, LabelTransformer transformer,
                                                          String inputName) {
        Path file = model.file();
        Path temporary = null;
        if (OrtSessions.hasExternalData(model.proto())) {
            try {
                temporary = Files.createTempFile("invariance-onnx", ".onnx");
                try (OutputStream out = Files.newOutputStream(temporary)) {
                    inlined(model.proto(), file.toAbsolutePath().getParent(), file).writeTo(out);
                }
            } catch (IOException e) {
                deleteQuietly(temporary);
                throw new UncheckedIOException("cannot write an inlined copy of " + file + ": " + e.getMessage(), e);
            }
        }
        // ONNXExternalModel owns (and closes) its session options
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(1);
            return ONNXExternalModel.createOnnxModel(new LabelFactory(), features, outputs, new DenseTransformer(),
                    transformer, options, temporary != null ? temporary : file, inputName);
        } catch (OrtException e) {
            options.close();
            throw new InvalidModelException(file + ": ONNX Runtime cannot load the model for Tribuo's ONNXExternalModel ("
                    + OrtSessions.firstLine(e.getMessage()) + ")", e);
        } finally {
            deleteQuietly(temporary);
        }
    }

    /** The model with every external initializer's bytes read into {@code raw_data}. */
    static OnnxMl.ModelProto inlined(OnnxMl.ModelProto model, Path folder, Path file) throws IOException {
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        long total = 0;
        for (OnnxMl.TensorProto.Builder t : graph.getInitializerBuilderList()) {
            if (t.getDataLocation() != OnnxMl.TensorProto.DataLocation.EXTERNAL) {
                continue;
            }
            String location = null;
            long offset = 0;
            long length = -1;
            for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { }
                }
            }
            if (location == null) {
                throw new InvalidModelException(file + ": tensor '" + t.getName() + "' has external data without a location");
            }
            Path data = folder.resolve(location);
            try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
                long n = length >= 0 ? length : ch.size() - offset;
                total += n;
                if (total > MAX_INLINED_BYTES) {
                    throw new InvalidModelException(file + ": the LabelEvaluation runs the model through Tribuo's "
                            + "ONNXExternalModel, which holds it in memory with its external data inlined; over "
                            + (MAX_INLINED_BYTES >> 20) + " MB of external data is more than that allows");
                }
                ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(n));
                while (bytes.hasRemaining() && ch.read(bytes, offset + bytes.position()) >= 0) {
                    // positioned reads until the range is read
                }
                if (bytes.hasRemaining()) {
                    throw new InvalidModelException(file + ": external data of tensor '" + t.getName() + "' in " + data
                            + " is shorter than its declared range");
                }
                bytes.flip();
                t.setRawData(com.google.protobuf.ByteString.copyFrom(bytes));
            }
            t.clearExternalData();
            t.setDataLocation(OnnxMl.TensorProto.DataLocation.DEFAULT);
        }
        return model.toBuilder().setGraph(graph).build();
    }

    private static void deleteQuietly(@Nullable Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover file in the temporary folder is harmless
            }
        }
    }
}
