package dev.invariance.network;

import java.io.Serializable;

/**
 * A node of a network's data-flow graph ({@link NetworkDescription}): one of the graph's inputs, one of its dense
 * layers or one of its outputs, each identified by its index in the description's list of that kind
 * ({@link NetworkDescription#inputs()}, {@link NetworkDescription#layers()}, {@link NetworkDescription#outputs()}).
 */
public sealed interface GraphNode extends Serializable permits GraphNode.Input, GraphNode.Layer, GraphNode.Output {
    /** The node's index among the nodes of its kind (0-based). */
    int index();

    /** For messages: {@code input 0}, {@code layer 3}, {@code output 1}. */
    default String describe() {
        return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + index();
    }

    /** Graph input {@code index} (the data a user feeds, for example the feature vector). */
    record Input(int index) implements GraphNode {
        /** Checks the index. */
        public Input {
            GraphNodes.checkIndex(index);
        }
    }

    /** Dense layer {@code index}. */
    record Layer(int index) implements GraphNode {
        /** Checks the index. */
        public Layer {
            GraphNodes.checkIndex(index);
        }
    }

    /** Graph output {@code index} (what the network returns, for example the logits). */
    record Output(int index) implements GraphNode {
        /** Checks the index. */
        public Output {
            GraphNodes.checkIndex(index);
        }
    }
}

/** Checks shared by the node kinds. */
final class GraphNodes {
    private GraphNodes() {
    }

    static void checkIndex(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("graph node index " + index + " is negative");
        }
    }
}
