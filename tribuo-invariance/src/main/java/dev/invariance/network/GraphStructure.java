package dev.invariance.network;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The checks and adjacency shared by {@link NetworkDescription} and {@link NetworkOutline}: both hold the same graph,
 * with and without weights.
 */
final class GraphStructure {
    private GraphStructure() {
    }

    /** Refuses edges that name missing nodes or join two layers in the boundary list. */
    static void check(int layers, List<GraphPort> inputs, List<GraphPort> outputs, List<DataFlowEdge> edges,
                      List<GraphEdge> boundaryEdges) {
        for (DataFlowEdge e : edges) {
            if (e.producer() >= layers || e.consumer() >= layers) {
                throw new IllegalArgumentException("edge " + e.producer() + " -> " + e.consumer()
                        + " names a layer beyond the " + layers + " layers");
            }
        }
        for (GraphEdge e : boundaryEdges) {
            if (e.joinsLayers()) {
                throw new IllegalArgumentException("edge " + e.from().describe() + " -> " + e.to().describe()
                        + " joins two layers: it belongs to the layer edges");
            }
            checkNode(e.from(), layers, inputs.size(), outputs.size());
            checkNode(e.to(), layers, inputs.size(), outputs.size());
        }
    }

    private static void checkNode(GraphNode n, int layers, int inputs, int outputs) {
        int limit = n instanceof GraphNode.Input ? inputs : n instanceof GraphNode.Layer ? layers : outputs;
        if (n.index() >= limit) {
            throw new IllegalArgumentException("an edge names " + n.describe() + " but the graph has " + limit + " of that kind");
        }
    }

    /** Every edge into each layer (index = layer), boundary edges first, each list in edge order. */
    static List<List<GraphEdge>> predecessors(int layers, List<DataFlowEdge> edges, List<GraphEdge> boundaryEdges) {
        List<List<GraphEdge>> into = emptyLists(layers);
        for (GraphEdge e : boundaryEdges) {
            if (e.to() instanceof GraphNode.Layer l) {
                into.get(l.index()).add(e);
            }
        }
        for (DataFlowEdge e : edges) {
            into.get(e.consumer()).add(e.toGraphEdge());
        }
        return freeze(into);
    }

    /** Every edge out of each layer (index = layer), layer edges first, each list in edge order. */
    static List<List<GraphEdge>> successors(int layers, List<DataFlowEdge> edges, List<GraphEdge> boundaryEdges) {
        List<List<GraphEdge>> out = emptyLists(layers);
        for (DataFlowEdge e : edges) {
            out.get(e.producer()).add(e.toGraphEdge());
        }
        for (GraphEdge e : boundaryEdges) {
            if (e.from() instanceof GraphNode.Layer l) {
                out.get(l.index()).add(e);
            }
        }
        return freeze(out);
    }

    private static List<List<GraphEdge>> emptyLists(int n) {
        List<List<GraphEdge>> lists = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lists.add(new ArrayList<>(2));
        }
        return lists;
    }

    private static List<List<GraphEdge>> freeze(List<List<GraphEdge>> lists) {
        lists.replaceAll(Collections::unmodifiableList);
        return Collections.unmodifiableList(lists);
    }

    /**
     * Whether the graph is a plain chain: one input feeding layer 0 and nothing else, layer i feeding layer i + 1 and
     * nothing else, the last layer feeding the one output; no residual path, every mapping the identity.
     */
    static boolean isChain(int layers, List<GraphPort> inputs, List<GraphPort> outputs, List<DataFlowEdge> edges,
                           List<GraphEdge> boundaryEdges) {
        if (inputs.size() != 1 || outputs.size() != 1 || edges.size() != Math.max(0, layers - 1)
                || boundaryEdges.size() != (layers == 0 ? 1 : 2)) {
            return false;
        }
        for (DataFlowEdge e : edges) {
            if (e.consumer() != e.producer() + 1 || e.viaResidual() || !(e.units() instanceof UnitMapping.Identity)) {
                return false;
            }
        }
        GraphNode first = layers == 0 ? new GraphNode.Output(0) : new GraphNode.Layer(0);
        GraphNode last = layers == 0 ? new GraphNode.Input(0) : new GraphNode.Layer(layers - 1);
        boolean in = false;
        boolean out = false;
        for (GraphEdge e : boundaryEdges) {
            // what follows the last layer (a Softmax before the output) is not part of the chain
            boolean intoOutput = e.to() instanceof GraphNode.Output;
            if (e.viaResidual() || !(intoOutput || e.units() instanceof UnitMapping.Identity)) {
                return false;
            }
            in |= e.from().equals(new GraphNode.Input(0)) && e.to().equals(first);
            out |= e.from().equals(last) && e.to().equals(new GraphNode.Output(0));
        }
        return in && out;
    }
}
