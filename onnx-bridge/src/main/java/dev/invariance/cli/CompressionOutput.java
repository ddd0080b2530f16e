package dev.invariance.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.invariance.compression.CompressedLayer;
import dev.invariance.evaluation.internal.TerminalText;
import dev.invariance.onnx.reading.OnnxCompression;
import dev.invariance.onnx.running.AccuracyBudgetCompression;
import dev.invariance.onnx.running.LabelledRun;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.evaluation.LabelEvaluation;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code compress} prints: sizes, multiply-adds, the two models' evaluations and agreement, and each layer's rank
 * and error, as a table or as JSON (keys documented in docs/json.md, "compress").
 *
 * @param compression what was written
 * @param tribuoModel the Tribuo model exported to ONNX first, or null for an ONNX source
 * @param original    the original model's run on the data, or null without data
 * @param compressed  the compressed model's run on the data, or null without data
 * @param maxDrop     the accuracy budget in percentage points, or null
 * @param trials      the candidates the budget search evaluated
 */
record CompressionOutput(OnnxCompression compression, @Nullable Path tribuoModel, @Nullable LabelledRun original,
                         @Nullable LabelledRun compressed, @Nullable Double maxDrop,
                         List<AccuracyBudgetCompression.Trial> trials) {

    /** The table: one block of totals, one line per layer, the evaluations, the notes. */
    String table() {
        OnnxCompression c = compression;
        StringBuilder sb = new StringBuilder();
        if (tribuoModel != null) {
            sb.append("Tribuo model ").append(tribuoModel).append(" exported to ONNX, then compressed\n");
        }
        sb.append("compressed ").append(c.source()).append(" -> ").append(c.target()).append(" (")
                .append(c.settings()).append(")\n");
        sb.append(String.format(Locale.ROOT, "%-22s %14s %14s %8s%n", "", "before", "after", "ratio"));
        row(sb, "parameters", c.parametersBefore(), c.parametersAfter());
        row(sb, "file bytes", c.fileBytesBefore(), c.fileBytesAfter());
        row(sb, "multiply-adds/example", c.multiplyAddsBefore(), c.multiplyAddsAfter());
        sb.append(String.format(Locale.ROOT, "%n%-30s %-8s %11s %6s %12s %8s %12s%n", "layer", "op", "d_out x d_in",
                "rank", "sigma_r+1", "energy", "params"));
        for (CompressedLayer l : c.layers()) {
            sb.append(String.format(Locale.ROOT, "%-30s %-8s %11s %6s %12s %8s %12s%n", l.name(), l.operator(),
                    l.outputWidth() + "x" + l.inputWidth(), l.factored() ? Integer.toString(l.rank()) : "kept",
                    l.factored() ? String.format(Locale.ROOT, "%.4g", l.error()) : "-",
                    String.format(Locale.ROOT, "%.4f", l.energyKept()),
                    l.parametersBefore() + (l.factored() ? "->" + l.parametersAfter() : "")));
        }
        if (original != null && compressed != null) {
            sb.append(String.format(Locale.ROOT, "%n%-22s %10s %10s%n", "on the data", "original", "compressed"));
            LabelEvaluation a = original.evaluation();
            LabelEvaluation b = compressed.evaluation();
            sb.append(String.format(Locale.ROOT, "%-22s %10.4f %10.4f%n", "accuracy", a.accuracy(), b.accuracy()));
            sb.append(String.format(Locale.ROOT, "%-22s %10.4f %10.4f%n", "macro-averaged F1",
                    a.macroAveragedF1(), b.macroAveragedF1()));
            sb.append(String.format(Locale.ROOT, "%-22s %10.4f %10.4f%n", "balanced error rate",
                    a.balancedErrorRate(), b.balancedErrorRate()));
            sb.append(String.format(Locale.ROOT, "agreement (identical predictions): %.4f of %d examples%n",
                    original.agreement(compressed), original.predicted().size()));
        }
        if (maxDrop != null) {
            sb.append(String.format(Locale.ROOT, "budget: at most %s percentage points below the original; %d "
                    + "candidates run by ONNX Runtime%n", maxDrop, trials.size()));
        }
        for (String note : c.notes()) {
            sb.append("note: ").append(note).append('\n');
        }
        return TerminalText.escapeKeepingLines(sb.toString());
    }

    private static void row(StringBuilder sb, String what, long before, long after) {
        sb.append(String.format(Locale.ROOT, "%-22s %14d %14d %8.3f%n", what, before, after,
                before == 0 ? 1.0 : (double) after / before));
    }

    /** The JSON document, one line, newline-terminated. */
    String json() {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            OnnxCompression c = compression;
            g.writeStartObject();
            g.writeStringField("source", c.source().toString());
            g.writeStringField("output", c.target().toString());
            if (tribuoModel != null) {
                g.writeStringField("tribuo_model", tribuoModel.toString());
            } else {
                g.writeNullField("tribuo_model");
            }
            g.writeStringField("source_sha256", c.sourceSha256());
            g.writeStringField("settings", c.settings());
            g.writeNumberField("parameters_before", c.parametersBefore());
            g.writeNumberField("parameters_after", c.parametersAfter());
            g.writeNumberField("file_bytes_before", c.fileBytesBefore());
            g.writeNumberField("file_bytes_after", c.fileBytesAfter());
            g.writeNumberField("multiply_adds_before", c.multiplyAddsBefore());
            g.writeNumberField("multiply_adds_after", c.multiplyAddsAfter());
            g.writeArrayFieldStart("layers");
            for (CompressedLayer l : c.layers()) {
                g.writeStartObject();
                g.writeStringField("name", l.name());
                g.writeStringField("operator", l.operator());
                g.writeNumberField("output_width", l.outputWidth());
                g.writeNumberField("input_width", l.inputWidth());
                g.writeBooleanField("factored", l.factored());
                g.writeNumberField("rank", l.rank());
                g.writeNumberField("error", l.error());
                g.writeNumberField("energy_kept", l.energyKept());
                g.writeNumberField("parameters_before", l.parametersBefore());
                g.writeNumberField("parameters_after", l.parametersAfter());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (original != null && compressed != null) {
                g.writeObjectFieldStart("evaluation");
                g.writeNumberField("examples", original.predicted().size());
                evaluation(g, "original", original.evaluation());
                evaluation(g, "compressed", compressed.evaluation());
                g.writeNumberField("agreement", original.agreement(compressed));
                g.writeEndObject();
            } else {
                g.writeNullField("evaluation");
            }
            if (maxDrop != null) {
                g.writeObjectFieldStart("max_drop");
                g.writeNumberField("budget_points", maxDrop);
                g.writeArrayFieldStart("trials");
                for (AccuracyBudgetCompression.Trial t : trials) {
                    g.writeStartObject();
                    g.writeObjectFieldStart("ranks");
                    for (Map.Entry<String, Integer> e : t.ranks().entrySet()) {
                        g.writeNumberField(e.getKey(), e.getValue());
                    }
                    g.writeEndObject();
                    g.writeNumberField("accuracy", t.accuracy());
                    g.writeBooleanField("accepted", t.accepted());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            } else {
                g.writeNullField("max_drop");
            }
            g.writeArrayFieldStart("notes");
            for (String n : c.notes()) {
                g.writeString(n);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w + "\n";
    }

    private static void evaluation(JsonGenerator g, String name, LabelEvaluation e) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("accuracy", e.accuracy());
        g.writeNumberField("macro_averaged_f1", e.macroAveragedF1());
        g.writeNumberField("balanced_error_rate", e.balancedErrorRate());
        g.writeEndObject();
    }
}
