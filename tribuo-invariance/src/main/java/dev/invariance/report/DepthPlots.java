package dev.invariance.report;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.evaluation.DataAnalysis;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The plots along the depth of the network: the singular-value spectra of the most and least low-rank layers, and
 * per layer (x = layer index in data-flow order) or per edge the rank-1 ratio, the stable and effective ranks, the
 * spectral norm, the alignments and the activation patterns. With several checkpoints each checkpoint is one series,
 * so a model of any depth stays one curve per checkpoint.
 */
final class DepthPlots {
    private DepthPlots() {
    }

    static List<Figure> specs(Checkpoints c) {
        List<Figure> specs = new ArrayList<>();
        specs.add(spectra(c.last()));
        specs.add(perLayer(c, "rank1", "Rank-1 ratio along depth", "rank-1 ratio ‖W‖₂/‖W‖_F (1 = rank one)", false,
                LayerMetrics::rank1Ratio, "A layer near 1 is close to rank one; 1/√rank is the floor of a matrix whose"
                        + " singular values are all equal."));
        if (c.size() == 1) {
            AnalysisReport r = c.last().evaluation().getReport();
            List<Charts.Series> s = new ArrayList<>();
            s.add(layerSeries("stable rank", r, LayerMetrics::stableRank));
            s.add(layerSeries("effective rank", r, l -> l.effectiveRank()));
            specs.add(new Figure("ranks", "Stable and effective rank along depth", depthAxis(),
                    "rank (number of directions)", true, s, "Both ranks near 1 mean the layer acts along"
                    + " one direction; the effective rank (Roy–Vetterli, entropy of σ/‖σ‖₁) needs the whole spectrum and"
                    + " is missing in top-k mode.", List.of()));
        } else {
            specs.add(perLayer(c, "stable-rank", "Stable rank along depth", "stable rank ‖W‖_F²/‖W‖₂²",
                    true, LayerMetrics::stableRank, "Lower is closer to rank one; follow one layer from checkpoint to"
                            + " checkpoint to see training drive it down."));
            specs.add(perLayer(c, "effective-rank", "Effective rank along depth",
                    "effective rank exp(H(σ/‖σ‖₁))", true, l -> l.effectiveRank(),
                    "The Roy–Vetterli effective rank counts the directions a layer really uses; it needs the whole"
                            + " spectrum and is missing in top-k mode."));
        }
        specs.add(perLayer(c, "spectral-norm", "Spectral norm along depth", "σ₁ = ‖W‖₂", true,
                LayerMetrics::spectralNorm, "How much each layer can stretch its input; under gradient descent the norms"
                        + " of consecutive layers grow together."));
        specs.addAll(alignment(c));
        Figure activations = activations(c);
        if (activations != null) {
            specs.add(activations);
        }
        return specs;
    }

    static String depthAxis() {
        return "layer index in data-flow order (0 = input side)";
    }

    private static String edgeAxis() {
        return "edge index in data-flow order (see the edge table)";
    }

    /** σ_k/σ₁ of the most and least low-rank layers of one model. */
    static Figure spectra(ReportedModel model) {
        AnalysisReport r = model.evaluation().getReport();
        List<Integer> chosen = LayerSelection.lowRankExtremes(r.layers());
        List<Charts.Series> series = new ArrayList<>();
        for (int i : chosen) {
            LayerMetrics l = r.layers().get(i);
            series.add(spectrum(l.name(), l));
        }
        String which = LayerSelection.isSubset(r.layers().size())
                ? "the " + LayerSelection.EACH_END + " layers of highest and the " + LayerSelection.EACH_END
                + " of lowest rank-1 ratio (of " + r.layers().size() + ")" : "every layer";
        return new Figure("spectra", "Singular-value spectra", "index k of the singular value (1 = largest)",
                "σ_k / σ₁ (dimensionless)", true, series, "Spectra of " + which + ", each divided by its"
                + " largest value: a curve that drops by orders of magnitude after k = 1 is a layer near rank one"
                + (r.spectrum().getId().equals("top-k") ? " (top-k mode: only the leading values were computed)." : "."),
                List.of());
    }

    static Charts.Series spectrum(String name, LayerMetrics l) {
        List<Double> x = new ArrayList<>();
        List<@Nullable Double> y = new ArrayList<>();
        double s1 = l.singularValues().isEmpty() ? 0 : l.singularValues().get(0);
        for (int k = 0; k < l.singularValues().size(); k++) {
            x.add((double) (k + 1));
            y.add(s1 > 0 ? l.singularValues().get(k) / s1 : null);
        }
        return new Charts.Series(name, x, y);
    }

    private static Charts.Series layerSeries(String name, AnalysisReport r, Function<LayerMetrics, @Nullable Double> f) {
        List<Double> x = new ArrayList<>();
        List<@Nullable Double> y = new ArrayList<>();
        for (int i = 0; i < r.layers().size(); i++) {
            x.add((double) i);
            y.add(f.apply(r.layers().get(i)));
        }
        return new Charts.Series(name, x, y);
    }

