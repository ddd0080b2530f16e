package dev.invariance.onnx.reading;

import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.ValueId;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The residual additions of an indexed graph: an {@code Add} of two computed values one of which is an ancestor of the
 * other (the skip). The ancestor test searches only the nodes that lie between the two values in topological order,
 * within a budget of {@link #ANCESTOR_BUDGET} values, and each addition is tested once, so a graph is read in time
 * linear in its size for the usual local residual blocks.
 */
final class ResidualAdditions {
    /** How many values one residual ancestor test may visit before it answers "not residual". */
    static final int ANCESTOR_BUDGET = 20_000;

    private final ConstantFolding constants;
    private final Map<Node, Integer> topoIndex = new IdentityHashMap<>();
    private final Map<Node, Integer> skipSide = new IdentityHashMap<>();

    /** The residual additions of {@code graph}, whose constants are {@code constants}. */
    ResidualAdditions(GraphIndex graph, ConstantFolding constants) {
        this.constants = constants;
        for (int i = 0; i < graph.order.size(); i++) {
            topoIndex.put(graph.order.get(i), i);
        }
    }

    /**
     * For an {@code Add} of two computed values: the input index that carries the skip (an ancestor of the other
     * input), or −1 when it is not a residual addition.
     */
    int skipSide(Node add) {
        Integer known = skipSide.get(add);
        if (known != null) {
            return known;
        }
        int side = -1;
        ValueId a = add.input(0);
        ValueId b = add.input(1);
        if (a != null && b != null && !a.equals(b) && constants.isComputed(a) && constants.isComputed(b)) {
            if (isAncestor(a, b)) {
                side = 0;
            } else if (isAncestor(b, a)) {
                side = 1;
            }
        }
        skipSide.put(add, side);
        return side;
    }

    /**
     * Whether {@code value} is among the values {@code of} is computed from. A value produced later in topological
     * order is no ancestor, and the search back from {@code of} never enters nodes ordered before {@code value}'s
     * producer; it gives up (not an ancestor) after {@link #ANCESTOR_BUDGET} values.
     */
    private boolean isAncestor(ValueId value, ValueId of) {
        Node vp = GraphIndex.producer(value);
        Node op = GraphIndex.producer(of);
        int floor = vp == null ? -1 : topoIndex.getOrDefault(vp, -1);
        if (vp != null && op != null && topoIndex.getOrDefault(vp, -1) > topoIndex.getOrDefault(op, -1)) {
            return false;
        }
        ArrayDeque<ValueId> stack = new ArrayDeque<>();
        Set<ValueId> seen = new HashSet<>();
        stack.push(of);
        while (!stack.isEmpty() && seen.size() < ANCESTOR_BUDGET) {
            ValueId v = stack.pop();
            if (v.equals(value)) {
                return true;
            }
            if (!seen.add(v)) {
                continue;
            }
            Node p = GraphIndex.producer(v);
            if (p == null || topoIndex.getOrDefault(p, Integer.MAX_VALUE) < floor) {
                continue;
            }
            for (ValueId in : p.inputs) {
                if (in != null) {
                    stack.push(in);
                }
            }
        }
        return false;
    }
}
