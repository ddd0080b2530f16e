package dev.invariance.evaluation;

import dev.invariance.network.GraphEdge;
import dev.invariance.network.GraphNode;
import dev.invariance.network.GraphPort;
import dev.invariance.network.UnitMapping;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.EdgeReport;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.data.InvalidDataException;
import dev.invariance.network.Convolution;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.provenance.EvaluationProvenance;

import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.invariance.evaluation.InvarianceMetrics.*;

/**
 * The analysis JSON: the one writer of {@code analyze --format json}, for a Tribuo model and for any ONNX model,
 * with or without data. Its keys and when each is null are specified in {@code docs/json.md} and checked against
 * {@code docs/analysis.schema.json}:
 * <ul>
 *   <li>{@code model}: the {@link ModelFile} block (path, format, producer, producer_version, opset, ir_version,
 *       graph_name, tribuo_provenance, notes) with class_name, provenance (OLCUT JSON of the model), source and
 *       backend;</li>
 *   <li>{@code spectrum}: {@code full} or {@code top-k}, the mode that produced the figures;</li>
 *   <li>{@code layers}: per layer {@code name, op, shape [d_out, d_in], element_type}, every layer figure of
 *       {@link InvarianceMetrics} ({@code spectral_norm, …, numerical_rank, …}), {@code complete_spectrum},
 *       {@code singular_values} (descending, top k), and {@code subgraph}, {@code convolution} where they apply;</li>
 *   <li>{@code alignment}: per edge with pair metrics {@code from, to, from_index, to_index, ops, via_residual} and
 *       every pair figure ({@code top_alignment, commutator_alignment, …});</li>
 *   <li>{@code edges}: every data-flow edge, with {@code metrics} and, when it has none, the one-line
 *       {@code reason};</li>
 *   <li>with data: {@code data} (examples and the SVM comparison), {@code activations} (per ReLU layer
 *       {@code layer, stably_active, stably_dead, unstable, tied_units}) and {@code stable_submatrix}
 *       ({@code layers}, {@code pairs}, with the same figures as {@code layers} and {@code alignment});
 *       {@code classification} when the model's {@code LabelEvaluation} was made;</li>
 *   <li>{@code execution}: what ran the model over the data ({@link Execution}), when something ran;</li>
 *   <li>{@code metrics}: every figure of {@link InvarianceEvaluation#asMap()} as {@code {target, name, value}};</li>
 *   <li>{@code evaluation_provenance}: the evaluation's provenance (OLCUT JSON).</li>
 * </ul>
 * A figure that was not computed (for example the effective rank in top-k mode) is written as {@code null}, and so
 * is an undefined one (NaN, for example the ratios of an all-zero layer). {@link #read} restores the report, the
 * metric map, the provenance and the execution; the objects behind the data analysis stay summarised in JSON only.
 */
