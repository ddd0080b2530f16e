package dev.invariance.evaluation;

import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.EdgeReport;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.DatasetProvenance;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import static dev.invariance.evaluation.InvarianceMetrics.*;

/**
 * The plain-text form of an {@link InvarianceEvaluation} ({@link InvarianceEvaluation#toString()}): a figure that was
 * not computed is shown as {@value #NOT_COMPUTED} and explained by one legend line under the tables; an undefined
 * one (NaN) as {@code NaN}, with a line saying so. Each table is followed by a line saying what its abbreviated
 * columns hold ({@link TableLegend}); the footer names the model, the data (its file and number of examples, where
 * the data's provenance names a file) and the BLAS/LAPACK used. Layers are labelled by {@link LayerLabel}: the module
 * path before a name an exporter made up.
 */
final class EvaluationTable {
    /** The cell of a figure that was not computed. */
    static final String NOT_COMPUTED = "–";
    /** The line under the layer and pair tables when one of their cells is {@value #NOT_COMPUTED}. */
    static final String LEGEND = NOT_COMPUTED + " not computed: the top-k spectrum mode leaves out the figures that need"
            + " every singular value or both full matrices";

    private static final Pattern NEGATIVE_ZERO = Pattern.compile("(?<![0-9.eE])-(0\\.0+)(?![0-9eE])");

    private EvaluationTable() {
    }

    static String of(InvarianceEvaluation evaluation) {
        AnalysisReport report = evaluation.getReport();
        StringBuilder sb = new StringBuilder();
        int width = "Balanced Error Rate".length();
        for (LayerMetrics l : report.layers()) {
            width = Math.max(width, LayerLabel.of(l).length());
        }
        for (PairMetrics p : report.pairs()) {
            width = Math.max(width, pairLabel(report, p).length());
        }
        width += 2;
        String nameColumn = "%-" + width + "s";
        boolean dashes = false;
        boolean undefined = false;
        sb.append(String.format(nameColumn + "%12s%12s%12s%12s%12s%12s%12s%12s%n", "Layer", "shape",
                SPECTRAL_NORM.getDisplayName(), FROBENIUS_NORM.getDisplayName(), RANK1_RATIO.getDisplayName(),
                STABLE_RANK.getDisplayName(), EFFECTIVE_RANK.getDisplayName(), NUMERICAL_RANK.getDisplayName(),
                SIGMA2_OVER_SIGMA1.getDisplayName()));
        for (LayerMetrics l : report.layers()) {
            dashes |= l.effectiveRank() == null || l.numericalRank() == null;
            String row = String.format(Locale.ROOT, nameColumn + "%12s%12.4g%12.4g%12.4f%12.3f%12s%12s%12.4f%n",
                    LayerLabel.of(l),
                    l.shape().get(0) + "x" + l.shape().get(1), l.spectralNorm(), l.frobeniusNorm(), l.rank1Ratio(),
                    l.stableRank(), cell(l.effectiveRank(), "%.3f"), cell(l.numericalRank(), "%d"),
                    l.secondToFirstRatio());
            undefined |= row.contains("NaN");
            sb.append(row);
        }
        if (!report.layers().isEmpty()) {
            sb.append(TableLegend.layers(report.layers())).append(String.format("%n"));
        }
        if (!report.pairs().isEmpty()) {
            sb.append(String.format("%n" + nameColumn + "%12s%12s%12s%12s%n", "Pair",
                    TOP_ALIGNMENT.getDisplayName(), WEIGHTED_ALIGNMENT.getDisplayName(),
                    COMMUTATOR_ALIGNMENT.getDisplayName(), BALANCEDNESS.getDisplayName()));
            for (PairMetrics p : report.pairs()) {
                dashes |= p.weightedAlignment() == null || p.commutatorAlignment() == null || p.balancedness() == null;
                String row = String.format(Locale.ROOT, nameColumn + "%12.5f%12s%12s%12s%n",
                        pairLabel(report, p) + (p.viaResidual() ? " (skip)" : ""),
                        p.adjacentAlignment(), cell(p.weightedAlignment(), "%.5f"),
                        cell(p.commutatorAlignment(), "%.5f"), cell(p.balancedness(), "%.4g"));
                undefined |= row.contains("NaN");
                sb.append(row);
            }
            sb.append(TableLegend.pairs()).append(String.format("%n"));
        }
        if (dashes) {
            sb.append(LEGEND).append(String.format("%n"));
        }
        if (undefined) {
            sb.append(TableLegend.UNDEFINED).append(String.format("%n"));
        }
        boolean header = false;
        for (EdgeReport e : report.edges()) {
            if (e.reason() != null) {
                if (!header) {
                    sb.append(String.format("%nEdges without pair metrics%n"));
                    header = true;
                }
                sb.append("  ").append(label(report, e.producer(), e.producerName())).append(" -> ")
                        .append(label(report, e.consumer(), e.consumerName())).append(": ")
                        .append(e.reason()).append(String.format("%n"));
            }
        }
        DataAnalysis d = evaluation.getDataAnalysis();
        if (d != null) {
            data(sb, d, nameColumn, report);
        }
        LabelEvaluation le = evaluation.getLabelEvaluation();
        if (le != null) {
            sb.append(System.lineSeparator()).append(le);
        }
        EvaluationProvenance provenance = evaluation.getProvenance();
        sb.append(String.format("%n%nModel: %s%nData: %s%nBLAS/LAPACK: %s%n",
                describe(provenance.getModelProvenance()), describe(provenance.getTestDatasetProvenance()),
                report.backend()));
        if (report.layerPattern() != null) {
            sb.append(String.format("Layers: those whose name or module path matches '%s' (edges between them only)%n",
                    report.layerPattern()));
        }
        Execution execution = evaluation.getExecution();
        if (execution != null) {
            sb.append(execution.describe()).append(String.format("%n"));
        }
        return unsignedZeros(sb.toString());
    }

