package dev.invariance.network;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * The data-flow graph of a network without its weights: layer outlines, the graph's inputs and outputs, and the
 * edges (see {@link NetworkDescription}, which holds the same graph with the weights). A streaming reader produces it
 * first and then yields the weights layer by layer ({@link StreamedNetwork}).
 *
 * @param source        a human-readable origin
 * @param layers        the layers, in the order {@link StreamedNetwork#load(int)} indexes them (graph order)
 * @param edges         the edges between two layers
 * @param inputs        the graph's inputs (empty when not known)
 * @param outputs       the graph's outputs (empty when not known)
 * @param boundaryEdges the edges from an input or to an output
 */
public record NetworkOutline(String source, List<LayerOutline> layers, List<DataFlowEdge> edges,
                             List<GraphPort> inputs, List<GraphPort> outputs, List<GraphEdge> boundaryEdges)
        implements Serializable {
    /** Copies the lists and checks that every edge names existing nodes. */
    public NetworkOutline {
        Objects.requireNonNull(source, "source");
        layers = List.copyOf(layers);
        edges = List.copyOf(edges);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        boundaryEdges = List.copyOf(boundaryEdges);
        GraphStructure.check(layers.size(), inputs, outputs, edges, boundaryEdges);
    }

    /** Layers and the edges between them only, the graph's inputs and outputs not known. */
    public NetworkOutline(String source, List<LayerOutline> layers, List<DataFlowEdge> edges) {
        this(source, layers, edges, List.of(), List.of(), List.of());
    }

    /** For every layer (by index), every edge into it: from inputs first, then from layers. Built once per call. */
    public List<List<GraphEdge>> predecessorLists() {
        return GraphStructure.predecessors(layers.size(), edges, boundaryEdges);
    }

    /** For every layer (by index), every edge out of it: to layers first, then to outputs. Built once per call. */
    public List<List<GraphEdge>> successorLists() {
        return GraphStructure.successors(layers.size(), edges, boundaryEdges);
    }

    /** See {@link NetworkDescription#isChain()}. */
    public boolean isChain() {
        return GraphStructure.isChain(layers.size(), inputs, outputs, edges, boundaryEdges);
    }
}
