package dev.invariance.evaluation;

import dev.invariance.network.GraphEdge;
import dev.invariance.network.GraphNode;
import dev.invariance.network.GraphPort;
import dev.invariance.network.LayerOrigin;
import dev.invariance.network.Quantization;
import dev.invariance.network.UnitMapping;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.io.ProvenanceSerializationException;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.EdgeReport;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.data.InvalidDataException;
import dev.invariance.network.Convolution;
import dev.invariance.network.ElementType;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.Label;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.evaluation.metrics.MetricTarget;
import org.tribuo.provenance.EvaluationProvenance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.invariance.evaluation.InvarianceMetrics.*;

/** {@link EvaluationJson#read}: the analysis JSON back into an {@link InvarianceEvaluation}. */
final class EvaluationJsonReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EvaluationJsonReader() {
    }

    /**
     * Reads JSON written by {@link EvaluationJson#write}.
     *
     * @throws InvalidDataException naming what is missing or malformed
     */
    static InvarianceEvaluation read(String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidDataException("not JSON: " + e.getOriginalMessage(), e);
        }
        SpectrumMode mode;
        try {
            mode = SpectrumMode.fromId(root.path("spectrum").asText("full"));
        } catch (IllegalArgumentException ex) {
            throw new InvalidDataException("spectrum: " + ex.getMessage(), ex);
        }
        List<LayerMetrics> layers = new ArrayList<>();
        for (JsonNode l : required(root, "layers")) {
            layers.add(readLayer(l, mode));
        }
        List<PairMetrics> pairs = new ArrayList<>();
        for (JsonNode p : required(root, "alignment")) {
            pairs.add(readPair(p));
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
                        m == null ? reason.asText() : null, units(e.path("units"))));
            }
            JsonNode graph = root.path("graph");
            List<GraphPort> inputs = ports(graph.path("inputs"));
            List<GraphPort> outputs = ports(graph.path("outputs"));
            List<GraphEdge> boundary = new ArrayList<>();
            for (JsonNode e : graph.path("boundary_edges")) {
                List<String> ops = new ArrayList<>();
                e.path("ops").forEach(o -> ops.add(o.asText()));
                boundary.add(new GraphEdge(node(e, "from"), node(e, "to"), ops, e.path("via_residual").asBoolean(),
                        units(e.path("units"))));
            }
            JsonNode pattern = root.path("model").path("layer_pattern");
            report = new AnalysisReport(source, backend, layers, pairs, edges, mode, inputs, outputs, boundary,
                    pattern.isTextual() ? pattern.asText() : null);
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
        JsonNode e = root.path("execution");
        Execution execution = !e.isObject() ? null : new Execution(e.path("provider").asText(),
                e.path("device_id").isNumber() ? e.path("device_id").asInt() : null,
                e.path("onnxruntime_version").isTextual() ? e.path("onnxruntime_version").asText() : null,
                e.path("examples").asLong(), e.path("seconds").asDouble());
        return new InvarianceEvaluation(report, metrics, ep, execution);
    }

    /**
     * A layer (or submatrix) written by {@code EvaluationJson.layer}. A null figure is "not computed" when the spectrum was partial
     * and the figure needs all of it, otherwise NaN (undefined, as for an all-zero layer). JSON written before
     * {@code complete_spectrum} existed counts as complete unless it came from top-k mode without an effective rank.
     */
    private static LayerMetrics readLayer(JsonNode l, SpectrumMode mode) {
        boolean complete = l.path("complete_spectrum").isBoolean() ? l.path("complete_spectrum").asBoolean()
                : mode == SpectrumMode.FULL || l.path(EFFECTIVE_RANK.getKey()).isNumber();
        return new LayerMetrics(l.path("name").asText(), l.path("op").asText(),
                List.of(l.path("shape").path(0).asInt(), l.path("shape").path(1).asInt()),
                ElementType.valueOf(l.path("element_type").asText("FLOAT64")),
                num(l, SPECTRAL_NORM), num(l, FROBENIUS_NORM), num(l, RANK1_RATIO), num(l, STABLE_RANK),
                count(l, NUMERICAL_RANK), count(l, RELATIVE_RANK_1E2), count(l, RELATIVE_RANK_1E3),
                complete ? num(l, EFFECTIVE_RANK) : null, complete ? num(l, NUCLEAR_FROBENIUS_RATIO) : null,
                num(l, SIGMA2_OVER_SIGMA1), num(l, SPECTRAL_GAP), doubles(l.path("singular_values")),
                l.path("subgraph").asText(""), convolution(l.path("convolution")), origin(l));
    }

    /**
     * The layer's origin ({@code node}, {@code module}, {@code gate}, {@code quantization}, {@code folded}); JSON
     * written before these keys existed gives the origin of a layer known by its name.
     */
    private static LayerOrigin origin(JsonNode l) {
        String name = l.path("name").asText();
        if (!l.has("module")) {
            return LayerOrigin.named(name);
        }
        List<String> folded = new ArrayList<>();
        l.path("folded").forEach(f -> folded.add(f.asText()));
        return new LayerOrigin(text(l, "node"), l.path("module").asText(), text(l, "gate"),
                quantization(l.path("quantization")), folded);
    }

    private static @Nullable Quantization quantization(JsonNode q) {
        if (!q.isObject()) {
            return null;
        }
        try {
            return new Quantization(q.path("bits").asInt(), q.path("signed").asBoolean(),
                    q.path("per_channel").asBoolean(), q.path("axis").isIntegralNumber() ? q.path("axis").asInt() : null,
                    q.path("block_size").isIntegralNumber() ? q.path("block_size").asInt() : null,
                    q.path("operator").asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidDataException("quantization: " + e.getMessage(), e);
        }
    }

    /** A string, or null when the key is absent or null. */
    private static @Nullable String text(JsonNode o, String key) {
        JsonNode v = o.path(key);
        return v.isTextual() ? v.asText() : null;
    }

    /**
     * A pair written by {@code EvaluationJson.pair}. The full-matrix scores were computed when the balancedness (finite whenever it
     * is computed) is a number; the matched scores when k is known and is 0 (NaN: undefined) or they are numbers.
     */
    private static PairMetrics readPair(JsonNode p) {
        boolean full = p.path(BALANCEDNESS.getKey()).isNumber();
        Integer k = count(p, MATCHED_RANK);
        boolean matched = k != null && (k == 0 || p.path(MATCHED_VECTOR_SCORE.getKey()).isNumber());
        Double commutator = full ? num(p, COMMUTATOR_SCORE) : null;
        return new PairMetrics(p.path("from_index").asInt(), p.path("to_index").asInt(), p.path("from").asText(),
                p.path("to").asText(), p.path("via_residual").asBoolean(), num(p, TOP_ALIGNMENT),
                full ? num(p, WEIGHTED_ALIGNMENT) : null, commutator, full ? num(p, COMMUTATOR_ALIGNMENT) : null,
                full ? num(p, BALANCEDNESS) : null, k, matched ? num(p, MATCHED_VECTOR_SCORE) : null,
                matched ? p.path(MATCHED_IS_PERMUTATION.getKey()).asBoolean() : null,
                matched ? num(p, SUBSPACE_SCORE) : null);
    }

    private static @Nullable Convolution convolution(JsonNode c) {
        if (!c.isObject()) {
            return null;
        }
        List<Integer> kernel = new ArrayList<>();
        c.path("kernel_shape").forEach(k -> kernel.add(k.asInt()));
        return new Convolution(c.path("groups").asInt(1), kernel, c.path("transposed").asBoolean());
    }

    private static double num(JsonNode o, InvarianceMetrics metric) {
        return num(o, metric.getKey());
    }

    /** A count, or null when it was not computed. */
    private static @Nullable Integer count(JsonNode o, InvarianceMetrics metric) {
        JsonNode v = o.path(metric.getKey());
        return v.isNumber() && v.asInt() >= 0 ? v.asInt() : null;
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

    /** The unit mapping {@link EvaluationJson} writes on an edge (identity when the key is absent, as before it existed). */
    private static UnitMapping units(JsonNode u) {
        switch (u.path("kind").asText("identity")) {
            case "window":
                return new UnitMapping.Window(u.path("producer_start").asInt(), u.path("consumer_start").asInt(),
                        u.path("length").asInt());
            case "tiled":
                return new UnitMapping.Tiled(u.path("copies").asInt());
            case "blocked":
                return new UnitMapping.Blocked(u.path("block").asInt());
            case "not_unit_wise":
                return new UnitMapping.NotUnitWise(u.path("reason").asText());
            default:
                return UnitMapping.identity();
        }
    }

    private static List<GraphPort> ports(JsonNode array) {
        List<GraphPort> out = new ArrayList<>();
        for (JsonNode p : array) {
            JsonNode w = p.path("width");
            out.add(new GraphPort(p.path("name").asText(), w.isIntegralNumber() ? w.asInt() : null));
        }
        return out;
    }

    private static GraphNode node(JsonNode edge, String key) {
        int index = edge.path(key + "_index").asInt();
        String kind = edge.path(key + "_kind").asText();
        switch (kind) {
            case "input":
                return new GraphNode.Input(index);
            case "layer":
                return new GraphNode.Layer(index);
            case "output":
                return new GraphNode.Output(index);
            default:
                throw new InvalidDataException("a boundary edge's " + key + "_kind is '" + kind
                        + "', not input, layer or output");
        }
    }
}
