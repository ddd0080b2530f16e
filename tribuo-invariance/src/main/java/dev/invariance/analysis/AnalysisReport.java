package dev.invariance.analysis;

import java.util.List;

/**
 * The result of {@link WeightAnalyzer#analyze}: one {@link LayerMetrics} per dense layer in data-flow order and
 * one {@link PairMetrics} per pair of consecutive layers ({@code NetworkDescription.edges()}).
 *
 * @param source  the network's origin, copied from its description
 * @param backend which BLAS/LAPACK implementation computed the figures (e.g. {@code BLAS=JNIBLAS, LAPACK=JNILAPACK})
 * @param layers  per-layer metrics
 * @param pairs   per-pair metrics
 */
public record AnalysisReport(String source, String backend, List<LayerMetrics> layers, List<PairMetrics> pairs) {
    /** Copies the lists. */
    public AnalysisReport {
        layers = List.copyOf(layers);
        pairs = List.copyOf(pairs);
    }
}
