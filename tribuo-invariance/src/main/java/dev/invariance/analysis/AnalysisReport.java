package dev.invariance.analysis;

import dev.invariance.network.GraphEdge;
import dev.invariance.network.GraphPort;
import org.jspecify.annotations.Nullable;

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
 * @param edges         every edge between two layers, with metrics or a reason
 * @param spectrum      which spectrum mode produced the figures
 * @param inputs        the network's graph inputs (empty when its description does not name them)
 * @param outputs       the network's graph outputs
 * @param boundaryEdges the edges from an input or to an output (the rest of the graph around the layers)
 * @param layerPattern  the regular expression that selected the layers analysed ({@link LayerSelection}), or null
 *                      when every layer was analysed
 */
public record AnalysisReport(String source, String backend, List<LayerMetrics> layers, List<PairMetrics> pairs,
                             List<EdgeReport> edges, SpectrumMode spectrum, List<GraphPort> inputs,
                             List<GraphPort> outputs, List<GraphEdge> boundaryEdges, @Nullable String layerPattern) {
    /** Copies the lists. */
    public AnalysisReport {
        layers = List.copyOf(layers);
        pairs = List.copyOf(pairs);
        edges = List.copyOf(edges);
        Objects.requireNonNull(spectrum, "spectrum");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        boundaryEdges = List.copyOf(boundaryEdges);
    }

    /** A report on every layer of the network (no {@link LayerSelection}). */
    public AnalysisReport(String source, String backend, List<LayerMetrics> layers, List<PairMetrics> pairs,
                          List<EdgeReport> edges, SpectrumMode spectrum, List<GraphPort> inputs,
                          List<GraphPort> outputs, List<GraphEdge> boundaryEdges) {
        this(source, backend, layers, pairs, edges, spectrum, inputs, outputs, boundaryEdges, null);
    }

    /** A report on layers and the edges between them, the graph's inputs and outputs not known. */
    public AnalysisReport(String source, String backend, List<LayerMetrics> layers, List<PairMetrics> pairs,
                          List<EdgeReport> edges, SpectrumMode spectrum) {
        this(source, backend, layers, pairs, edges, spectrum, List.of(), List.of(), List.of());
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
            if (p.producerName().equals(fromName) && p.consumerName().equals(toName)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no pair '" + fromName + " -> " + toName + "' in the report; its pairs are "
                + pairs.stream().map(p -> p.producerName() + " -> " + p.consumerName()).toList());
    }
}
