package dev.invariance.network;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * An edge of the data-flow graph between any two nodes: a graph input, a dense layer or a graph output
 * ({@link GraphNode}). The value leaving {@code from} (a layer's activated output, or the input itself) reaches
 * {@code to} through the operations {@code ops}; {@code units} says which of {@code to}'s columns (or output values)
 * read which of {@code from}'s units.
 *
 * @param from        the producing node: an input or a layer
 * @param to          the consuming node: a layer or an output
 * @param ops         the operations passed through, in data-flow order (ONNX op types), empty for a direct connection
 * @param viaResidual whether the path passes through a residual addition
 * @param units       how the producer's units reach the consumer's columns
 */
public record GraphEdge(GraphNode from, GraphNode to, List<String> ops, boolean viaResidual, UnitMapping units)
        implements Serializable {
    /** Copies the list and checks the direction. */
    public GraphEdge {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(units, "units");
        ops = List.copyOf(ops);
        if (from instanceof GraphNode.Output || to instanceof GraphNode.Input) {
            throw new IllegalArgumentException("an edge runs from an input or layer to a layer or output, not from "
                    + from.describe() + " to " + to.describe());
        }
        if (from.equals(to)) {
            throw new IllegalArgumentException("edge from " + from.describe() + " to itself");
        }
    }

    /** Whether this edge joins two dense layers (then it is also a {@link DataFlowEdge}). */
    public boolean joinsLayers() {
        return from instanceof GraphNode.Layer && to instanceof GraphNode.Layer;
    }
}
