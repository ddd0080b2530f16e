package dev.invariance.report;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.EdgeReport;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.evaluation.DataAnalysis;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static dev.invariance.report.Html.figure;
import static dev.invariance.report.Html.num;
import static dev.invariance.report.Html.text;

/**
 * The report's tables, in the order of the data flow: Tribuo's classification evaluation, the layers, the edges,
 * the activation patterns and the stably-active submatrices, and with checkpoints the rank-1 ratio of every layer at
 * every checkpoint. A figure that was not computed is {@value Html#NOT_COMPUTED}, explained under the table.
 */
final class Tables {
    private Tables() {
    }

    static void classification(Html html, LabelEvaluation le) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("all classes", num(figure(le.accuracy())), num(figure(le.macroAveragedF1())),
                num(figure(le.balancedErrorRate())), "", ""));
        TreeSet<String> names = new TreeSet<>();
        for (Label l : le.getConfusionMatrix().getDomain().getDomain()) {
            names.add(l.getLabel());
        }
        for (String name : names) {
            Label l = new Label(name);
            rows.add(List.of(text(name), "", num(figure(le.f1(l))), "", num(figure(le.precision(l))),
                    num(figure(le.recall(l)))));
        }
        html.table("Classification (Tribuo's LabelEvaluation on the data)", List.of("class", "accuracy", "F1",
                "balanced error rate", "precision", "recall"), rows);
    }

    static void layers(Html html, AnalysisReport r) {
        List<List<String>> rows = new ArrayList<>();
        boolean dashes = false;
        for (int i = 0; i < r.layers().size(); i++) {
            LayerMetrics l = r.layers().get(i);
            dashes |= l.effectiveRank() == null || l.numericalRank() == null;
            rows.add(List.of(num(String.valueOf(i)), text(l.name()) + (l.subgraph().isEmpty() ? ""
                            : " <small>in " + text(l.subgraph()) + "</small>"), text(l.op()),
                    num(l.shape().get(0) + "×" + l.shape().get(1)), text(l.elementType().name().toLowerCase()),
                    num(figure(l.spectralNorm())), num(figure(l.frobeniusNorm())), num(figure(l.rank1Ratio())),
                    num(figure(l.stableRank())), num(figure(l.effectiveRank())), num(Html.count(l.numericalRank())),
                    num(figure(l.secondToFirstRatio()))));
        }
        html.table("Layers in data-flow order (W is d_out × d_in)", List.of("#", "layer (module)", "op",
                "shape", "stored as", "σ₁", "‖W‖_F", "rank-1 ratio", "stable rank", "effective rank",
                "numerical rank", "σ₂/σ₁"), rows);
        legend(html, dashes);
    }

    static void edges(Html html, AnalysisReport r) {
        List<List<String>> rows = new ArrayList<>();
        boolean dashes = false;
        int index = 0;
        for (EdgeReport e : r.edges()) {
            PairMetrics p = e.metrics();
            String ops = text(String.join(" → ", e.ops())) + (e.viaResidual() ? " <small>(residual)</small>" : "");
            if (p == null) {
                rows.add(List.of("", text(e.producerName()), text(e.consumerName()), ops,
                        "<td colspan=\"4\">" + text(String.valueOf(e.reason())) + "</td>"));
                continue;
            }
            dashes |= !p.hasFullMatrixScores();
            rows.add(List.of(num(String.valueOf(index++)), text(e.producerName()), text(e.consumerName()), ops,
                    num(figure(p.adjacentAlignment())), num(figure(p.weightedAlignment())),
                    num(figure(p.commutatorAlignment())), num(figure(p.balancedness()))));
        }
        html.table("Edges in data-flow order (# is the x of the alignment plots)", List.of("#", "from", "to",
                "operations passed", "top alignment", "weighted alignment", "commutator alignment 1 − c",
                "balancedness"), rows);
        legend(html, dashes);
    }

    static void data(Html html, DataAnalysis d, AnalysisReport r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("examples", num(Html.count(d.examples()))));
        MarginComparison m = d.margin();
        if (m != null) {
            rows.add(List.of("cosine with the SVM direction", num(figure(m.cosine()))));
            rows.add(List.of("normalised margin γ(w)", num(figure(m.normalisedMargin()))));
            rows.add(List.of("SVM margin γ*", num(figure(m.svmMargin()))));
            rows.add(List.of("margin ratio γ(w)/γ*", num(figure(m.marginRatio()))));
        }
        if (!d.marginNote().isEmpty()) {
            rows.add(List.of("note", text(d.marginNote())));
        }
        html.table("The end-to-end predictor against the hard-margin SVM", List.of("figure", "value"), rows);
        if (d.activations().isEmpty()) {
            return;
        }
        List<List<String>> acts = new ArrayList<>();
        for (LayerActivation a : d.activations()) {
            acts.add(List.of(num(String.valueOf(a.layer())), text(a.name()), num(Html.count(a.stablyActive().size())),
                    num(Html.count(a.stablyDead().size())), num(Html.count(a.unstableCount())),
                    num(Html.count(a.tiedUnitCount()))));
        }
        html.table("Activation patterns over the data (ReLU layers)", List.of("#", "layer", "stably active",
                "stably dead", "unstable", "tied units"), acts);
        StableSubmatrixMetrics s = d.stable();
        if (s == null) {
            return;
        }
        List<List<String>> stable = new ArrayList<>();
        for (StableSubmatrixMetrics.StableLayer l : s.layers()) {
            LayerMetrics sm = l.metrics();
            LayerMetrics full = r.layers().get(l.layer());
            List<Integer> c = l.columns();
            String columns = c == null ? Html.NOT_COMPUTED : String.valueOf(c.size());
            stable.add(sm == null
                    ? List.of(text(full.name()), num(String.valueOf(l.rows().size())), num(columns),
                    num(figure(full.rank1Ratio())), "<td colspan=\"2\">" + text(String.valueOf(l.reason())) + "</td>")
                    : List.of(text(full.name()), num(String.valueOf(l.rows().size())), num(columns),
                    num(figure(full.rank1Ratio())), num(figure(sm.rank1Ratio())), num(figure(sm.stableRank()))));
        }
        html.table("Stably-active submatrices W[S, C] (Le & Jegelka)", List.of("layer", "rows |S|", "columns |C|",
                "rank-1 ratio (full)", "rank-1 ratio on W[S, C]", "stable rank on W[S, C]"), stable);
    }

    /** Rows: the layers of the first checkpoint; columns: the rank-1 ratio at each checkpoint. */
    static void acrossCheckpoints(Html html, Checkpoints c) {
        List<String> header = new ArrayList<>(List.of("#", "layer"));
        for (ReportedModel m : c.all()) {
            header.add(m.label());
        }
        List<List<String>> rows = new ArrayList<>();
        List<LayerMetrics> layers = c.first().evaluation().getReport().layers();
        for (int i = 0; i < layers.size(); i++) {
            List<String> row = new ArrayList<>(List.of(num(String.valueOf(i)), text(layers.get(i).name())));
            for (int k = 0; k < c.size(); k++) {
                row.add(num(figure(c.layer(k, layers.get(i).name()).rank1Ratio())));
            }
            rows.add(row);
        }
        html.table("Rank-1 ratio of every layer at every checkpoint (layers matched by name)", header, rows);
    }

    private static void legend(Html html, boolean dashes) {
        if (dashes) {
            html.line("<p class=\"legend\">" + text(Html.LEGEND) + "</p>");
        }
    }
}
