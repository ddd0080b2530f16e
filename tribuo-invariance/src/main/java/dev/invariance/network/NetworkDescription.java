package dev.invariance.network;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A network as the analyzer sees it: a data-flow graph of dense layers. Each {@link DenseLayer} is a node (all
 * matrices in the {@code W} (d_out × d_in) convention) and each {@link DataFlowEdge} says that a layer's output
 * reaches another layer's input through non-dense operations. Immutable.
 * <p>
 * The trainer's networks are the simplest case, a chain: layer i reads the output of layer i − 1 (the network input
 * for i = 0) plus residual additions ({@link SkipConnection}); build them with {@link #chain} or
 * {@link #feedForward}, which also check d_in(i + 1) = d_out(i) and keep the skips so the network can be run
 * ({@link #isFeedForward()}). Imported graphs (parallel branches, slices, convolutions, layers inside control flow)
 * are built with {@link #graph} and carry no skips: their edges are the whole story.
 *
 * @param source a human-readable origin (a file, a model class)
 * @param layers the dense layers, in data-flow (graph) order
 * @param edges  the data-flow edges between them, ordered by consumer then producer
 * @param skips  residual additions of a feed-forward chain (empty for imported graphs)
 */
public record NetworkDescription(String source, List<DenseLayer> layers, List<DataFlowEdge> edges,
                                 List<SkipConnection> skips) implements Serializable {

    /** Copies the lists and checks that every edge and skip names existing layers of matching widths. */
    public NetworkDescription {
        Objects.requireNonNull(source, "source");
        layers = List.copyOf(layers);
        skips = List.copyOf(skips);
        // a description Java-serialised before edges existed (version 0.1.0) was a chain: derive them from the skips
        edges = edges == null ? chainEdges(layers, skips) : List.copyOf(edges);
        for (DataFlowEdge e : edges) {
            if (e.producer() >= layers.size() || e.consumer() >= layers.size()) {
                throw new IllegalArgumentException("edge " + e.producer() + " -> " + e.consumer()
                        + " names a layer beyond the " + layers.size() + " layers");
            }
        }
        for (SkipConnection s : skips) {
            if (s.targetLayer() >= layers.size()) {
                throw new IllegalArgumentException("skip connection to missing layer " + s.targetLayer());
            }
            int in = layers.get(s.sourceLayer()).inputWidth();
            int out = layers.get(s.targetLayer()).outputWidth();
            if (in != out) {
                throw new IllegalArgumentException("skip connection adds a width-" + in + " input of layer "
                        + layers.get(s.sourceLayer()).name() + " to a width-" + out + " output of layer "
                        + layers.get(s.targetLayer()).name());
            }
        }
    }

    /** A chain without residual additions: edges (i, i + 1). */
    public static NetworkDescription chain(String source, List<DenseLayer> layers) {
        return feedForward(source, layers, List.of());
    }

    /**
     * A feed-forward chain with residual additions (the trainer's networks). The edges are derived: layer i − 1
     * feeds layer i directly, and through a skip (s, t) the layer that feeds layer s directly also reaches the layer
     * after t. A path crosses at most {@link #SKIPS_PER_PATH} skip: the rule the ONNX reader applies to residual
     * {@code Add}s, so a model and its ONNX export have the same edges (and a residual stream of depth L gives O(L)
     * edges rather than O(L²)).
     *
     * @throws IllegalArgumentException if d_in(i + 1) ≠ d_out(i) for some i (usually a missed transpose)
     */
    public static NetworkDescription feedForward(String source, List<DenseLayer> layers, List<SkipConnection> skips) {
        for (int i = 1; i < layers.size(); i++) {
            DenseLayer prev = layers.get(i - 1);
            DenseLayer next = layers.get(i);
            if (next.inputWidth() != prev.outputWidth()) {
                throw new IllegalArgumentException("layer " + next.name() + " expects " + next.inputWidth()
                        + " inputs but layer " + prev.name() + " produces " + prev.outputWidth()
                        + " (a missed transpose?)");
            }
        }
        return new NetworkDescription(source, layers, chainEdges(layers, skips), skips);
    }

    /** An imported data-flow graph: layers and edges, no skips. */
    public static NetworkDescription graph(String source, List<DenseLayer> layers, List<DataFlowEdge> edges) {
        return new NetworkDescription(source, layers, edges, List.of());
    }

    /** Number of dense layers L. */
    public int depth() {
        return layers.size();
    }

    /** Layer i (0-based). */
    public DenseLayer layer(int i) {
        return layers.get(i);
    }

    /** Whether every activation is linear and no layer has a bias, the setting of the deep-linear theory. */
    public boolean isLinear() {
        for (DenseLayer l : layers) {
            if (l.activation() != Activation.LINEAR || l.hasBias()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether this is a feed-forward chain that {@code x_{i+1} = σ_i(W_i x_i + b_i) + Σ skips} describes completely
     * (so it can be run in memory): the widths chain and the edges are exactly those the skips imply.
     */
    public boolean isFeedForward() {
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).inputWidth() != layers.get(i - 1).outputWidth()) {
                return false;
            }
        }
        return edges.equals(chainEdges(layers, skips));
    }

    /** The layers without their weights, and the edges. */
    public NetworkOutline outline() {
        List<LayerOutline> out = new ArrayList<>(layers.size());
        for (DenseLayer l : layers) {
            out.add(l.outline());
        }
        return new NetworkOutline(source, out, edges);
    }

    /** This in-memory network as a {@link StreamedNetwork} (loading returns the layers held). */
    public StreamedNetwork asStream() {
        NetworkOutline outline = outline();
        return new StreamedNetwork() {
            @Override
            public NetworkOutline outline() {
                return outline;
            }

            @Override
            public DenseLayer load(int index) {
                return layers.get(index);
            }

            @Override
            public void close() {
            }
        };
    }

    /** How many residual skips one data-flow path may cross (see {@link #feedForward}). */
    public static final int SKIPS_PER_PATH = 1;

    private static List<DataFlowEdge> chainEdges(List<DenseLayer> layers, List<SkipConnection> skips) {
        List<DataFlowEdge> edges = new ArrayList<>();
        for (int to = 1; to < layers.size(); to++) {
            TreeSet<Integer> producers = new TreeSet<>();
            collectProducers(to, skips, SKIPS_PER_PATH, producers);
            for (int from : producers) {
                boolean residual = from != to - 1;
                List<String> ops = new ArrayList<>();
                if (layers.get(from).activation() == Activation.RELU) {
                    ops.add("Relu");
                }
                if (residual) {
                    ops.add("Add");
                }
                edges.add(new DataFlowEdge(from, to, ops, residual));
            }
        }
        return edges;
    }

    private static void collectProducers(int consumer, List<SkipConnection> skips, int skipsLeft,
                                         TreeSet<Integer> out) {
        int direct = consumer - 1;
        if (direct < 0) {
            return;
        }
        out.add(direct);
        if (skipsLeft == 0) {
            return;
        }
        for (SkipConnection s : skips) {
            if (s.targetLayer() == direct) {
                // x_source is carried into the output of layer `direct`, so whatever produced x_source
                // also reaches `consumer`, across one more skip.
                collectProducers(s.sourceLayer(), skips, skipsLeft - 1, out);
            }
        }
    }
}
