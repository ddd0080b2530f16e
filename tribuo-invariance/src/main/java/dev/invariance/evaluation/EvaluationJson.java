package dev.invariance.evaluation;

import dev.invariance.data.InvalidDataException;
import org.jspecify.annotations.Nullable;

import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;

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
 *
 * <p>The JSON is written token by token with Jackson's streaming generator, in the layout of its default pretty
 * printer; {@link #write(InvarianceEvaluation, ModelFile, Writer)} sends it to a writer as it goes, so that memory
 * does not grow with the document (the command line prints 10⁵ layers at {@code -Xmx1g}).
 */
public final class EvaluationJson {
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
        return write(evaluation, modelFile(evaluation, modelPath));
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
        write(evaluation, modelFile(evaluation, modelPath), out);
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

    private static ModelFile modelFile(InvarianceEvaluation evaluation, @Nullable String modelPath) {
        return ModelFile.of(modelPath, evaluation.getProvenance().getModelProvenance());
    }

    /**
     * Reads JSON written by {@link #write}: the report, the metric map, the provenance and the execution.
     *
     * @throws InvalidDataException naming what is missing or malformed
     */
    public static InvarianceEvaluation read(String text) {
        return EvaluationJsonReader.read(text);
    }
}
