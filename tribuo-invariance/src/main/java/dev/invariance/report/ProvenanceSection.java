package dev.invariance.report;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.deepnet.ProvenanceReplay;
import dev.invariance.evaluation.Execution;
import dev.invariance.evaluation.ModelFile;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.ModelProvenance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where each model and its figures came from. For a model trained here: the trainer and every setting, the training
 * data (its path and content hash), library versions, the seed and the command that retrains it, with the provenance
 * JSON itself ({@code train --from-provenance} reads it). For an ONNX file: producer, opset, IR version, size and
 * SHA-256, the operators it holds and those the reader has no rule for. For every model: the data of the report, the
 * spectrum mode, the BLAS/LAPACK backend and what ran the model.
 */
final class ProvenanceSection {
    private ProvenanceSection() {
    }

    static void write(Html html, ReportedModel m) {
        ModelProvenance model = m.evaluation().getProvenance().getModelProvenance();
        ModelFile file = m.file();
        List<List<String>> rows = new ArrayList<>();
        String path = file.path();
        row(rows, "file", path == null ? "(in memory)" : path);
        row(rows, "format", file.format());
        row(rows, "producer", (file.producer() + " " + file.producerVersion()).strip());
        if (file.opset() != null) {
            row(rows, "ONNX opset / IR version", file.opset() + " / " + file.irVersion());
            row(rows, "graph name", String.valueOf(file.graphName()));
        }
        if (m.sizeBytes() != null) {
            row(rows, "file size", String.format(Locale.ROOT, "%,d bytes", m.sizeBytes()));
        }
        if (m.sha256() != null) {
            row(rows, "file SHA-256", m.sha256());
        }
        row(rows, "model class", model.getClassName());
        row(rows, "trained or written at", String.valueOf(model.getTrainingTime()));
        row(rows, "library versions", "Tribuo " + model.getTribuoVersion() + ", Java " + model.getJavaVersion()
                + ", " + model.getOS() + " " + model.getArch());
        if (file.tribuoProvenance()) {
            Map<String, Provenance> settings = model.getTrainerProvenance().getConfiguredParameters();
            row(rows, "trainer", model.getTrainerProvenance().getClassName());
            List<String> s = new ArrayList<>();
            settings.forEach((k, v) -> s.add(k + " = " + ReproduceCommand.value(v)));
            row(rows, "trainer settings", String.join("; ", s));
            row(rows, "seed", String.valueOf(ReproduceCommand.value(settings.get("seed"))));
            ObjectProvenance source = model.getDatasetProvenance().getSourceProvenance();
            row(rows, "training data", source.getClassName() + ": " + primitives(source));
            row(rows, "command that retrains it", ReproduceCommand.of(model));
        }
        if (!m.operators().isEmpty()) {
            List<String> ops = new ArrayList<>();
            m.operators().forEach((k, v) -> ops.add(k + " ×" + v));
            row(rows, "operators found", String.join(", ", ops));
            row(rows, "operators not understood", m.operatorsNotUnderstood().isEmpty() ? "none"
                    : String.join(", ", m.operatorsNotUnderstood()) + " (treated as mixing units: edges through them"
                    + " have no unit mapping)");
        }
        if (!file.notes().isEmpty()) {
            row(rows, "reader's notes", String.join(" | ", file.notes()));
        }
        DataProvenance data = m.evaluation().getProvenance().getTestDatasetProvenance();
        row(rows, "data of this report", data.getClassName() + ": " + primitives(data));
        row(rows, "spectrum mode", m.evaluation().getReport().spectrum().getId());
        row(rows, "BLAS/LAPACK", m.evaluation().getReport().backend());
        Execution execution = m.evaluation().getExecution();
        if (execution != null) {
            row(rows, "execution", execution.describe());
        }
        html.table("Provenance of " + m.label(), List.of("what", "value"), rows);
        if (file.tribuoProvenance()) {
            html.line("<details><summary>The provenance JSON of " + Html.text(m.label()) + " (save it as PROV.json and"
                    + " run <code>bin/invariance train --from-provenance PROV.json --output MODEL.onnx</code>, or"
                    + " <code>bin/invariance reproduce-check PROV.json MODEL</code>)</summary><pre>"
                    + Html.text(ProvenanceReplay.toJson(model)) + "</pre></details>");
        }
    }

    private static void row(List<List<String>> rows, String what, String value) {
        rows.add(List.of(Html.text(what), Html.text(value)));
    }

    /** The primitive entries of a provenance object (paths, hashes, counts), as {@code key = value; …}. */
    private static String primitives(ObjectProvenance p) {
        List<String> parts = new ArrayList<>();
        for (Pair<String, Provenance> e : p) {
            String v = ReproduceCommand.value(e.getB());
            if (v != null && !e.getA().equals("class-name") && !e.getA().equals("host-short-name")) {
                parts.add(e.getA() + " = " + v);
            }
        }
        return String.join("; ", parts);
    }
}
