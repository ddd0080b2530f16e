package dev.invariance.report;

import dev.invariance.evaluation.InvarianceEvaluation;
import dev.invariance.evaluation.ModelFile;
import org.jspecify.annotations.Nullable;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One model in an {@link HtmlReport}: its evaluation (the figures), where it came from (the analysis JSON's
 * {@code "model"} block) and, when the caller read the file, its size, SHA-256 and the operators it holds. Several
 * of them of one architecture are checkpoints, shown side by side in the given order.
 *
 * @param label                  the model's name in legends and headings (for example the file name, or
 *                               {@code step 1000})
 * @param evaluation             the analysis of the model, with or without data
 * @param file                   where the model came from (path, format, producer, opset, notes)
 * @param sizeBytes              the file's size in bytes, or null when not known (a model in memory)
 * @param sha256                 the file's SHA-256 in hexadecimal, or null when not known
 * @param operators              for an ONNX file, how many nodes of each operator type it holds (control-flow bodies
 *                               included), in the order first met; empty otherwise
 * @param operatorsNotUnderstood the operator types the reader has no rule for (it assumes they mix units), empty when
 *                               none or not an ONNX file
 */
public record ReportedModel(String label, InvarianceEvaluation evaluation, ModelFile file, @Nullable Long sizeBytes,
                            @Nullable String sha256, Map<String, Long> operators, List<String> operatorsNotUnderstood) {
    /** Copies the collections. */
    public ReportedModel {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(file, "file");
        operators = Collections.unmodifiableMap(new LinkedHashMap<>(operators));
        operatorsNotUnderstood = List.copyOf(operatorsNotUnderstood);
    }

    /**
     * A model known by its evaluation and its {@code "model"} block only.
     *
     * @param label      the model's name in legends and headings
     * @param evaluation the analysis
     * @param file       where the model came from
     */
    public static ReportedModel of(String label, InvarianceEvaluation evaluation, ModelFile file) {
        return new ReportedModel(label, evaluation, file, null, null, Map.of(), List.of());
    }

    /** A Tribuo model in memory: its {@code "model"} block made from its provenance ({@link ModelFile#of}). */
    public static ReportedModel of(String label, InvarianceEvaluation evaluation) {
        return of(label, evaluation, ModelFile.of(null, evaluation.getProvenance().getModelProvenance()));
    }

    /** The same model with the size and SHA-256 of its file. */
    public ReportedModel withFileDigest(long size, String sha256Hex) {
        return new ReportedModel(label, evaluation, file, size, sha256Hex, operators, operatorsNotUnderstood);
    }

    /** The same model with the operator census of its ONNX file. */
    public ReportedModel withOperators(Map<String, Long> counts, List<String> notUnderstood) {
        return new ReportedModel(label, evaluation, file, sizeBytes, sha256, counts, notUnderstood);
    }
}
