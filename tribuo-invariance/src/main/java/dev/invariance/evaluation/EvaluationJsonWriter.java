package dev.invariance.evaluation;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.EdgeReport;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.network.Convolution;
import dev.invariance.network.GraphEdge;
import dev.invariance.network.GraphNode;
import dev.invariance.network.GraphPort;
import dev.invariance.network.LayerOrigin;
import dev.invariance.network.Quantization;
import dev.invariance.network.UnitMapping;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.provenance.EvaluationProvenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.invariance.evaluation.InvarianceMetrics.EXAMPLES;
import static dev.invariance.evaluation.InvarianceMetrics.MARGIN_RATIO;
import static dev.invariance.evaluation.InvarianceMetrics.NORMALISED_MARGIN;
import static dev.invariance.evaluation.InvarianceMetrics.STABLY_ACTIVE;
import static dev.invariance.evaluation.InvarianceMetrics.STABLY_DEAD;
import static dev.invariance.evaluation.InvarianceMetrics.SVM_COSINE;
import static dev.invariance.evaluation.InvarianceMetrics.SVM_MARGIN;
import static dev.invariance.evaluation.InvarianceMetrics.TIED_UNITS;
import static dev.invariance.evaluation.InvarianceMetrics.UNSTABLE;

/**
 * Writes the analysis JSON ({@link EvaluationJson}'s keys) token by token with Jackson's {@link JsonGenerator},
 * straight to a {@link Writer}: besides the evaluation itself only the generator's buffer and the two provenance
 * blocks (OLCUT writes them as text, which is re-indented here) are held, so memory does not grow with the number of
 * layers and edges. The layout is Jackson's default pretty printer, as {@code ObjectMapper} with
 * {@code INDENT_OUTPUT} writes a tree: two-space indents, {@code "key" : value}, arrays of scalars on one line.
 */
final class EvaluationJsonWriter {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Writes with the default pretty printer ({@code INDENT_OUTPUT}). */
    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private final JsonGenerator g;
    private final JsonFigures figures;

    private EvaluationJsonWriter(JsonGenerator g) {
        this.g = g;
        this.figures = new JsonFigures(g);
    }

    /**
     * Writes the evaluation with the given model block to {@code out}, which is flushed and left open.
     *
     * @throws UncheckedIOException when {@code out} cannot be written
     */
    static void write(InvarianceEvaluation evaluation, ModelFile model, Writer out) {
        // the provenance is serialised before the first token, so that a failure there writes nothing
        JsonProvenanceSerialization olcut = new JsonProvenanceSerialization(false);
        EvaluationProvenance provenance = evaluation.getProvenance();
        JsonNode modelProvenance = tree(olcut.marshalAndSerialize(provenance.getModelProvenance()));
        JsonNode evaluationProvenance = tree(olcut.marshalAndSerialize(provenance));
        try (JsonGenerator generator = PRETTY.createGenerator(out)) {
            generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            new EvaluationJsonWriter(generator).evaluation(evaluation, model, modelProvenance, evaluationProvenance);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write evaluation JSON: " + e.getMessage(), e);
        }
    }

