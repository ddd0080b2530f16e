package dev.invariance.report;

import dev.invariance.analysis.DriftMetrics;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.TraceEntry;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Every metric over the training steps of a {@link dev.invariance.analysis.MetricsTrace}: the loss, and per layer
 * (the most and least low-rank of the last entry when there are many) or per pair the figures it recorded.
 */
final class TracePlots {
    private static final String STEPS = "training step (parameter updates)";

    private TracePlots() {
    }

    static List<Figure> specs(List<TraceEntry> trace) {
        List<Figure> specs = new ArrayList<>();
        if (trace.isEmpty()) {
            return specs;
        }
        List<Double> steps = trace.stream().map(e -> (double) e.step()).toList();
        specs.add(new Figure("trace-loss", "Training loss", STEPS, "mean training loss", true,
                List.of(new Charts.Series("loss", steps, trace.stream().map(e -> (@Nullable Double) e.loss()).toList())),
                "Under logistic or exponential loss on separable data the loss keeps falling towards 0 while the"
                        + " weights grow, the regime of the implicit bias.", List.of()));
        List<LayerMetrics> last = trace.get(trace.size() - 1).layers();
        List<Integer> layers = LayerSelection.lowRankExtremes(last);
        specs.add(layers(trace, steps, layers, "trace-rank1", "Rank-1 ratio during training", "rank-1 ratio ‖W‖₂/‖W‖_F",
                false, LayerMetrics::rank1Ratio, "Curves rising to 1 are layers becoming rank one (Ji & Telgarsky)."));
        specs.add(layers(trace, steps, layers, "trace-stable-rank", "Stable rank during training",
                "stable rank ‖W‖_F²/‖W‖₂²", true, LayerMetrics::stableRank,
                "Falling curves are layers concentrating on fewer directions."));
        specs.add(layers(trace, steps, layers, "trace-effective-rank", "Effective rank during training",
                "effective rank exp(H(σ/‖σ‖₁))", true, l -> l.effectiveRank(),
                "The number of directions each layer uses, from its whole spectrum."));
        specs.add(layers(trace, steps, layers, "trace-spectral-norm", "Spectral norm during training",
                "σ₁ = ‖W‖₂", true, LayerMetrics::spectralNorm,
                "The norms grow without bound on separable data; their directions are what converges."));
        if (!trace.get(trace.size() - 1).pairs().isEmpty()) {
            specs.add(pairs(trace, steps, "trace-top-alignment", "Top alignment during training",
                    "top alignment |v₁ᵀu₁| (0 to 1)", PairMetrics::adjacentAlignment,
                    "Curves rising to 1 are consecutive layers aligning their top singular vectors."));
            specs.add(pairs(trace, steps, "trace-commutator", "Commutator alignment during training",
                    "commutator alignment 1 − c (0 to 1)", PairMetrics::commutatorAlignment,
                    "1 − c near 1 is a pair aligned in the basis-free sense of Radhakrishnan et al."));
            specs.add(drift(trace, steps));
        }
        return specs;
    }

    private static Figure layers(List<TraceEntry> trace, List<Double> steps, List<Integer> chosen, String id,
                                      String title, String yLabel, boolean log,
                                      Function<LayerMetrics, @Nullable Double> f, String caption) {
        List<Charts.Series> series = new ArrayList<>();
        for (int i : chosen) {
            List<@Nullable Double> y = new ArrayList<>();
            for (TraceEntry e : trace) {
                y.add(i < e.layers().size() ? f.apply(e.layers().get(i)) : null);
            }
            series.add(new Charts.Series(trace.get(trace.size() - 1).layers().get(i).name(), steps, y));
        }
        return new Figure(id, title, STEPS, yLabel, log, series, caption, List.of());
    }

    private static Figure pairs(List<TraceEntry> trace, List<Double> steps, String id, String title,
                                     String yLabel, Function<PairMetrics, @Nullable Double> f, String caption) {
        List<PairMetrics> last = trace.get(trace.size() - 1).pairs();
        List<Charts.Series> series = new ArrayList<>();
        for (int i : LayerSelection.extremes(last, PairMetrics::adjacentAlignment)) {
            List<@Nullable Double> y = new ArrayList<>();
            for (TraceEntry e : trace) {
                y.add(i < e.pairs().size() ? f.apply(e.pairs().get(i)) : null);
            }
            series.add(new Charts.Series(last.get(i).producerName() + " → " + last.get(i).consumerName(), steps, y));
        }
        return new Figure(id, title, STEPS, yLabel, false, series, caption, List.of());
    }

    private static Figure drift(List<TraceEntry> trace, List<Double> steps) {
        List<DriftMetrics> last = trace.get(trace.size() - 1).drift();
        List<Charts.Series> series = new ArrayList<>();
        List<LayerMetrics> names = trace.get(trace.size() - 1).layers();
        for (int i = 0; i < Math.min(last.size(), Charts.MAX_SERIES); i++) {
            List<@Nullable Double> y = new ArrayList<>();
            for (TraceEntry e : trace) {
                y.add(i < e.drift().size() ? e.drift().get(i).drift() : null);
            }
            DriftMetrics d = last.get(i);
            series.add(new Charts.Series(names.get(d.from()).name() + " → " + names.get(d.to()).name(), steps, y));
        }
        return new Figure("trace-drift", "Conservation drift during training", STEPS,
                "‖D(t) − D(0)‖_F / max(1, ‖W_from‖_F²) (dimensionless)", false, series,
                "D = W_toᵀW_to − W_fromW_fromᵀ is conserved by gradient flow in linear networks: a curve near 0 is a"
                        + " step size small enough to follow the flow.", List.of());
    }
}
