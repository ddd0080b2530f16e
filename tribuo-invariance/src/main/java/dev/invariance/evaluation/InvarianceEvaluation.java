package dev.invariance.evaluation;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.EdgeReport;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import org.jspecify.annotations.Nullable;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.evaluation.Evaluation;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.DatasetProvenance;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.invariance.evaluation.InvarianceMetrics.*;

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
        this.report = report;
        this.data = data;
        this.labelEvaluation = labelEvaluation;
        this.predictions = List.copyOf(predictions);
        this.provenance = provenance;
        this.metrics = InvarianceMetrics.of(report, data);
    }

    /** Restores an evaluation read from JSON: the report, every figure and the provenance, without the data objects. */
    InvarianceEvaluation(AnalysisReport report, Map<MetricID<Label>, Double> metrics, EvaluationProvenance provenance) {
        this.report = report;
        this.data = null;
        this.labelEvaluation = null;
        this.predictions = List.of();
        this.provenance = provenance;
        this.metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
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

    /** The JSON form (the command-line contract's keys); see {@link EvaluationJson}. */
    public String toJson() {
        return EvaluationJson.write(this, null);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        int width = "Balanced Error Rate".length();
        for (LayerMetrics l : report.layers()) {
            width = Math.max(width, shown(l.name()).length());
        }
        for (PairMetrics p : report.pairs()) {
            width = Math.max(width, (shown(p.producerName()) + " -> " + shown(p.consumerName())).length());
        }
        width += 2;
        String nameColumn = "%-" + width + "s";
        sb.append(String.format(nameColumn + "%12s%12s%12s%12s%12s%12s%12s%12s%n", "Layer", "shape",
                SPECTRAL_NORM.getDisplayName(), FROBENIUS_NORM.getDisplayName(), RANK1_RATIO.getDisplayName(),
                STABLE_RANK.getDisplayName(), EFFECTIVE_RANK.getDisplayName(), NUMERICAL_RANK.getDisplayName(),
                SIGMA2_OVER_SIGMA1.getDisplayName()));
        for (LayerMetrics l : report.layers()) {
            sb.append(String.format(Locale.ROOT, nameColumn + "%12s%12.4g%12.4g%12.4f%12.3f%12.3f%12d%12.4f%n", shown(l.name()),
                    l.shape().get(0) + "x" + l.shape().get(1), l.spectralNorm(), l.frobeniusNorm(), l.rank1Ratio(),
                    l.stableRank(), l.effectiveRank(), l.numericalRank(), l.secondToFirstRatio()));
        }
        if (!report.pairs().isEmpty()) {
            sb.append(String.format("%n" + nameColumn + "%12s%12s%12s%12s%n", "Pair",
                    TOP_ALIGNMENT.getDisplayName(), WEIGHTED_ALIGNMENT.getDisplayName(),
                    COMMUTATOR_ALIGNMENT.getDisplayName(), BALANCEDNESS.getDisplayName()));
            for (PairMetrics p : report.pairs()) {
                sb.append(String.format(Locale.ROOT, nameColumn + "%12.5f%12.5f%12.5f%12.4g%n",
                        shown(p.producerName()) + " -> " + shown(p.consumerName()) + (p.viaResidual() ? " (skip)" : ""),
                        p.adjacentAlignment(), p.weightedAlignment(), p.commutatorAlignment(), p.balancedness()));
            }
        }
        boolean header = false;
        for (EdgeReport e : report.edges()) {
            if (e.reason() != null) {
                if (!header) {
                    sb.append(String.format("%nEdges without pair metrics%n"));
                    header = true;
                }
                sb.append("  ").append(shown(e.producerName())).append(" -> ").append(shown(e.consumerName()))
                        .append(": ").append(shown(e.reason())).append(String.format("%n"));
            }
        }
        DataAnalysis d = data;
        if (d != null) {
            sb.append(String.format("%nData: %d examples%n", d.examples()));
            MarginComparison m = d.margin();
            if (m != null && m.svm().isOptimal()) {
                sb.append(String.format(Locale.ROOT, nameColumn + "%12.5f%n", SVM_COSINE.getDisplayName(), m.cosine()));
                sb.append(String.format(Locale.ROOT, nameColumn + "%12.5f%n", MARGIN_RATIO.getDisplayName(), m.marginRatio()));
            } else if (m != null) {
                sb.append(String.format(Locale.ROOT, nameColumn + "%12.5g%n", NORMALISED_MARGIN.getDisplayName(),
                        m.normalisedMargin()));
            }
            if (!d.marginNote().isEmpty()) {
                sb.append("SVM comparison: ").append(shown(d.marginNote())).append(System.lineSeparator());
            }
            if (!d.activations().isEmpty()) {
                sb.append(String.format("%n" + nameColumn + "%12s%12s%12s%12s%n", "ReLU layer",
                        STABLY_ACTIVE.getDisplayName(), STABLY_DEAD.getDisplayName(), UNSTABLE.getDisplayName(),
                        "stable rk-1"));
                StableSubmatrixMetrics stable = d.stable();
                for (LayerActivation a : d.activations()) {
                    String stableRho = "n/a";
                    if (stable != null) {
                        for (StableSubmatrixMetrics.StableLayer sl : stable.layers()) {
                            LayerMetrics lm = sl.metrics();
                            if (sl.layer() == a.layer() && lm != null) {
                                stableRho = String.format(Locale.ROOT, "%.4f", lm.rank1Ratio());
                            }
                        }
                    }
                    sb.append(String.format(nameColumn + "%12d%12d%12d%12s%n", shown(a.name()), a.stablyActive().size(),
                            a.stablyDead().size(), a.unstableCount(), stableRho));
                }
            }
        }
        LabelEvaluation le = labelEvaluation;
        if (le != null) {
            sb.append(System.lineSeparator()).append(le);
        }
        sb.append(String.format("%n%nModel: %s%nData: %s%nBLAS/LAPACK: %s%n",
                shown(describe(provenance.getModelProvenance())), shown(describe(provenance.getTestDatasetProvenance())),
                report.backend()));
        // what Tribuo's label evaluation prints (the data's label names) is escaped here, keeping the table's lines
        return TerminalText.escapeKeepingLines(unsignedZeros(sb.toString()));
    }

    /** A name or note from a file as the table shows it: control characters escaped ({@link TerminalText}). */
    private static String shown(String text) {
        return TerminalText.escape(text);
    }

    /** A formatted zero is written without a sign ("-0.000" becomes " 0.000", keeping the column width). */
    private static String unsignedZeros(String table) {
        return NEGATIVE_ZERO.matcher(table).replaceAll(" $1");
    }

    private static final java.util.regex.Pattern NEGATIVE_ZERO =
            java.util.regex.Pattern.compile("(?<![0-9.eE])-(0\\.0+)(?![0-9eE])");

    /**
     * "CLASS trained TIME (Tribuo V)" for a Tribuo model; for a model read from a file trained elsewhere (whose
     * provenance records the file's producer, as the ONNX reader's does) the producer, opset and file time instead.
     */
    private static String describe(ModelProvenance model) {
        Map<String, com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance<?>> values = new java.util.HashMap<>();
        for (var e : model.getInstanceProvenance()) {
            if (e.getB() instanceof com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance<?> p) {
                values.put(e.getA(), p);
            }
        }
        if (values.containsKey("producer-name")) {
            String producer = (values.get("producer-name").getValue() + " "
                    + (values.containsKey("producer-version") ? values.get("producer-version").getValue() : "")).strip();
            return String.format("ONNX file written by %s, opset %s, modified %s", producer.isEmpty() ? "an unnamed producer"
                    : producer, values.containsKey("opset") ? values.get("opset").getValue() : "?", model.getTrainingTime());
        }
        return String.format("%s trained %s (Tribuo %s)", model.getClassName(), model.getTrainingTime(),
                model.getTribuoVersion());
    }

    private static String describe(DataProvenance data) {
        if (data instanceof SimpleDataSourceProvenance simple) {
            for (com.oracle.labs.mlrg.olcut.util.Pair<String, com.oracle.labs.mlrg.olcut.provenance.Provenance> p : simple) {
                if (p.getA().equals(SimpleDataSourceProvenance.DESCRIPTION)) {
                    String description = String.valueOf(((com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance<?>) p.getB()).getValue());
                    return description.equals(InvarianceEvaluator.WEIGHTS_ONLY) ? "none (weights only)" : description;
                }
            }
        }
        if (data instanceof DatasetProvenance dataset) {
            DataProvenance source = dataset.getSourceProvenance();
            return simpleName(source.getClassName()) + " (" + dataset.getNumExamples() + " examples)";
        }
        return simpleName(data.getClassName());
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