    private static void data(StringBuilder sb, DataAnalysis d, String nameColumn, AnalysisReport report) {
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
            sb.append("SVM comparison: ").append(d.marginNote()).append(System.lineSeparator());
        }
        if (d.activations().isEmpty()) {
            return;
        }
        sb.append(String.format("%n" + nameColumn + "%12s%12s%12s%12s%n", "ReLU layer",
                STABLY_ACTIVE.getDisplayName(), STABLY_DEAD.getDisplayName(), UNSTABLE.getDisplayName(),
                TableLegend.STABLE_RANK1));
        StableSubmatrixMetrics stable = d.stable();
        for (LayerActivation a : d.activations()) {
            String stableRho = "n/a"; // an empty stable set: no submatrix (not applicable, rather than not computed)
            if (stable != null) {
                for (StableSubmatrixMetrics.StableLayer sl : stable.layers()) {
                    LayerMetrics lm = sl.metrics();
                    if (sl.layer() == a.layer() && lm != null) {
                        stableRho = String.format(Locale.ROOT, "%.4f", lm.rank1Ratio());
                    }
                }
            }
            sb.append(String.format(nameColumn + "%12d%12d%12d%12s%n", label(report, a.layer(), a.name()),
                    a.stablyActive().size(), a.stablyDead().size(), a.unstableCount(), stableRho));
        }
        sb.append(TableLegend.activations()).append(System.lineSeparator());
    }

    /** The label of the layer at {@code index} ({@link LayerLabel}), or {@code name} where that is not the layer. */
    private static String label(AnalysisReport report, int index, String name) {
        List<LayerMetrics> layers = report.layers();
        return index >= 0 && index < layers.size() && layers.get(index).name().equals(name)
                ? LayerLabel.of(layers.get(index)) : name;
    }

    private static String pairLabel(AnalysisReport report, PairMetrics p) {
        return label(report, p.producer(), p.producerName()) + " -> " + label(report, p.consumer(), p.consumerName());
    }

    /** A figure formatted with {@code format}, or {@value #NOT_COMPUTED} when it was not computed. */
    private static String cell(@Nullable Number v, String format) {
        return v == null ? NOT_COMPUTED : String.format(Locale.ROOT, format, v);
    }

    /** A formatted zero is written without a sign ("-0.000" becomes " 0.000", keeping the column width). */
    private static String unsignedZeros(String table) {
        return NEGATIVE_ZERO.matcher(table).replaceAll(" $1");
    }

    /**
     * "CLASS trained TIME (Tribuo V)" for a Tribuo model; for a model read from a file trained elsewhere (whose
     * provenance records the file's producer, as the ONNX reader's does) the producer, opset and file time instead.
     */
    private static String describe(ModelProvenance model) {
        ModelFile file = ModelFile.of(null, model);
        if (file.format().equals(ModelFile.ONNX)) {
            String producer = (file.producer() + " " + file.producerVersion()).strip();
            return String.format("ONNX file written by %s, opset %s, modified %s", producer.isEmpty()
                    ? "an unnamed producer" : producer, file.opset() == null ? "?" : file.opset(), model.getTrainingTime());
        }
        return String.format("%s trained %s (Tribuo %s)", model.getClassName(), model.getTrainingTime(),
                model.getTribuoVersion());
    }

    /**
     * "FILE (N examples)" where the provenance names a file ({@code dataPath} of Tribuo's CSV source; {@code file} and
     * {@code examples} of data run through another runtime), else the source's class and the number of examples.
     */
    private static String describe(DataProvenance data) {
        Object description = data instanceof SimpleDataSourceProvenance
                ? field(data, SimpleDataSourceProvenance.DESCRIPTION) : null;
        if (description != null) {
            return description.equals(InvarianceEvaluator.WEIGHTS_ONLY) ? "none (weights only)" : description.toString();
        }
        if (data instanceof DatasetProvenance dataset) {
            DataProvenance source = dataset.getSourceProvenance();
            Object file = field(source, "dataPath");
            return (file != null ? file : simpleName(source.getClassName())) + " (" + dataset.getNumExamples()
                    + " examples)";
        }
        Object file = field(data, "file");
        Object examples = field(data, "examples");
        if (file != null) {
            return file + (examples != null ? " (" + examples + " examples)" : "");
        }
        return simpleName(data.getClassName());
    }

    /** The value of the primitive field {@code key} of {@code provenance}, or null where it has none. */
    private static @Nullable Object field(Iterable<Pair<String, Provenance>> provenance, String key) {
        for (Pair<String, Provenance> p : provenance) {
            if (p.getA().equals(key) && p.getB() instanceof PrimitiveProvenance<?> value) {
                return value.getValue();
            }
        }
        return null;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
