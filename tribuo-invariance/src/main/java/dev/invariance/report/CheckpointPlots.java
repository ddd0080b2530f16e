package dev.invariance.report;

import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Every metric across checkpoints (x = checkpoint, in the order given): the trajectory of the implicit bias. Each plot
 * follows the most and least low-rank layers of the last checkpoint (every layer when there are few) and the median
 * over all layers; the pair plots follow the most and least aligned edges and their median.
 */
final class CheckpointPlots {
    private CheckpointPlots() {
    }

    static List<Figure> specs(Checkpoints c) {
        List<Figure> specs = new ArrayList<>();
        if (c.size() < 2) {
            return specs;
        }
        List<LayerMetrics> lastLayers = c.last().evaluation().getReport().layers();
        List<String> layers = new ArrayList<>();
        for (int i : LayerSelection.lowRankExtremes(lastLayers)) {
            layers.add(lastLayers.get(i).name());
        }
        String which = LayerSelection.isSubset(lastLayers.size()) ? " Series: the layers of highest and lowest rank-1"
                + " ratio at the last checkpoint and the median over all " + lastLayers.size() + " layers." : "";
        specs.add(layerSpec(c, layers, "ckpt-rank1", "Rank-1 ratio across checkpoints", "rank-1 ratio ‖W‖₂/‖W‖_F", false,
                LayerMetrics::rank1Ratio, "A rising curve is a layer moving towards rank one as training goes on." + which));
        specs.add(layerSpec(c, layers, "ckpt-stable-rank", "Stable rank across checkpoints",
                "stable rank ‖W‖_F²/‖W‖₂²", true, LayerMetrics::stableRank,
                "A falling curve is a layer concentrating on fewer directions." + which));
        specs.add(layerSpec(c, layers, "ckpt-effective-rank", "Effective rank across checkpoints",
                "effective rank exp(H(σ/‖σ‖₁))", true, l -> l.effectiveRank(),
                "The number of directions a layer uses, from its whole spectrum (missing in top-k mode)." + which));
        specs.add(layerSpec(c, layers, "ckpt-spectral-norm", "Spectral norm across checkpoints", "σ₁ = ‖W‖₂",
                true, LayerMetrics::spectralNorm, "Growing norms with a constant rank-1 ratio are the layer scaling"
                        + " up along the same directions." + which));
        List<PairMetrics> lastPairs = c.last().evaluation().getReport().pairs();
        if (!lastPairs.isEmpty()) {
            List<String> pairs = new ArrayList<>();
            for (int i : LayerSelection.extremes(lastPairs, PairMetrics::adjacentAlignment)) {
                pairs.add(Checkpoints.pairKey(lastPairs.get(i)));
            }
            String whichPairs = LayerSelection.isSubset(lastPairs.size()) ? " Series: the edges of highest and lowest"
                    + " top alignment at the last checkpoint and the median over all " + lastPairs.size() + " edges." : "";
            specs.add(pairSpec(c, pairs, "ckpt-top-alignment", "Top alignment across checkpoints",
                    "top alignment |v₁ᵀu₁| (0 to 1)", PairMetrics::adjacentAlignment,
                    "A curve rising to 1 is a pair of layers aligning their singular vectors during training." + whichPairs));
            specs.add(pairSpec(c, pairs, "ckpt-commutator", "Commutator alignment across checkpoints",
                    "commutator alignment 1 − c (0 to 1)", PairMetrics::commutatorAlignment,
                    "1 − c rising to 1 is the pair becoming aligned in the basis-free sense of Radhakrishnan et al."
                            + " (missing in top-k mode)." + whichPairs));
        }
        return specs;
    }

    /** The checkpoint labels on the x axis. */
    private static List<String> labels(Checkpoints c) {
        List<String> labels = new ArrayList<>();
        for (ReportedModel m : c.all()) {
            labels.add(m.label());
        }
        return labels;
    }

    /** The x of each checkpoint: its position among the categories. */
    private static List<Double> positions(Checkpoints c) {
        List<Double> x = new ArrayList<>();
        for (int k = 0; k < c.size(); k++) {
            x.add((double) k);
        }
        return x;
    }

    private static Figure layerSpec(Checkpoints c, List<String> layers, String id, String title, String yLabel,
                                         boolean log, Function<LayerMetrics, @Nullable Double> f, String caption) {
        List<Charts.Series> series = new ArrayList<>();
        for (String name : layers) {
            List<@Nullable Double> y = new ArrayList<>();
            for (int k = 0; k < c.size(); k++) {
                y.add(f.apply(c.layer(k, name)));
            }
            series.add(new Charts.Series(name, positions(c), y));
        }
        if (LayerSelection.isSubset(c.last().evaluation().getReport().layers().size())) {
            List<@Nullable Double> median = new ArrayList<>();
            for (int k = 0; k < c.size(); k++) {
                List<Double> all = new ArrayList<>();
                for (LayerMetrics l : c.get(k).evaluation().getReport().layers()) {
                    Double v = f.apply(l);
                    if (v != null) {
                        all.add(v);
                    }
                }
                median.add(LayerSelection.median(all));
            }
            series.add(new Charts.Series("median of all layers", positions(c), median));
        }
        return new Figure(id, title, "checkpoint (in the order given)", yLabel, log, series, caption, labels(c));
    }

    private static Figure pairSpec(Checkpoints c, List<String> pairs, String id, String title, String yLabel,
                                        Function<PairMetrics, @Nullable Double> f, String caption) {
        List<Charts.Series> series = new ArrayList<>();
        for (String key : pairs) {
            List<@Nullable Double> y = new ArrayList<>();
            for (int k = 0; k < c.size(); k++) {
                PairMetrics p = c.pair(k, key);
                y.add(p == null ? null : f.apply(p));
            }
            series.add(new Charts.Series(key.replace("\u0000", " → "), positions(c), y));
        }
        if (LayerSelection.isSubset(c.last().evaluation().getReport().pairs().size())) {
            List<@Nullable Double> median = new ArrayList<>();
            for (int k = 0; k < c.size(); k++) {
                List<Double> all = new ArrayList<>();
                for (PairMetrics p : c.get(k).evaluation().getReport().pairs()) {
                    Double v = f.apply(p);
                    if (v != null) {
                        all.add(v);
                    }
                }
                median.add(LayerSelection.median(all));
            }
            series.add(new Charts.Series("median of all edges", positions(c), median));
        }
        return new Figure(id, title, "checkpoint (in the order given)", yLabel, false, series, caption, labels(c));
    }
}
