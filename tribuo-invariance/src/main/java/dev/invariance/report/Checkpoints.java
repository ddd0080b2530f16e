package dev.invariance.report;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The models of a report in order (one, or several checkpoints of one architecture), with their layers matched by
 * name: {@link #of} refuses models whose layers do not match the first one's by name and shape.
 */
final class Checkpoints {
    /** Checkpoint series drawn on one along-depth plot; beyond it the first, the last and evenly spaced ones. */
    static final int MAX_SHOWN = 6;

    private final List<ReportedModel> models;
    private final List<Map<String, LayerMetrics>> layersByName = new ArrayList<>();
    private final List<Map<String, PairMetrics>> pairsByName = new ArrayList<>();

    private Checkpoints(List<ReportedModel> models) {
        this.models = List.copyOf(models);
        for (ReportedModel m : models) {
            Map<String, LayerMetrics> layers = new HashMap<>();
            for (LayerMetrics l : m.evaluation().getReport().layers()) {
                layers.put(l.name(), l);
            }
            layersByName.add(layers);
            Map<String, PairMetrics> pairs = new HashMap<>();
            for (PairMetrics p : m.evaluation().getReport().pairs()) {
                pairs.put(pairKey(p), p);
            }
            pairsByName.add(pairs);
        }
    }

    /**
     * The models, checked to share one architecture: the same layer names with the same shapes.
     *
     * @throws IllegalArgumentException naming the first layer that does not match, or when there is no model
     */
    static Checkpoints of(List<ReportedModel> models) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("a report needs at least one model");
        }
        AnalysisReport first = models.get(0).evaluation().getReport();
        for (int k = 1; k < models.size(); k++) {
            ReportedModel m = models.get(k);
            AnalysisReport r = m.evaluation().getReport();
            Map<String, LayerMetrics> byName = new HashMap<>();
            for (LayerMetrics l : r.layers()) {
                byName.put(l.name(), l);
            }
            for (LayerMetrics l : first.layers()) {
                LayerMetrics other = byName.get(l.name());
                if (other == null) {
                    throw new IllegalArgumentException(m.label() + " is not a checkpoint of " + models.get(0).label()
                            + ": it has no layer '" + l.name() + "'");
                }
                if (!other.shape().equals(l.shape())) {
                    throw new IllegalArgumentException(m.label() + " is not a checkpoint of " + models.get(0).label()
                            + ": layer '" + l.name() + "' is " + shape(other) + " there but " + shape(l)
                            + " in the first");
                }
            }
            if (r.layers().size() != first.layers().size()) {
                throw new IllegalArgumentException(m.label() + " is not a checkpoint of " + models.get(0).label()
                        + ": " + r.layers().size() + " layers against " + first.layers().size());
            }
        }
        return new Checkpoints(models);
    }

    private static String shape(LayerMetrics l) {
        return l.shape().get(0) + "×" + l.shape().get(1);
    }

    static String pairKey(PairMetrics p) {
        return p.producerName() + "\u0000" + p.consumerName();
    }

    int size() {
        return models.size();
    }

    ReportedModel get(int k) {
        return models.get(k);
    }

    ReportedModel first() {
        return models.get(0);
    }

    ReportedModel last() {
        return models.get(models.size() - 1);
    }

    List<ReportedModel> all() {
        return models;
    }

    /** The layer named {@code name} in checkpoint {@code k}. */
    LayerMetrics layer(int k, String name) {
        LayerMetrics l = layersByName.get(k).get(name);
        if (l == null) {
            throw new IllegalStateException("checked in of(): " + name);
        }
        return l;
    }

    /** The pair with the key of {@link #pairKey} in checkpoint {@code k}, or null when it has no metrics there. */
    @Nullable PairMetrics pair(int k, String key) {
        return pairsByName.get(k).get(key);
    }

    /** The checkpoints drawn as series: all up to {@value #MAX_SHOWN}, else the first, the last and evenly spaced. */
    List<Integer> shownCheckpoints() {
        List<Integer> out = new ArrayList<>();
        int n = models.size();
        if (n <= MAX_SHOWN) {
            for (int k = 0; k < n; k++) {
                out.add(k);
            }
            return out;
        }
        for (int j = 0; j < MAX_SHOWN; j++) {
            int k = (int) Math.round(j * (n - 1) / (double) (MAX_SHOWN - 1));
            if (out.isEmpty() || out.get(out.size() - 1) != k) {
                out.add(k);
            }
        }
        return out;
    }

    /** A sentence for a caption when some checkpoints are not drawn, else empty. */
    String seriesNote() {
        return models.size() <= MAX_SHOWN ? "" : " Shown: " + shownCheckpoints().size() + " of the " + models.size()
                + " checkpoints, evenly spaced; the plots across checkpoints show all of them.";
    }
}
