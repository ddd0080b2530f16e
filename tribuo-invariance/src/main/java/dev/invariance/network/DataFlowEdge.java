package dev.invariance.network;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * An edge between two dense layers of the data-flow graph: the output of layer {@code producer} reaches the input of
 * layer {@code consumer} through a chain of non-dense operations (activations, reshapes, normalisation, residual
 * additions, concatenations). Alignment metrics compare the top left singular vector of W_producer (in
 * R^{d_out(producer)}) with the top right singular vector of W_consumer (in R^{d_in(consumer)}); they are defined only
 * when both vectors live in the same space, which the analyzer decides (a {@code Slice} or a convolution's patch
 * columns break it). Edges that touch a graph input or output are {@link GraphEdge}s of
 * {@link NetworkDescription#boundaryEdges()}.
 *
 * @param producer    index of the producing layer in {@link NetworkDescription#layers()}
 * @param consumer    index of the consuming layer
 * @param ops         the operations passed through, in data-flow order (ONNX op types such as {@code Relu},
 *                    {@code Reshape}, {@code Add}; the trainer's models list {@code Relu} and {@code Add});
 *                    empty for a direct connection
 * @param viaResidual whether the path passes through a residual addition
 * @param units       how the producer's units reach the consumer's columns
 */
public record DataFlowEdge(int producer, int consumer, List<String> ops, boolean viaResidual, UnitMapping units)
        implements Serializable {

    /** Copies the list and checks the indexes. */
    public DataFlowEdge {
        Objects.requireNonNull(ops, "ops");
        ops = List.copyOf(ops);
        if (units == null) {
            // an edge Java-serialised before unit mappings existed: every such edge joined equal widths
            units = UnitMapping.identity();
        }
        if (producer < 0 || consumer < 0) {
            throw new IllegalArgumentException("edge between negative layer indexes " + producer + " -> " + consumer);
        }
        if (producer == consumer) {
            throw new IllegalArgumentException("edge from layer " + producer + " to itself");
        }
    }

    /** An edge whose producer's unit j is the consumer's column j. */
    public DataFlowEdge(int producer, int consumer, List<String> ops, boolean viaResidual) {
        this(producer, consumer, ops, viaResidual, UnitMapping.identity());
    }

    /** A direct connection with nothing in between. */
    public static DataFlowEdge direct(int producer, int consumer) {
        return new DataFlowEdge(producer, consumer, List.of(), false);
    }

    /** Whether an operation of type {@code op} (for example {@code Relu}) lies on the path. */
    public boolean passesThrough(String op) {
        return ops.contains(op);
    }

    /** This edge between the graph's nodes. */
    public GraphEdge toGraphEdge() {
        return new GraphEdge(new GraphNode.Layer(producer), new GraphNode.Layer(consumer), ops, viaResidual, units);
    }
}
