package dev.invariance.analysis;

import java.util.List;

/**
 * The metrics recorded at one training checkpoint by {@link MetricsTrace}.
 *
 * @param step   parameter updates applied so far
 * @param loss   mean training loss
 * @param layers per-layer metrics
 * @param pairs  per-pair metrics
 * @param drift  conservation drift relative to the first recorded checkpoint
 */
public record TraceEntry(long step, double loss, List<LayerMetrics> layers, List<PairMetrics> pairs,
                         List<DriftMetrics> drift) {
    /** Copies the lists. */
    public TraceEntry {
        layers = List.copyOf(layers);
        pairs = List.copyOf(pairs);
        drift = List.copyOf(drift);
    }
}
