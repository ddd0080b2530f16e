package dev.invariance.evaluation;

import dev.invariance.analysis.AnalysisReport;
import org.jspecify.annotations.Nullable;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.evaluation.Evaluation;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.provenance.EvaluationProvenance;

import java.util.List;
import java.util.Map;

/**
 * Low-rank and alignment diagnostics of one model, in Tribuo's evaluation format. {@link #asMap()} holds every
 * figure keyed by {@link MetricID} (typed identifiers in {@link InvarianceMetrics}, e.g.
 * {@code get(InvarianceMetrics.RANK1_RATIO.forLayer("layer-0"))}); {@link #getProvenance()} ties
 * them to the model's and the data's provenance; {@link #toString()} prints the tables, and, when data was given,
 * the model's ordinary {@link LabelEvaluation} beside them. All matrices follow the W (d_out × d_in) convention.
 */
public final class InvarianceEvaluation implements Evaluation<Label> {
    private final AnalysisReport report;
    private final @Nullable DataAnalysis data;
    private final @Nullable LabelEvaluation labelEvaluation;
    private final List<Prediction<Label>> predictions;
    private final EvaluationProvenance provenance;
    private final Map<MetricID<Label>, Double> metrics;
    private final @Nullable Execution execution;

    /**
     * @param report          the weight analysis
     * @param data            the data-dependent analysis, or null when only weights were analysed
     * @param labelEvaluation the model's classification evaluation on the same data, or null
     * @param predictions     the predictions the evaluation used (empty without data)
     * @param provenance      the model's and the data's provenance
     */
    public InvarianceEvaluation(AnalysisReport report, @Nullable DataAnalysis data,
                                @Nullable LabelEvaluation labelEvaluation, List<Prediction<Label>> predictions,
                                EvaluationProvenance provenance) {
        this(report, data, labelEvaluation, predictions, provenance, InvarianceMetrics.of(report, data), null);
    }

    /**
     * Restores an evaluation read from JSON: the report, every figure, the provenance and the execution, without the
     * data objects.
     */
    InvarianceEvaluation(AnalysisReport report, Map<MetricID<Label>, Double> metrics, EvaluationProvenance provenance,
                         @Nullable Execution execution) {
        this(report, null, null, List.of(), provenance,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics)), execution);
    }

    private InvarianceEvaluation(AnalysisReport report, @Nullable DataAnalysis data,
                                 @Nullable LabelEvaluation labelEvaluation, List<Prediction<Label>> predictions,
                                 EvaluationProvenance provenance, Map<MetricID<Label>, Double> metrics,
                                 @Nullable Execution execution) {
        this.report = report;
        this.data = data;
        this.labelEvaluation = labelEvaluation;
        this.predictions = List.copyOf(predictions);
        this.provenance = provenance;
        this.metrics = metrics;
        this.execution = execution;
    }

    /** The same evaluation, saying what ran the model over its data. */
    public InvarianceEvaluation withExecution(Execution execution) {
        return new InvarianceEvaluation(report, data, labelEvaluation, predictions, provenance, metrics, execution);
    }

    @Override
    public Map<MetricID<Label>, Double> asMap() {
        return metrics;
    }

    @Override
    public List<Prediction<Label>> getPredictions() {
        return predictions;
    }

    @Override
    public EvaluationProvenance getProvenance() {
        return provenance;
    }

    /** The per-layer and per-pair weight metrics. */
    public AnalysisReport getReport() {
        return report;
    }

    /** The data-dependent analysis, or null when only the weights were analysed. */
    public @Nullable DataAnalysis getDataAnalysis() {
        return data;
    }

    /** The ordinary classification evaluation on the same data, or null without data. */
    public @Nullable LabelEvaluation getLabelEvaluation() {
        return labelEvaluation;
    }

    /** What ran the model over the data (ONNX Runtime, or the Java forward pass), or null when nothing ran. */
    public @Nullable Execution getExecution() {
        return execution;
    }

    /** The JSON form (the command-line contract's keys, {@code docs/json.md}); see {@link EvaluationJson}. */
    public String toJson() {
        return EvaluationJson.write(this, (String) null);
    }

    /**
     * The tables: per layer and per pair the main figures ({@code –} for a figure not computed, with a one-line
     * legend), the edges without pair metrics, the data-dependent figures, the {@link LabelEvaluation}, the model,
     * the data, the BLAS/LAPACK backend and what ran the model over the data.
     */
    @Override
    public String toString() {
        return EvaluationTable.of(this);
    }
}