public final class EvaluationJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private EvaluationJson() {
    }

    /**
     * Writes the evaluation with the model block of {@link ModelFile#of}: a Tribuo model (or an external ONNX
     * model known only by its provenance).
     *
     * @param evaluation the evaluation
     * @param modelPath  the file the model was read from, or null
     */
    public static String write(InvarianceEvaluation evaluation, @Nullable String modelPath) {
        return write(evaluation, ModelFile.of(modelPath, evaluation.getProvenance().getModelProvenance()));
    }

    /**
     * Writes the evaluation with the given model block (the ONNX bridge describes an ONNX file from the file itself).
     *
     * @param evaluation the evaluation
     * @param model      where the model came from
     */
    public static String write(InvarianceEvaluation evaluation, ModelFile model) {
        StringWriter out = new StringWriter();
        write(evaluation, model, out);
        return out.toString();
    }

    /**
     * Streams the JSON of {@link #write(InvarianceEvaluation, String)} to {@code out} (flushed, left open): memory
     * does not grow with the document, only with the evaluation itself.
     *
     * @param evaluation the evaluation
     * @param modelPath  the file the model was read from, or null
     * @param out        where the JSON goes
     * @throws UncheckedIOException when {@code out} cannot be written
     */
    public static void write(InvarianceEvaluation evaluation, @Nullable String modelPath, Writer out) {
        write(evaluation, ModelFile.of(modelPath, evaluation.getProvenance().getModelProvenance()), out);
    }

    /**
     * Streams the JSON of {@link #write(InvarianceEvaluation, ModelFile)} to {@code out} (flushed, left open):
     * memory does not grow with the document, only with the evaluation itself.
     *
     * @param evaluation the evaluation
     * @param model      where the model came from
     * @param out        where the JSON goes
     * @throws UncheckedIOException when {@code out} cannot be written
     */
    public static void write(InvarianceEvaluation evaluation, ModelFile model, Writer out) {
        EvaluationJsonWriter.write(evaluation, model, out);
    }

    /** The tree-built JSON the streaming writer replaces: kept until the two are compared on every fixture. */
    static String writeTree(InvarianceEvaluation evaluation, ModelFile model) {
        ObjectNode root = MAPPER.createObjectNode();
        EvaluationProvenance provenance = evaluation.getProvenance();
        JsonProvenanceSerialization json = new JsonProvenanceSerialization(false);
        AnalysisReport report = evaluation.getReport();
        ObjectNode m = root.putObject("model");
        m.put("path", model.path());
        m.put("format", model.format());
        m.put("producer", model.producer());
        m.put("producer_version", model.producerVersion());
        m.put("opset", model.opset());
        m.put("ir_version", model.irVersion());
        m.put("graph_name", model.graphName());
        m.put("tribuo_provenance", model.tribuoProvenance());
        m.put("class_name", provenance.getModelProvenance().getClassName());
        m.set("provenance", parse(json.marshalAndSerialize(provenance.getModelProvenance())));
        m.put("source", report.source());
        m.put("backend", report.backend());
        ArrayNode notes = m.putArray("notes");
        model.notes().forEach(notes::add);
        root.put("spectrum", report.spectrum().getId());
        ArrayNode layers = root.putArray("layers");
        for (LayerMetrics l : report.layers()) {
            layers.add(layer(l));
        }
        ArrayNode alignment = root.putArray("alignment");
        ArrayNode edges = root.putArray("edges");
        for (EdgeReport e : report.edges()) {
            PairMetrics p = e.metrics();
            if (p != null) {
                alignment.add(pair(p, e.ops()));
            }
            edges.add(edge(e));
        }
        root.set("graph", graph(report));
        DataAnalysis data = evaluation.getDataAnalysis();
        if (data != null) {
            root.set("data", data(data));
        }
        LabelEvaluation le = evaluation.getLabelEvaluation();
        if (le != null) {
            ObjectNode c = root.putObject("classification");
            number(c, "accuracy", le.accuracy());
            number(c, "macro_f1", le.macroAveragedF1());
            number(c, "balanced_error_rate", le.balancedErrorRate());
        }
        if (data != null) {
            root.set("activations", activations(data));
            root.set("stable_submatrix", stableSubmatrix(data.stable(), report));
        }
        Execution execution = evaluation.getExecution();
        if (execution != null) {
            root.set("execution", execution(execution));
        }
        ArrayNode metrics = root.putArray("metrics");
        for (Map.Entry<MetricID<Label>, Double> e : evaluation.asMap().entrySet()) {
            ObjectNode o = metrics.addObject();
            o.put("target", e.getKey().getA().getOutputTarget().orElseThrow().getLabel());
            o.put("name", e.getKey().getB());
            number(o, "value", e.getValue());
        }
        root.set("evaluation_provenance", parse(json.marshalAndSerialize(provenance)));
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write evaluation JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads JSON written by {@link #write}: the report, the metric map, the provenance and the execution.
     *
     * @throws InvalidDataException naming what is missing or malformed
     */
    public static InvarianceEvaluation read(String text) {
        return EvaluationJsonReader.read(text);
    }

    // ------------------------------------------------------------------ writing, one method per object kind

    private static ObjectNode layer(LayerMetrics l) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", l.name());
        o.put("op", l.op());
        o.putArray("shape").add(l.shape().get(0)).add(l.shape().get(1));
        o.put("element_type", l.elementType().name());
        figures(o, l);
        ArrayNode sv = o.putArray("singular_values");
        l.singularValues().forEach(v -> sv.add(v == 0.0 ? 0.0 : v));
        if (!l.subgraph().isEmpty()) {
            o.put("subgraph", l.subgraph());
        }
        Convolution c = l.convolution();
        if (c != null) {
            ObjectNode conv = o.putObject("convolution");
            conv.put("groups", c.groups());
            ArrayNode k = conv.putArray("kernel_shape");
            c.kernelShape().forEach(k::add);
            conv.put("transposed", c.transposed());
        }
        return o;
    }

    /** The figures of one matrix (a layer, or a stably-active submatrix): every layer metric, null when not computed. */
    private static void figures(ObjectNode o, LayerMetrics l) {
        for (InvarianceMetrics m : InvarianceMetrics.values()) {
            if (m.readsLayerMetrics()) {
                put(o, m, m.valueOf(l));
            }
        }
        o.put("complete_spectrum", l.isSpectrumComplete());
    }

    /** The figures of one pair: every pair metric, null when not computed. */
    private static void figures(ObjectNode o, PairMetrics p) {
        for (InvarianceMetrics m : InvarianceMetrics.values()) {
            if (m.readsPairMetrics()) {
                put(o, m, m.valueOf(p));
            }
        }
    }

    /** The keys an edge and a pair share: from, to, from_index, to_index, ops, via_residual. */
    private static ObjectNode link(String from, String to, int fromIndex, int toIndex, List<String> ops,
                                   boolean viaResidual) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("from", from);
        o.put("to", to);
        o.put("from_index", fromIndex);
        o.put("to_index", toIndex);
        ArrayNode list = o.putArray("ops");
        ops.forEach(list::add);
        o.put("via_residual", viaResidual);
        return o;
    }

    /** One entry of {@code edges}: every edge of the report goes through here. */
    private static ObjectNode edge(EdgeReport e) {
        ObjectNode o = link(e.producerName(), e.consumerName(), e.producer(), e.consumer(), e.ops(), e.viaResidual());
        o.put("metrics", e.hasMetrics());
        if (e.reason() != null) {
            o.put("reason", e.reason());
        }
        o.set("units", units(e.units()));
        return o;
    }

    /**
     * {@code {inputs: [{name, width}], outputs: [{name, width}], boundary_edges: [{from, from_kind, from_index, to,
     * to_kind, to_index, ops, via_residual, units}]}}: the graph around the layers (its inputs, its outputs and the
     * edges that touch them); names are those of the inputs, layers and outputs, kinds {@code input}, {@code layer},
     * {@code output}.
     */
    private static ObjectNode graph(AnalysisReport report) {
        ObjectNode g = MAPPER.createObjectNode();
        ports(g.putArray("inputs"), report.inputs());
        ports(g.putArray("outputs"), report.outputs());
        ArrayNode boundary = g.putArray("boundary_edges");
        for (GraphEdge e : report.boundaryEdges()) {
            ObjectNode o = boundary.addObject();
            node(o, "from", e.from(), report);
            node(o, "to", e.to(), report);
            ArrayNode ops = o.putArray("ops");
            e.ops().forEach(ops::add);
            o.put("via_residual", e.viaResidual());
            o.set("units", units(e.units()));
        }
        return g;
    }

    private static void ports(ArrayNode out, List<GraphPort> ports) {
        for (GraphPort p : ports) {
            ObjectNode o = out.addObject();
            o.put("name", p.name());
            o.put("width", p.width());
        }
    }

    private static void node(ObjectNode o, String key, GraphNode n, AnalysisReport report) {
        String kind = n instanceof GraphNode.Input ? "input" : n instanceof GraphNode.Layer ? "layer" : "output";
        String name = n instanceof GraphNode.Input ? report.inputs().get(n.index()).name()
                : n instanceof GraphNode.Layer ? report.layers().get(n.index()).name()
                : report.outputs().get(n.index()).name();
        o.put(key, name);
        o.put(key + "_kind", kind);
        o.put(key + "_index", n.index());
    }

    /**
     * {@code {kind: identity}}, {@code {kind: window, producer_start, consumer_start, length}},
     * {@code {kind: tiled, copies}}, {@code {kind: blocked, block}} or {@code {kind: not_unit_wise, reason}}.
     */
    static ObjectNode units(UnitMapping m) {
        ObjectNode o = MAPPER.createObjectNode();
        if (m instanceof UnitMapping.Window w) {
            o.put("kind", "window");
            o.put("producer_start", w.producerStart());
            o.put("consumer_start", w.consumerStart());
            o.put("length", w.length());
        } else if (m instanceof UnitMapping.Tiled t) {
            o.put("kind", "tiled");
            o.put("copies", t.copies());
        } else if (m instanceof UnitMapping.Blocked b) {
            o.put("kind", "blocked");
            o.put("block", b.block());
        } else if (m instanceof UnitMapping.NotUnitWise n) {
            o.put("kind", "not_unit_wise");
            o.put("reason", n.reason());
        } else {
            o.put("kind", "identity");
        }
        return o;
    }

    private static ObjectNode pair(PairMetrics p, List<String> ops) {
        ObjectNode o = link(p.producerName(), p.consumerName(), p.producer(), p.consumer(), ops, p.viaResidual());
        figures(o, p);
        return o;
    }

    private static ObjectNode data(DataAnalysis data) {
        ObjectNode d = MAPPER.createObjectNode();
        put(d, EXAMPLES, (double) data.examples());
        MarginComparison m = data.margin();
        put(d, SVM_COSINE, m == null ? null : m.cosine());
        put(d, NORMALISED_MARGIN, m == null ? null : m.normalisedMargin());
        put(d, SVM_MARGIN, m == null ? null : m.svmMargin());
        put(d, MARGIN_RATIO, m == null ? null : m.marginRatio());
        d.put("svm_status", m == null ? null : m.svm().status().name().toLowerCase(Locale.ROOT));
        d.put("margin_note", data.marginNote());
        return d;
    }

    private static ArrayNode activations(DataAnalysis data) {
        ArrayNode acts = MAPPER.createArrayNode();
        for (LayerActivation a : data.activations()) {
            ObjectNode o = acts.addObject();
            o.put("layer", a.name());
            o.put(STABLY_ACTIVE.getKey(), a.stablyActive().size());
            o.put(STABLY_DEAD.getKey(), a.stablyDead().size());
            o.put(UNSTABLE.getKey(), a.unstableCount());
            o.put(TIED_UNITS.getKey(), a.tiedUnitCount());
        }
        return acts;
    }

    /**
     * {@code {layers: [{layer, rows, columns, reason, metrics}], pairs: [{from, to, via_residual, reason, metrics}]}};
     * empty lists without ReLU. {@code columns} is null (and {@code reason} says why) where the layer's input columns
     * that are linear on the data are not defined.
     */
    private static ObjectNode stableSubmatrix(@Nullable StableSubmatrixMetrics stable, AnalysisReport report) {
        ObjectNode s = MAPPER.createObjectNode();
        ArrayNode layers = s.putArray("layers");
        ArrayNode pairs = s.putArray("pairs");
        if (stable == null) {
            return s;
        }
        for (StableSubmatrixMetrics.StableLayer l : stable.layers()) {
            ObjectNode o = layers.addObject();
            o.put("layer", report.layers().get(l.layer()).name());
            o.put("rows", l.rows().size());
            List<Integer> columns = l.columns();
            if (columns == null) {
                o.putNull("columns");
            } else {
                o.put("columns", columns.size());
            }
            o.put("reason", l.reason());
            LayerMetrics m = l.metrics();
            if (m == null) {
                o.putNull("metrics");
            } else {
                figures(o.putObject("metrics"), m);
            }
        }
        for (StableSubmatrixMetrics.StablePair p : stable.pairs()) {
            ObjectNode o = pairs.addObject();
            o.put("from", report.layers().get(p.from()).name());
            o.put("to", report.layers().get(p.to()).name());
            o.put("via_residual", p.viaResidual());
            o.put("reason", p.reason());
            PairMetrics m = p.metrics();
            if (m == null) {
                o.putNull("metrics");
            } else {
                figures(o.putObject("metrics"), m);
            }
        }
        return s;
    }

    private static ObjectNode execution(Execution execution) {
        ObjectNode e = MAPPER.createObjectNode();
        e.put("provider", execution.provider());
        e.put("device_id", execution.deviceId());
        e.put("onnxruntime_version", execution.onnxruntimeVersion());
        e.put("examples", execution.examples());
        e.put("seconds", execution.seconds());
        return e;
    }

    /** Writes {@code v} under the metric's key in the form its kind asks for; null (not computed) as null. */
    private static void put(ObjectNode o, InvarianceMetrics metric, @Nullable Double v) {
        if (v == null) {
            o.putNull(metric.getKey());
            return;
        }
        switch (metric.getKind()) {
            case COUNT -> o.put(metric.getKey(), v.longValue());
            case FLAG -> o.put(metric.getKey(), v != 0.0);
            default -> number(o, metric.getKey(), v);
        }
    }

    private static void number(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v == 0.0 ? 0.0 : v); // -0.0 == 0.0: written as 0.0
        } else {
            o.putNull(key);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("OLCUT wrote invalid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
