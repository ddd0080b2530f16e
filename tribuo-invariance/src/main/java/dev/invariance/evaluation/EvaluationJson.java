package dev.invariance.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.io.ProvenanceSerializationException;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.EdgeReport;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.data.InvalidDataException;
import dev.invariance.network.Convolution;
import dev.invariance.network.ElementType;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.evaluation.metrics.MetricTarget;
import org.tribuo.provenance.EvaluationProvenance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.invariance.evaluation.InvarianceMetrics.*;

/**
 * The JSON form of an {@link InvarianceEvaluation}, with the command-line contract's keys:
 * <ul>
 *   <li>{@code model}: path, producer, opset (null for Tribuo models), provenance (OLCUT JSON of the model);</li>
 *   <li>{@code layers}: per layer {@code name, op, shape [d_out, d_in], spectral_norm, frobenius_norm, stable_rank,
 *       rank1_ratio, effective_rank, numerical_rank, singular_values} (descending, top k) and more;</li>
 *   <li>{@code spectrum}: {@code full} or {@code top-k}, the mode that produced the figures;</li>
 *   <li>{@code layers} also carry {@code subgraph} (layers inside control flow) and {@code convolution}
 *       ({@code groups, kernel_shape, transposed}) when present; counts that a top-k spectrum cannot settle are null;</li>
 *   <li>{@code alignment}: per edge with pair metrics {@code from, to, ops, top_alignment, commutator_alignment} and
 *       more;</li>
 *   <li>{@code edges}: every data-flow edge {@code from, to, from_index, to_index, ops, via_residual, metrics} and,
 *       when it has no metrics, the one-line {@code reason};</li>
 *   <li>{@code data}, {@code classification}: the data-dependent figures, when data was given;</li>
 *   <li>{@code metrics}: every figure of {@link InvarianceEvaluation#asMap()} as {@code {target, name, value}};</li>
 *   <li>{@code evaluation_provenance}: the evaluation's provenance (OLCUT JSON).</li>
 * </ul>
 * NaN (for example ratios of an all-zero layer) is written as {@code null}. {@link #read} restores the report,
 * the metric map and the provenance; the objects behind the data analysis stay summarised in JSON only.
 */
