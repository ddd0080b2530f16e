package dev.invariance.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The result of {@link WeightAnalyzer#analyze}: one {@link LayerMetrics} per dense layer in data-flow order, one
 * {@link EdgeReport} per data-flow edge (with its metrics or the reason it has none) and, for convenience, the
 * {@link PairMetrics} of the edges that have them, in edge order.
 *
 * @param source   the network's origin, copied from its description
 * @param backend  which BLAS/LAPACK implementation computed the figures (e.g. {@code BLAS=JNIBLAS, LAPACK=JNILAPACK})
 * @param layers   per-layer metrics
 * @param pairs    per-pair metrics of the edges that have them
 * @param edges    every edge, with metrics or a reason
 * @param spectrum which spectrum mode produced the figures
 */
public record AnalysisReport(String source, String backend, List<LayerMetrics> layers, List<PairMetrics> pairs,
                             List<EdgeReport> edges, SpectrumMode spectrum) {
    /** Copies the lists. */
    public AnalysisReport {
        layers = List.copyOf(layers);
        pairs = List.copyOf(pairs);
        edges = List.copyOf(edges);
        Objects.requireNonNull(spectrum, "spectrum");
    }

    /**
     * A full-spectrum report whose edges are exactly its pairs (no operations recorded): what a chain without
     * unexplained edges looks like.
     */
    public AnalysisReport(String source, String backend, List<LayerMetrics> layers, List<PairMetrics> pairs) {
        this(source, backend, layers, pairs, edgesOf(pairs), SpectrumMode.FULL);
    }

    private static List<EdgeReport> edgesOf(List<PairMetrics> pairs) {
        List<EdgeReport> out = new ArrayList<>(pairs.size());
        for (PairMetrics p : pairs) {
            out.add(new EdgeReport(p.producer(), p.consumer(), p.producerName(), p.consumerName(), List.of(),
                    p.viaResidual(), p, null));
        }
        return out;
    }
}
