package dev.invariance.analysis;

import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.GraphEdge;
import dev.invariance.network.GraphNode;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.StreamedNetwork;
import dev.invariance.network.WeightPanels;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link StreamedNetwork} restricted to the layers a {@link LayerSelection} picks: the selected layers in their
 * order, renumbered from 0; the edges whose two ends are both selected; the graph's inputs and outputs with the edges
 * between them and selected layers. Loading layer i loads the i-th selected layer of the underlying network, which is
 * not closed with this view.
 */
final class SelectedLayers implements StreamedNetwork {
    private final StreamedNetwork network;
    private final int[] original;
    private final NetworkOutline outline;

    private SelectedLayers(StreamedNetwork network, List<Integer> selected) {
        this.network = network;
        NetworkOutline all = network.outline();
        this.original = selected.stream().mapToInt(Integer::intValue).toArray();
        int[] renumbered = new int[all.layers().size()];
        Arrays.fill(renumbered, -1);
        List<LayerOutline> layers = new ArrayList<>(original.length);
        for (int i = 0; i < original.length; i++) {
            renumbered[original[i]] = i;
            layers.add(all.layers().get(original[i]));
        }
        List<DataFlowEdge> edges = new ArrayList<>();
        for (DataFlowEdge e : all.edges()) {
            int p = renumbered[e.producer()];
            int c = renumbered[e.consumer()];
            if (p >= 0 && c >= 0) {
                edges.add(new DataFlowEdge(p, c, e.ops(), e.viaResidual(), e.units()));
            }
        }
        List<GraphEdge> boundary = new ArrayList<>();
        for (GraphEdge g : all.boundaryEdges()) {
            GraphNode from = renumber(g.from(), renumbered);
            GraphNode to = renumber(g.to(), renumbered);
            if (from != null && to != null) {
                boundary.add(new GraphEdge(from, to, g.ops(), g.viaResidual(), g.units()));
            }
        }
        this.outline = new NetworkOutline(all.source(), layers, edges, all.inputs(), all.outputs(), boundary);
    }

    /** The network as {@code selection} restricts it, or {@code network} itself when the selection is null. */
    static StreamedNetwork of(StreamedNetwork network, @Nullable LayerSelection selection) {
        if (selection == null) {
            return network;
        }
        return new SelectedLayers(network, selection.indicesIn(network.outline()));
    }

    /** The node with its layer index renumbered, or null for a layer not selected. */
    private static @Nullable GraphNode renumber(GraphNode node, int[] renumbered) {
        if (node instanceof GraphNode.Layer l) {
            int i = renumbered[l.index()];
            return i < 0 ? null : new GraphNode.Layer(i);
        }
        return node;
    }

    @Override
    public NetworkOutline outline() {
        return outline;
    }

    @Override
    public DenseLayer load(int index) {
        return network.load(original[index]);
    }

    @Override
    public boolean hasPanels(int index) {
        return network.hasPanels(original[index]);
    }

    @Override
    public WeightPanels panels(int index) {
        return network.panels(original[index]);
    }

    @Override
    public void close() {
        // the underlying network belongs to the caller
    }
}
