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

    /**
     * The metrics of the layer named {@code name} (Kotlin: {@code report.layer("layer-0").rank1Ratio}).
     *
     * @throws IllegalArgumentException naming the layers the report has, when none is called {@code name}
     */
    public LayerMetrics layer(String name) {
        for (LayerMetrics l : layers) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("no layer '" + name + "' in the report; its layers are "
                + layers.stream().map(LayerMetrics::name).toList());
    }

    /**
     * The metrics of the pair where layer {@code fromName} feeds layer {@code toName}.
     *
     * @throws IllegalArgumentException naming the pairs the report has, when there is no such pair
     */
    public PairMetrics pair(String fromName, String toName) {
        for (PairMetrics p : pairs) {
            if (p.fromName().equals(fromName) && p.toName().equals(toName)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no pair '" + fromName + " -> " + toName + "' in the report; its pairs are "
                + pairs.stream().map(p -> p.fromName() + " -> " + p.toName()).toList());
    }
}