    /** One series per checkpoint (the first, the last and evenly spaced ones when there are many). */
    private static Figure perLayer(Checkpoints c, String id, String title, String yLabel, boolean log,
                                        Function<LayerMetrics, @Nullable Double> f, String caption) {
        List<Charts.Series> series = new ArrayList<>();
        for (int k : c.shownCheckpoints()) {
            ReportedModel m = c.get(k);
            series.add(layerSeries(c.size() == 1 ? title : m.label(), m.evaluation().getReport(), f));
        }
        return new Figure(id, title, depthAxis(), yLabel, log, series, caption + c.seriesNote(), List.of());
    }

    private static List<Figure> alignment(Checkpoints c) {
        List<Figure> specs = new ArrayList<>();
        if (c.last().evaluation().getReport().pairs().isEmpty()) {
            return specs;
        }
        String caption = "|v₁ᵀu₁| between the top left singular vector of the producer and the top right singular"
                + " vector of the consumer of each edge with metrics: near 1 the two layers pass one direction on.";
        if (c.size() == 1) {
            AnalysisReport r = c.last().evaluation().getReport();
            List<Charts.Series> s = new ArrayList<>();
            s.add(pairSeries("top alignment |v₁ᵀu₁|", r, PairMetrics::adjacentAlignment));
            s.add(pairSeries("commutator alignment 1 − c", r, PairMetrics::commutatorAlignment));
            s.add(pairSeries("weighted alignment", r, PairMetrics::weightedAlignment));
            specs.add(new Figure("alignment", "Alignment along every edge", edgeAxis(),
                    "alignment score (dimensionless, 0 to 1)", false, s, caption + " The commutator and weighted"
                    + " alignments need both full matrices (missing in top-k mode).", List.of()));
            return specs;
        }
        List<Charts.Series> top = new ArrayList<>();
        List<Charts.Series> comm = new ArrayList<>();
        for (int k : c.shownCheckpoints()) {
            ReportedModel m = c.get(k);
            top.add(pairSeries(m.label(), m.evaluation().getReport(), PairMetrics::adjacentAlignment));
            comm.add(pairSeries(m.label(), m.evaluation().getReport(), PairMetrics::commutatorAlignment));
        }
        specs.add(new Figure("alignment", "Top alignment along every edge", edgeAxis(),
                "top alignment |v₁ᵀu₁| (0 to 1)", false, top, caption + c.seriesNote(), List.of()));
        specs.add(new Figure("commutator", "Commutator alignment along every edge", edgeAxis(),
                "commutator alignment 1 − c (0 to 1)", false, comm, "1 − ‖AB − BA‖_F/(√2‖A‖_F‖B‖_F) with"
                + " A = W_from W_fromᵀ, B = W_toᵀ W_to: 1 when the pair shares its singular vectors (missing in"
                + " top-k mode)." + c.seriesNote(), List.of()));
        return specs;
    }

    private static Charts.Series pairSeries(String name, AnalysisReport r, Function<PairMetrics, @Nullable Double> f) {
        List<Double> x = new ArrayList<>();
        List<@Nullable Double> y = new ArrayList<>();
        for (int i = 0; i < r.pairs().size(); i++) {
            x.add((double) i);
            y.add(f.apply(r.pairs().get(i)));
        }
        return new Charts.Series(name, x, y);
    }

    /** Stably active, stably dead and unstable units as fractions of each ReLU layer's width (null without data). */
    private static @Nullable Figure activations(Checkpoints c) {
        List<Charts.Series> series = new ArrayList<>();
        for (int k : c.shownCheckpoints()) {
            ReportedModel m = c.get(k);
            DataAnalysis d = m.evaluation().getDataAnalysis();
            if (d == null || d.activations().isEmpty()) {
                continue;
            }
            AnalysisReport r = m.evaluation().getReport();
            List<Double> x = new ArrayList<>();
            List<@Nullable Double> active = new ArrayList<>();
            List<@Nullable Double> dead = new ArrayList<>();
            List<@Nullable Double> unstable = new ArrayList<>();
            for (LayerActivation a : d.activations()) {
                double width = r.layers().get(a.layer()).shape().get(0);
                x.add((double) a.layer());
                active.add(a.stablyActive().size() / width);
                dead.add(a.stablyDead().size() / width);
                unstable.add(a.unstableCount() / width);
            }
            String prefix = c.size() == 1 ? "" : m.label() + ": ";
            series.add(new Charts.Series(prefix + "stably active", x, active));
            if (c.size() == 1) {
                series.add(new Charts.Series("stably dead", x, dead));
                series.add(new Charts.Series("unstable", x, unstable));
            }
        }
        if (series.isEmpty()) {
            return null;
        }
        String what = c.size() == 1 ? "Stably active, stably dead and unstable units" : "Stably active units";
        return new Figure("activations", "Activation patterns over the data", depthAxis(),
                "fraction of the layer's units (0 to 1)", false, series, String.format(Locale.ROOT, "%s of each layer"
                + " over the %s: a stably active unit is positive on every example, so the layer is linear there"
                + " (Le & Jegelka).", what, "data given"), List.of());
    }
}
