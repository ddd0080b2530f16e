package dev.invariance.evaluation;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.Label;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.evaluation.metrics.MetricTarget;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names and targets of the analysis metrics in Tribuo's format. A {@link MetricTarget} can only be an output or
 * an average, so each layer, pair and the whole network get a {@link Label} named after them: {@code layer-0},
 * {@code layer-0 -> layer-1}, {@code network}. Metric names are the snake_case keys of the JSON contract.
 */
public final class InvarianceMetrics {
    /** The target of whole-network metrics. */
    public static final String NETWORK = "network";

    private InvarianceMetrics() {
    }

    /** The target of a layer's metrics. */
    public static MetricTarget<Label> layerTarget(String layerName) {
        return new MetricTarget<>(new Label(layerName));
    }

    /** The target of a pair's metrics, {@code "from -> to"}. */
    public static MetricTarget<Label> pairTarget(String from, String to) {
        return new MetricTarget<>(new Label(from + " -> " + to));
    }

    /** The target of whole-network metrics. */
    public static MetricTarget<Label> networkTarget() {
        return new MetricTarget<>(new Label(NETWORK));
    }

    /** The metric {@code name} of layer {@code layerName}. */
    public static MetricID<Label> layer(String layerName, String name) {
        return new MetricID<>(layerTarget(layerName), name);
    }

    /** The metric {@code name} of the pair {@code from -> to}. */
    public static MetricID<Label> pair(String from, String to, String name) {
        return new MetricID<>(pairTarget(from, to), name);
    }

    /** The whole-network metric {@code name}. */
    public static MetricID<Label> network(String name) {
        return new MetricID<>(networkTarget(), name);
    }

    /** Every figure of the analysis as a Tribuo metric map, in report order. */
    static Map<MetricID<Label>, Double> of(AnalysisReport report, @Nullable DataAnalysis data) {
        Map<MetricID<Label>, Double> m = new LinkedHashMap<>();
        for (LayerMetrics l : report.layers()) {
            putLayer(m, l.name(), "", l);
        }
        for (PairMetrics p : report.pairs()) {
            putPair(m, p.producerName(), p.consumerName(), "", p);
        }
        if (data != null) {
            m.put(network("examples"), (double) data.examples());
            MarginComparison margin = data.margin();
            if (margin != null) {
                m.put(network("svm_cosine"), margin.cosine());
                m.put(network("normalised_margin"), margin.normalisedMargin());
                m.put(network("svm_margin"), margin.svmMargin());
                m.put(network("margin_ratio"), margin.marginRatio());
            }
            for (LayerActivation a : data.activations()) {
                m.put(layer(a.name(), "stably_active"), (double) a.stablyActive().size());
                m.put(layer(a.name(), "stably_dead"), (double) a.stablyDead().size());
                m.put(layer(a.name(), "unstable"), (double) a.unstableCount());
            }
            StableSubmatrixMetrics stable = data.stable();
            if (stable != null) {
                for (StableSubmatrixMetrics.StableLayer sl : stable.layers()) {
                    LayerMetrics lm = sl.metrics();
                    if (lm != null) {
                        putLayer(m, report.layers().get(sl.layer()).name(), "stable_", lm);
                    }
                }
                for (StableSubmatrixMetrics.StablePair sp : stable.pairs()) {
                    PairMetrics pm = sp.metrics();
                    if (pm != null) {
                        putPair(m, report.layers().get(sp.from()).name(), report.layers().get(sp.to()).name(), "stable_", pm);
                    }
                }
            }
            data.drift().forEach(d -> {
                String from = report.layers().get(d.from()).name();
                String to = report.layers().get(d.to()).name();
                m.put(pair(from, to, "conservation_drift"), d.drift());
                m.put(pair(from, to, "diagonal_drift"), d.diagonalDrift());
                m.put(pair(from, to, "stable_drift"), d.stableDrift());
            });
        }
        return Collections.unmodifiableMap(m);
    }

    private static void putLayer(Map<MetricID<Label>, Double> m, String name, String prefix, LayerMetrics l) {
        m.put(layer(name, prefix + "spectral_norm"), l.spectralNorm());
        m.put(layer(name, prefix + "frobenius_norm"), l.frobeniusNorm());
        m.put(layer(name, prefix + "rank1_ratio"), l.rank1Ratio());
        m.put(layer(name, prefix + "stable_rank"), l.stableRank());
        m.put(layer(name, prefix + "numerical_rank"), count(l.numericalRank()));
        m.put(layer(name, prefix + "relative_rank_1e-2"), count(l.relativeRank1e2()));
        m.put(layer(name, prefix + "relative_rank_1e-3"), count(l.relativeRank1e3()));
        m.put(layer(name, prefix + "effective_rank"), l.effectiveRank());
        m.put(layer(name, prefix + "nuclear_frobenius_ratio"), l.nuclearFrobeniusRatio());
        m.put(layer(name, prefix + "sigma2_over_sigma1"), l.secondToFirstRatio());
        m.put(layer(name, prefix + "spectral_gap"), l.spectralGap());
    }

    /** A rank count as a figure; −1 (not known from a partial spectrum) becomes NaN. */
    private static double count(int rank) {
        return rank < 0 ? Double.NaN : rank;
    }

    private static void putPair(Map<MetricID<Label>, Double> m, String from, String to, String prefix, PairMetrics p) {
        m.put(pair(from, to, prefix + "top_alignment"), p.adjacentAlignment());
        m.put(pair(from, to, prefix + "weighted_alignment"), p.weightedAlignment());
        m.put(pair(from, to, prefix + "commutator_alignment"), p.commutatorAlignment());
        m.put(pair(from, to, prefix + "balancedness"), p.balancedness());
    }
}
