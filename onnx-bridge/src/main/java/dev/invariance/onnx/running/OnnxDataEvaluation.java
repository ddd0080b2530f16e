package dev.invariance.onnx.running;

import dev.invariance.onnx.reading.OnnxAnalysis;
import dev.invariance.evaluation.EvaluationJson;
import dev.invariance.evaluation.Execution;
import dev.invariance.evaluation.InvarianceEvaluation;

/**
 * The analysis of an ONNX model with data: the {@link InvarianceEvaluation} (weights, the data-dependent figures of
 * science.md 2.8 and 2.11, and Tribuo's {@code LabelEvaluation} of the model's ONNX Runtime outputs) and
 * how ONNX Runtime executed it. The evaluation carries the same execution ({@link InvarianceEvaluation#getExecution()}),
 * so its table ends with the execution line and its JSON ({@link EvaluationJson#write}, with
 * {@link OnnxAnalysis#modelFile} for the model block) has the {@code execution} key, as for any evaluation that ran a
 * model.
 *
 * @param evaluation the evaluation; its provenance's data side is an {@link OnnxDataProvenance}
 * @param execution  the execution provider that ran, the ONNX Runtime version, examples and seconds
 */
public record OnnxDataEvaluation(InvarianceEvaluation evaluation, Execution execution) {
    /**
     * Attaches {@code execution} to an evaluation that has none yet.
     *
     * @throws IllegalArgumentException if the evaluation already names another execution
     */
    public OnnxDataEvaluation {
        Execution own = evaluation.getExecution();
        if (own == null) {
            evaluation = evaluation.withExecution(execution);
        } else if (!own.equals(execution)) {
            throw new IllegalArgumentException("the evaluation was executed by " + own + ", not " + execution);
        }
    }

    /** The evaluation's table, which ends with one line on the execution. */
    @Override
    public String toString() {
        return evaluation.toString();
    }
}
