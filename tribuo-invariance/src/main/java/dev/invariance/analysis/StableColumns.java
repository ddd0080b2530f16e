package dev.invariance.analysis;

import dev.invariance.network.GraphEdge;
import dev.invariance.network.GraphNode;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.UnitMapping;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * The columns of each layer's W that read values linear on the data (science.md 2.11): for every edge into the
 * layer, the stably active units of a producing layer (all units of a linear one) or every value of a graph input,
 * mapped to columns by the edge's {@link UnitMapping}. Defined only when the edges into the layer cover each of its
 * columns exactly once with unit-wise mappings; otherwise null with a one-line reason.
 */
final class StableColumns {
    private final NetworkOutline outline;
    private final List<LayerActivation> acts;
    private final List<List<GraphEdge>> into;

    /** The columns or, when they are not defined, why: exactly one of the two is null. */
    record Result(@Nullable List<Integer> columns, @Nullable String reason) {
        Result {
            if ((columns == null) == (reason == null)) {
                throw new IllegalArgumentException("stable columns need either the columns or the reason they are undefined");
            }
        }
    }

    StableColumns(NetworkOutline outline, List<LayerActivation> acts) {
        this.outline = outline;
        this.acts = acts;
        this.into = outline.predecessorLists();
    }

    /** C_i for layer i. */
    Result of(int layer) {
        LayerOutline consumer = outline.layers().get(layer);
        int width = consumer.inputWidth();
        List<GraphEdge> edges = into.get(layer);
        if (edges.isEmpty()) {
            return undefined("the graph names no input or layer that feeds " + consumer.name());
        }
        String[] coveredBy = new String[width];
        boolean[] stable = new boolean[width];
        for (GraphEdge e : edges) {
            String producer = name(e.from());
            if (!e.units().isUnitWise()) {
                return undefined("the input of " + consumer.name() + " from " + producer + " is "
                        + e.units().describe());
            }
            int producerWidth = producerWidth(e, width);
            List<Integer> covered = e.from() instanceof GraphNode.Layer ? e.units().columns(range(producerWidth),
                    producerWidth, width) : UnitMapping.identity().columns(range(producerWidth), producerWidth, width);
            List<Integer> linear = e.from() instanceof GraphNode.Layer l
                    ? e.units().columns(acts.get(l.index()).stablyActive(), producerWidth, width) : covered;
            if (covered == null || linear == null) {
                return undefined("the units of " + producer + " (" + producerWidth + ") do not fit the " + width
                        + " inputs of " + consumer.name() + " (" + e.units().describe() + ")");
            }
            for (int c : covered) {
                if (coveredBy[c] != null) {
                    return undefined("the input of " + consumer.name() + " is a sum of several producers ("
                            + coveredBy[c] + " and " + producer + (e.viaResidual() ? ", a residual addition" : "") + ")");
                }
                coveredBy[c] = producer;
            }
            for (int c : linear) {
                stable[c] = true;
            }
        }
        List<Integer> columns = new ArrayList<>();
        for (int c = 0; c < width; c++) {
            if (coveredBy[c] == null) {
                return undefined("column " + c + " of " + consumer.name()
                        + " reads a value the graph does not trace to an input or a layer");
            }
            if (stable[c]) {
                columns.add(c);
            }
        }
        return new Result(columns, null);
    }

    private int producerWidth(GraphEdge e, int consumerInputs) {
        if (e.from() instanceof GraphNode.Layer l) {
            return outline.layers().get(l.index()).outputWidth();
        }
        // a graph input: every value is linear on the data; a window passes its part, any other mapping reaches
        // every column (a dense layer applied at each position of a [N, k, d] input reads d values, not k·d)
        return e.units() instanceof UnitMapping.Window w ? w.producerStart() + w.length() : consumerInputs;
    }

    private String name(GraphNode node) {
        if (node instanceof GraphNode.Layer l) {
            return outline.layers().get(l.index()).name();
        }
        return node instanceof GraphNode.Input ? "input " + outline.inputs().get(node.index()).name()
                : "output " + outline.outputs().get(node.index()).name();
    }

    private static Result undefined(String reason) {
        return new Result(null, reason);
    }

    static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            r.add(i);
        }
        return r;
    }
}
