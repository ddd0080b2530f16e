package dev.invariance.onnx;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.evaluation.DataAnalysis;
import dev.invariance.evaluation.EvaluationJson;
import dev.invariance.evaluation.InvarianceEvaluation;
import org.jspecify.annotations.Nullable;

import static dev.invariance.evaluation.InvarianceMetrics.*;

/**
 * The analysis of an ONNX model with data: the {@link InvarianceEvaluation} (weights, the data-dependent figures of
 * science.md 2.8 and 2.11, and Tribuo's {@code LabelEvaluation} of the model's ONNX Runtime outputs) and
 * how ONNX Runtime executed it.
 *
 * @param evaluation the evaluation; its provenance's data side is an {@link OnnxDataProvenance}
 * @param execution  the execution provider that ran, the ONNX Runtime version, examples and seconds
 */
public record OnnxDataEvaluation(InvarianceEvaluation evaluation, OrtExecution execution) {

    /**
     * The evaluation's JSON ({@link EvaluationJson#write}) with three more top-level keys:
     * <ul>
     *   <li>{@code activations}: per ReLU-activated dense layer {@code {layer, stably_active, stably_dead, unstable,
     *       tied_units}} ({@code layer} is the dense layer's name, counts are units over all examples);</li>
     *   <li>{@code stable_submatrix}: {@code layers} ({@code {layer, rows, columns, metrics}}, the metrics of
     *       {@code W_i[S_i, S_(i-1)]} or null when a set is empty) and {@code pairs} ({@code {from, to, metrics}});</li>
     *   <li>{@code execution}: {@code {provider, device_id, onnxruntime_version, examples, seconds}}.</li>
     * </ul>
     */
    public String toJson(@Nullable String modelPath) {
        return EvaluationJson.format(extend(EvaluationJson.tree(evaluation, modelPath)));
    }

    /**
     * Adds the keys {@code activations}, {@code stable_submatrix} and {@code execution} of {@link #toJson} to
     * {@code root} (the evaluation's tree from {@link EvaluationJson#tree} or {@link OnnxAnalysis#toTree}), and returns it.
     */
    public ObjectNode extend(ObjectNode root) {
        DataAnalysis data = evaluation.getDataAnalysis();
        ArrayNode acts = root.putArray("activations");
        ObjectNode stable = root.putObject("stable_submatrix");
        ArrayNode layers = stable.putArray("layers");
        ArrayNode pairs = stable.putArray("pairs");
        if (data != null) {
            for (LayerActivation a : data.activations()) {
                ObjectNode o = acts.addObject();
                o.put("layer", a.name());
                o.put(STABLY_ACTIVE.getKey(), a.stablyActive().size());
                o.put(STABLY_DEAD.getKey(), a.stablyDead().size());
                o.put(UNSTABLE.getKey(), a.unstableCount());
                o.put(TIED_UNITS.getKey(), a.tiedUnitCount());
            }
            StableSubmatrixMetrics s = data.stable();
            if (s != null) {
                for (StableSubmatrixMetrics.StableLayer l : s.layers()) {
                    ObjectNode o = layers.addObject();
                    o.put("layer", s.activations().get(l.layer()).name());
                    o.put("rows", l.rows().size());
                    o.put("columns", l.columns().size());
                    LayerMetrics m = l.metrics();
                    if (m == null) {
                        o.putNull("metrics");
                    } else {
                        ObjectNode mo = o.putObject("metrics");
                        number(mo, SPECTRAL_NORM.getKey(), m.spectralNorm());
                        number(mo, FROBENIUS_NORM.getKey(), m.frobeniusNorm());
                        number(mo, STABLE_RANK.getKey(), m.stableRank());
                        number(mo, RANK1_RATIO.getKey(), m.rank1Ratio());
                        number(mo, EFFECTIVE_RANK.getKey(), m.effectiveRank());
                        mo.put(NUMERICAL_RANK.getKey(), m.numericalRank());
                    }
                }
                for (StableSubmatrixMetrics.StablePair p : s.pairs()) {
                    ObjectNode o = pairs.addObject();
                    o.put("from", s.activations().get(p.from()).name());
                    o.put("to", s.activations().get(p.to()).name());
                    PairMetrics m = p.metrics();
                    if (m == null) {
                        o.putNull("metrics");
                    } else {
                        ObjectNode mo = o.putObject("metrics");
                        number(mo, TOP_ALIGNMENT.getKey(), m.adjacentAlignment());
                        number(mo, WEIGHTED_ALIGNMENT.getKey(), m.weightedAlignment());
                        number(mo, COMMUTATOR_SCORE.getKey(), m.commutatorScore());
                        number(mo, COMMUTATOR_ALIGNMENT.getKey(), m.commutatorAlignment());
                    }
                }
            }
        }
        ObjectNode e = root.putObject("execution");
        e.put("provider", execution.provider());
        if (execution.deviceId() == null) {
            e.putNull("device_id");
        } else {
            e.put("device_id", execution.deviceId());
        }
        e.put("onnxruntime_version", execution.onnxruntimeVersion());
        e.put("examples", execution.examples());
        e.put("seconds", execution.seconds());
        return root;
    }

    private static void number(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }

    /** The evaluation's table followed by one line on the execution. */
    @Override
    public String toString() {
        return evaluation + String.format(java.util.Locale.ROOT, "Executed by ONNX Runtime %s on %s%s: %d examples in %.3f s%n",
                execution.onnxruntimeVersion(), execution.provider(),
                execution.deviceId() == null ? "" : " (device " + execution.deviceId() + ")", execution.examples(),
                execution.seconds());
    }
}