    private void evaluation(InvarianceEvaluation evaluation, ModelFile model, JsonNode modelProvenance,
                            JsonNode evaluationProvenance) throws IOException {
        AnalysisReport report = evaluation.getReport();
        g.writeStartObject();
        model(model, evaluation.getProvenance().getModelProvenance().getClassName(), modelProvenance, report);
        g.writeStringField("spectrum", report.spectrum().getId());
        g.writeArrayFieldStart("layers");
        for (LayerMetrics l : report.layers()) {
            layer(l);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("alignment");
        for (EdgeReport e : report.edges()) {
            PairMetrics p = e.metrics();
            if (p != null) {
                pair(p, e.ops());
            }
        }
        g.writeEndArray();
        g.writeArrayFieldStart("edges");
        for (EdgeReport e : report.edges()) {
            edge(e);
        }
        g.writeEndArray();
        g.writeFieldName("graph");
        graph(report);
        DataAnalysis data = evaluation.getDataAnalysis();
        if (data != null) {
            g.writeFieldName("data");
            data(data);
        }
        LabelEvaluation le = evaluation.getLabelEvaluation();
        if (le != null) {
            g.writeObjectFieldStart("classification");
            figures.number("accuracy", le.accuracy());
            figures.number("macro_f1", le.macroAveragedF1());
            figures.number("balanced_error_rate", le.balancedErrorRate());
            g.writeEndObject();
        }
        if (data != null) {
            g.writeFieldName("activations");
            activations(data);
            g.writeFieldName("stable_submatrix");
            stableSubmatrix(data.stable(), report);
        }
        Execution execution = evaluation.getExecution();
        if (execution != null) {
            g.writeFieldName("execution");
            execution(execution);
        }
        g.writeArrayFieldStart("metrics");
        for (Map.Entry<MetricID<Label>, Double> e : evaluation.asMap().entrySet()) {
            g.writeStartObject();
            g.writeStringField("target", e.getKey().getA().getOutputTarget().orElseThrow().getLabel());
            g.writeStringField("name", e.getKey().getB());
            figures.number("value", e.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeFieldName("evaluation_provenance");
        MAPPER.writeTree(g, evaluationProvenance);
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ one method per object kind

    /** The {@link ModelFile} block with the model's class, its provenance, the report's source and backend. */
    private void model(ModelFile model, String className, JsonNode provenance, AnalysisReport report)
            throws IOException {
        g.writeObjectFieldStart("model");
        g.writeStringField("path", model.path());
        g.writeStringField("format", model.format());
        g.writeStringField("producer", model.producer());
        g.writeStringField("producer_version", model.producerVersion());
        figures.integer("opset", model.opset());
        figures.integer("ir_version", model.irVersion());
        g.writeStringField("graph_name", model.graphName());
        g.writeBooleanField("tribuo_provenance", model.tribuoProvenance());
        g.writeStringField("class_name", className);
        g.writeFieldName("provenance");
        MAPPER.writeTree(g, provenance);
        g.writeStringField("source", report.source());
        g.writeStringField("backend", report.backend());
        g.writeStringField("layer_pattern", report.layerPattern());
        figures.strings("notes", model.notes());
        g.writeEndObject();
    }

    private void layer(LayerMetrics l) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", l.name());
        g.writeStringField("op", l.op());
        origin(l.origin());
        g.writeArrayFieldStart("shape");
        g.writeNumber(l.shape().get(0));
        g.writeNumber(l.shape().get(1));
        g.writeEndArray();
        g.writeStringField("element_type", l.elementType().name());
        figures.of(l);
        g.writeArrayFieldStart("singular_values");
        for (double v : l.singularValues()) {
            g.writeNumber(v == 0.0 ? 0.0 : v);
        }
        g.writeEndArray();
        if (!l.subgraph().isEmpty()) {
            g.writeStringField("subgraph", l.subgraph());
        }
        Convolution c = l.convolution();
        if (c != null) {
            g.writeObjectFieldStart("convolution");
            g.writeNumberField("groups", c.groups());
            g.writeArrayFieldStart("kernel_shape");
            for (int k : c.kernelShape()) {
                g.writeNumber(k);
            }
            g.writeEndArray();
            g.writeBooleanField("transposed", c.transposed());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /**
     * Where the layer's matrix comes from: {@code node} (null for a model that is not a graph file), {@code module},
     * {@code gate} (null or the part of a packed weight), {@code quantization} (null, or {@code {bits, signed,
     * per_channel, axis, block_size, operator}}) and {@code folded} (the operators folded into W).
     */
    private void origin(LayerOrigin o) throws IOException {
        g.writeStringField("node", o.node());
        g.writeStringField("module", o.module());
        g.writeStringField("gate", o.gate());
        Quantization q = o.quantization();
        if (q == null) {
            g.writeNullField("quantization");
        } else {
            g.writeObjectFieldStart("quantization");
            g.writeNumberField("bits", q.bits());
            g.writeBooleanField("signed", q.signed());
            g.writeBooleanField("per_channel", q.perChannel());
            figures.integer("axis", q.axis());
            figures.integer("block_size", q.blockSize());
            g.writeStringField("operator", q.operator());
            g.writeEndObject();
        }
        figures.strings("folded", o.folded());
    }

    /** The keys an edge and a pair share: from, to, from_index, to_index, ops, via_residual. */
    private void link(String from, String to, int fromIndex, int toIndex, List<String> ops, boolean viaResidual)
            throws IOException {
        g.writeStringField("from", from);
        g.writeStringField("to", to);
        g.writeNumberField("from_index", fromIndex);
        g.writeNumberField("to_index", toIndex);
        figures.strings("ops", ops);
        g.writeBooleanField("via_residual", viaResidual);
    }

    /** One entry of {@code edges}: every edge of the report goes through here. */
    private void edge(EdgeReport e) throws IOException {
        g.writeStartObject();
        link(e.producerName(), e.consumerName(), e.producer(), e.consumer(), e.ops(), e.viaResidual());
        g.writeBooleanField("metrics", e.hasMetrics());
        if (e.reason() != null) {
            g.writeStringField("reason", e.reason());
        }
        g.writeFieldName("units");
        units(e.units());
        g.writeEndObject();
    }

    /**
     * {@code {inputs: [{name, width}], outputs: [{name, width}], boundary_edges: [{from, from_kind, from_index, to,
     * to_kind, to_index, ops, via_residual, units}]}}: the graph around the layers (its inputs, its outputs and the
     * edges that touch them); names are those of the inputs, layers and outputs, kinds {@code input}, {@code layer},
     * {@code output}.
     */
    private void graph(AnalysisReport report) throws IOException {
        g.writeStartObject();
        ports("inputs", report.inputs());
        ports("outputs", report.outputs());
        g.writeArrayFieldStart("boundary_edges");
        for (GraphEdge e : report.boundaryEdges()) {
            g.writeStartObject();
            node("from", e.from(), report);
            node("to", e.to(), report);
            figures.strings("ops", e.ops());
            g.writeBooleanField("via_residual", e.viaResidual());
            g.writeFieldName("units");
            units(e.units());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private void ports(String key, List<GraphPort> ports) throws IOException {
        g.writeArrayFieldStart(key);
        for (GraphPort p : ports) {
            g.writeStartObject();
            g.writeStringField("name", p.name());
            figures.integer("width", p.width());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private void node(String key, GraphNode n, AnalysisReport report) throws IOException {
        String kind = n instanceof GraphNode.Input ? "input" : n instanceof GraphNode.Layer ? "layer" : "output";
        String name = n instanceof GraphNode.Input ? report.inputs().get(n.index()).name()
                : n instanceof GraphNode.Layer ? report.layers().get(n.index()).name()
                : report.outputs().get(n.index()).name();
        g.writeStringField(key, name);
        g.writeStringField(key + "_kind", kind);
        g.writeNumberField(key + "_index", n.index());
    }

    /**
     * {@code {kind: identity}}, {@code {kind: window, producer_start, consumer_start, length}},
     * {@code {kind: tiled, copies}}, {@code {kind: blocked, block}} or {@code {kind: not_unit_wise, reason}}.
     */
    private void units(UnitMapping m) throws IOException {
        g.writeStartObject();
        if (m instanceof UnitMapping.Window w) {
            g.writeStringField("kind", "window");
            g.writeNumberField("producer_start", w.producerStart());
            g.writeNumberField("consumer_start", w.consumerStart());
            g.writeNumberField("length", w.length());
        } else if (m instanceof UnitMapping.Tiled t) {
            g.writeStringField("kind", "tiled");
            g.writeNumberField("copies", t.copies());
        } else if (m instanceof UnitMapping.Blocked b) {
            g.writeStringField("kind", "blocked");
            g.writeNumberField("block", b.block());
        } else if (m instanceof UnitMapping.NotUnitWise n) {
            g.writeStringField("kind", "not_unit_wise");
            g.writeStringField("reason", n.reason());
        } else {
            g.writeStringField("kind", "identity");
        }
        g.writeEndObject();
    }

    private void pair(PairMetrics p, List<String> ops) throws IOException {
        g.writeStartObject();
        link(p.producerName(), p.consumerName(), p.producer(), p.consumer(), ops, p.viaResidual());
        figures.of(p);
        g.writeEndObject();
    }

    private void data(DataAnalysis data) throws IOException {
        g.writeStartObject();
        figures.metric(EXAMPLES, (double) data.examples());
        MarginComparison m = data.margin();
        figures.metric(SVM_COSINE, m == null ? null : m.cosine());
        figures.metric(NORMALISED_MARGIN, m == null ? null : m.normalisedMargin());
        figures.metric(SVM_MARGIN, m == null ? null : m.svmMargin());
        figures.metric(MARGIN_RATIO, m == null ? null : m.marginRatio());
        g.writeStringField("svm_status", m == null ? null : m.svm().status().name().toLowerCase(Locale.ROOT));
        g.writeStringField("margin_note", data.marginNote());
        g.writeEndObject();
    }

    private void activations(DataAnalysis data) throws IOException {
        g.writeStartArray();
        for (LayerActivation a : data.activations()) {
            g.writeStartObject();
            g.writeStringField("layer", a.name());
            g.writeNumberField(STABLY_ACTIVE.getKey(), a.stablyActive().size());
            g.writeNumberField(STABLY_DEAD.getKey(), a.stablyDead().size());
            g.writeNumberField(UNSTABLE.getKey(), a.unstableCount());
            g.writeNumberField(TIED_UNITS.getKey(), a.tiedUnitCount());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * {@code {layers: [{layer, rows, columns, reason, metrics}], pairs: [{from, to, via_residual, reason, metrics}]}};
     * empty lists without ReLU. {@code columns} is null (and {@code reason} says why) where the layer's input columns
     * that are linear on the data are not defined.
     */
    private void stableSubmatrix(@Nullable StableSubmatrixMetrics stable, AnalysisReport report) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("layers");
        if (stable != null) {
            for (StableSubmatrixMetrics.StableLayer l : stable.layers()) {
                g.writeStartObject();
                g.writeStringField("layer", report.layers().get(l.layer()).name());
                g.writeNumberField("rows", l.rows().size());
                List<Integer> columns = l.columns();
                if (columns == null) {
                    g.writeNullField("columns");
                } else {
                    g.writeNumberField("columns", columns.size());
                }
                g.writeStringField("reason", l.reason());
                figures.objectOf("metrics", l.metrics());
                g.writeEndObject();
            }
        }
        g.writeEndArray();
        g.writeArrayFieldStart("pairs");
        if (stable != null) {
            for (StableSubmatrixMetrics.StablePair p : stable.pairs()) {
                g.writeStartObject();
                g.writeStringField("from", report.layers().get(p.from()).name());
                g.writeStringField("to", report.layers().get(p.to()).name());
                g.writeBooleanField("via_residual", p.viaResidual());
                g.writeStringField("reason", p.reason());
                figures.objectOf("metrics", p.metrics());
                g.writeEndObject();
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private void execution(Execution execution) throws IOException {
        g.writeStartObject();
        g.writeStringField("provider", execution.provider());
        figures.integer("device_id", execution.deviceId());
        g.writeStringField("onnxruntime_version", execution.onnxruntimeVersion());
        g.writeNumberField("examples", execution.examples());
        g.writeNumberField("seconds", execution.seconds());
        g.writeEndObject();
    }

    /** JSON text (OLCUT's provenance) as a tree, written into the document in the document's layout. */
    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("OLCUT wrote invalid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
