package dev.invariance.network;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * The data-flow graph of a network without its weights: layer outlines plus edges. A streaming reader produces it
 * first and then yields the weights layer by layer ({@link StreamedNetwork}).
 *
 * @param source a human-readable origin
 * @param layers the layers, in the order {@link StreamedNetwork#load(int)} indexes them (graph order)
 * @param edges  the data-flow edges between them
 */
public record NetworkOutline(String source, List<LayerOutline> layers, List<DataFlowEdge> edges) implements Serializable {
    /** Copies the lists and checks that every edge names existing layers. */
    public NetworkOutline {
        Objects.requireNonNull(source, "source");
        layers = List.copyOf(layers);
        edges = List.copyOf(edges);
        for (DataFlowEdge e : edges) {
            if (e.producer() >= layers.size() || e.consumer() >= layers.size()) {
                throw new IllegalArgumentException("edge " + e.producer() + " -> " + e.consumer() + " names a layer beyond "
                        + layers.size());
            }
        }
    }
}