public final class EvaluationJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private EvaluationJson() {
    }

    /**
     * Writes the evaluation.
     *
     * @param evaluation the evaluation
     * @param modelPath  the file the model was read from, or null
     */
    public static String write(InvarianceEvaluation evaluation, @Nullable String modelPath) {
        return format(tree(evaluation, modelPath));
    }

    /**
     * The JSON of {@link #write} as a tree, for callers that add keys (the ONNX bridge's model block and
     * data-dependent keys) before writing it with {@link #format}.
     */
    public static ObjectNode tree(InvarianceEvaluation evaluation, @Nullable String modelPath) {
        ObjectNode root = MAPPER.createObjectNode();
        EvaluationProvenance provenance = evaluation.getProvenance();
        JsonProvenanceSerialization json = new JsonProvenanceSerialization(false);
        ObjectNode model = root.putObject("model");
        model.put("path", modelPath);
        model.put("producer", provenance.getModelProvenance().getClassName());
        model.putNull("opset");
        model.set("provenance", parse(json.marshalAndSerialize(provenance.getModelProvenance())));
        AnalysisReport report = evaluation.getReport();
        model.put("source", report.source());
        model.put("backend", report.backend());
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
        DataAnalysis data = evaluation.getDataAnalysis();
        if (data != null) {
            ObjectNode d = root.putObject("data");
            put(d, EXAMPLES, data.examples());
            MarginComparison m = data.margin();
            if (m != null) {
                put(d, SVM_COSINE, m.cosine());
                put(d, NORMALISED_MARGIN, m.normalisedMargin());
                put(d, SVM_MARGIN, m.svmMargin());
                put(d, MARGIN_RATIO, m.marginRatio());
                d.put("svm_status", m.svm().status().name().toLowerCase(java.util.Locale.ROOT));
            }
            if (!data.marginNote().isEmpty()) {
                d.put("margin_note", data.marginNote());
            }
            ArrayNode acts = d.putArray("activations");
            for (LayerActivation a : data.activations()) {
                ObjectNode o = acts.addObject();
                o.put("name", a.name());
                put(o, STABLY_ACTIVE, a.stablyActive().size());
                put(o, STABLY_DEAD, a.stablyDead().size());
                put(o, UNSTABLE, a.unstableCount());
                put(o, TIED_UNITS, a.tiedUnitCount());
            }
        }
        LabelEvaluation le = evaluation.getLabelEvaluation();
        if (le != null) {
            ObjectNode c = root.putObject("classification");
            number(c, "accuracy", le.accuracy());
            number(c, "macro_f1", le.macroAveragedF1());
            number(c, "balanced_error_rate", le.balancedErrorRate());
        }
        ArrayNode metrics = root.putArray("metrics");
        for (Map.Entry<MetricID<Label>, Double> e : evaluation.asMap().entrySet()) {
            ObjectNode o = metrics.addObject();
            o.put("target", e.getKey().getA().getOutputTarget().orElseThrow().getLabel());
            o.put("name", e.getKey().getB());
            number(o, "value", e.getValue());
        }
        root.set("evaluation_provenance", parse(json.marshalAndSerialize(provenance)));
        return root;
    }

    /** Writes a tree made by {@link #tree} (indented, as {@link #write}). */
    public static String format(ObjectNode tree) {
        try {
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write evaluation JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads JSON written by {@link #write}.
     *
     * @throws InvalidDataException naming what is missing or malformed
     */
    public static InvarianceEvaluation read(String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidDataException("not JSON: " + e.getOriginalMessage(), e);
        }
        List<LayerMetrics> layers = new ArrayList<>();
        for (JsonNode l : required(root, "layers")) {
            layers.add(new LayerMetrics(l.path("name").asText(), l.path("op").asText(),
                    List.of(l.path("shape").path(0).asInt(), l.path("shape").path(1).asInt()),
                    ElementType.valueOf(l.path("element_type").asText("FLOAT64")),
                    num(l, SPECTRAL_NORM), num(l, FROBENIUS_NORM), num(l, RANK1_RATIO), num(l, STABLE_RANK),
                    count(l, NUMERICAL_RANK), count(l, RELATIVE_RANK_1E2), count(l, RELATIVE_RANK_1E3),
                    num(l, EFFECTIVE_RANK), num(l, NUCLEAR_FROBENIUS_RATIO), num(l, SIGMA2_OVER_SIGMA1),
                    num(l, SPECTRAL_GAP), doubles(l.path("singular_values")),
                    l.path("subgraph").asText(""), convolution(l.path("convolution"))));
        }
        List<PairMetrics> pairs = new ArrayList<>();
        for (JsonNode p : required(root, "alignment")) {
            pairs.add(new PairMetrics(p.path("from_index").asInt(), p.path("to_index").asInt(), p.path("from").asText(),
                    p.path("to").asText(), p.path("via_residual").asBoolean(), num(p, TOP_ALIGNMENT),
                    num(p, WEIGHTED_ALIGNMENT), num(p, COMMUTATOR_SCORE), num(p, COMMUTATOR_ALIGNMENT),
                    num(p, BALANCEDNESS), count(p, MATCHED_RANK), num(p, MATCHED_VECTOR_SCORE),
                    p.path(MATCHED_IS_PERMUTATION.getKey()).asBoolean(), num(p, SUBSPACE_SCORE)));
        }
        String source = root.path("model").path("source").asText("");
        String backend = root.path("model").path("backend").asText("");
        AnalysisReport report;
        JsonNode edgeList = root.get("edges");
        if (edgeList == null || !edgeList.isArray()) {
            report = new AnalysisReport(source, backend, layers, pairs);
        } else {
            List<EdgeReport> edges = new ArrayList<>();
            int next = 0;
            for (JsonNode e : edgeList) {
                List<String> ops = new ArrayList<>();
                e.path("ops").forEach(o -> ops.add(o.asText()));
                JsonNode reason = e.get("reason");
                PairMetrics m = null;
                if (reason == null || reason.isNull()) {
                    if (next >= pairs.size()) {
                        throw new InvalidDataException("edge " + e.path("from").asText() + " -> " + e.path("to").asText()
                                + " has neither alignment figures nor a reason");
                    }
                    m = pairs.get(next++);
                }
                edges.add(new EdgeReport(e.path("from_index").asInt(), e.path("to_index").asInt(),
                        e.path("from").asText(), e.path("to").asText(), ops, e.path("via_residual").asBoolean(), m,
                        m == null ? reason.asText() : null));
            }
            SpectrumMode mode;
            try {
                mode = SpectrumMode.fromId(root.path("spectrum").asText("full"));
            } catch (IllegalArgumentException ex) {
                throw new InvalidDataException("spectrum: " + ex.getMessage(), ex);
            }
            report = new AnalysisReport(source, backend, layers, pairs, edges, mode);
        }
        Map<MetricID<Label>, Double> metrics = new LinkedHashMap<>();
        for (JsonNode m : required(root, "metrics")) {
            metrics.put(new MetricID<>(new MetricTarget<>(new Label(m.path("target").asText())), m.path("name").asText()),
                    num(m, "value"));
        }
        ObjectProvenance provenance;
        try {
            provenance = new JsonProvenanceSerialization(false).deserializeAndUnmarshal(
                    MAPPER.writeValueAsString(required(root, "evaluation_provenance")));
        } catch (ProvenanceSerializationException | JsonProcessingException | RuntimeException e) {
            throw new InvalidDataException("evaluation_provenance is not an OLCUT provenance: " + e.getMessage(), e);
        }
        if (!(provenance instanceof EvaluationProvenance ep)) {
            throw new InvalidDataException("evaluation_provenance holds a " + provenance.getClass().getSimpleName());
        }
        return new InvarianceEvaluation(report, metrics, ep);
    }

    private static ObjectNode layer(LayerMetrics l) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", l.name());
        o.put("op", l.op());
        o.putArray("shape").add(l.shape().get(0)).add(l.shape().get(1));
        o.put("element_type", l.elementType().name());
        for (InvarianceMetrics m : InvarianceMetrics.values()) {
            if (m.readsLayerMetrics()) {
                put(o, m, m.of(l));
            }
        }
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

    private static @Nullable Convolution convolution(JsonNode c) {
        if (!c.isObject()) {
            return null;
        }
        List<Integer> kernel = new ArrayList<>();
        c.path("kernel_shape").forEach(k -> kernel.add(k.asInt()));
        return new Convolution(c.path("groups").asInt(1), kernel, c.path("transposed").asBoolean());
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

    private static ObjectNode edge(EdgeReport e) {
        ObjectNode o = link(e.producerName(), e.consumerName(), e.producer(), e.consumer(), e.ops(), e.viaResidual());
        o.put("metrics", e.hasMetrics());
        if (e.reason() != null) {
            o.put("reason", e.reason());
        }
        return o;
    }

    private static ObjectNode pair(PairMetrics p, List<String> ops) {
        ObjectNode o = link(p.producerName(), p.consumerName(), p.producer(), p.consumer(), ops, p.viaResidual());
        for (InvarianceMetrics m : InvarianceMetrics.values()) {
            if (m.readsPairMetrics()) {
                put(o, m, m.of(p));
            }
        }
        return o;
    }

    /** Writes {@code v} under the metric's key in the form its kind asks for. */
    private static void put(ObjectNode o, InvarianceMetrics metric, double v) {
        switch (metric.getKind()) {
            case COUNT -> {
                if (Double.isNaN(v)) {
                    o.putNull(metric.getKey()); // not computed (for example in top-k spectrum mode)
                } else {
                    o.put(metric.getKey(), (long) v);
                }
            }
            case FLAG -> o.put(metric.getKey(), v != 0.0);
            default -> number(o, metric.getKey(), v);
        }
    }

    private static double num(JsonNode o, InvarianceMetrics metric) {
        return num(o, metric.getKey());
    }

    private static int count(JsonNode o, InvarianceMetrics metric) {
        JsonNode v = o.path(metric.getKey());
        return v.isNumber() ? v.asInt() : -1;
    }

    private static void number(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v == 0.0 ? 0.0 : v); // -0.0 == 0.0: written as 0.0
        } else {
            o.putNull(key);
        }
    }

    /** A count; −1 (unknown, from a partial spectrum) is written as null. */
    private static void count(ObjectNode o, String key, int v) {
        if (v >= 0) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }

    private static int count(JsonNode o, String key) {
        JsonNode v = o.path(key);
        return v.isNumber() ? v.asInt() : -1;
    }

    private static double num(JsonNode o, String key) {
        JsonNode v = o.path(key);
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(v -> out.add(v.isNumber() ? v.asDouble() : Double.NaN));
        return out;
    }

    private static JsonNode required(JsonNode root, String key) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            throw new InvalidDataException("evaluation JSON has no '" + key + "'");
        }
        return v;
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("OLCUT wrote invalid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
