package dev.invariance.onnx.reading;

import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.ValueId;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The residual additions of an indexed graph: an {@code Add} that joins the output of a block with an input that
 * bypasses it, that is an {@code Add} of two computed values one of which (the skip) is an ancestor of the other
 * through at least one dense layer. An {@code Add} of two functions of the same tensor with no dense layer between
 * (GPT-2's tanh-GELU {@code x + 0.044715·x³}) is no residual. The ancestor test searches only the nodes that lie
 * between the two values in topological order, within a budget of {@link #ANCESTOR_BUDGET} values, and each addition
 * is tested once, so a graph is read in time linear in its size for the usual local residual blocks.
 */
final class ResidualAdditions {
    /** How many values one residual ancestor test may visit before it answers "not residual". */
    static final int ANCESTOR_BUDGET = 20_000;

    private final ConstantFolding constants;
    private final Map<Node, Integer> topoIndex = new IdentityHashMap<>();
    private final Map<Node, Integer> skipSide = new IdentityHashMap<>();
    private final Set<Node> denseNodes = Collections.newSetFromMap(new IdentityHashMap<>());

    /** The residual additions of {@code graph}, whose constants are {@code constants} and dense layers {@code layers}. */
    ResidualAdditions(GraphIndex graph, ConstantFolding constants, List<LayerPlan> layers) {
        this.constants = constants;
        for (LayerPlan l : layers) {
            denseNodes.add(l.node);
        }
        for (int i = 0; i < graph.order.size(); i++) {
            topoIndex.put(graph.order.get(i), i);
        }
    }

    /**
     * For an {@code Add} of two computed values: the input index that carries the skip (an ancestor of the other
     * input through a dense layer), or −1 when it is not a residual addition.
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

    /** A value reached by the search back, and whether the way to it from the start passed a dense layer. */
    private record Step(ValueId value, boolean throughLayer) {
    }

    /**
     * Whether {@code value} is among the values {@code of} is computed from through at least one dense layer. A value
     * produced later in topological order is no ancestor, and the search back from {@code of} never enters nodes
     * ordered before {@code value}'s producer; it gives up (not an ancestor) after {@link #ANCESTOR_BUDGET} values.
     */
    private boolean isAncestor(ValueId value, ValueId of) {
        Node vp = GraphIndex.producer(value);
        Node op = GraphIndex.producer(of);
        int floor = vp == null ? -1 : topoIndex.getOrDefault(vp, -1);
        if (vp != null && op != null && topoIndex.getOrDefault(vp, -1) > topoIndex.getOrDefault(op, -1)) {
            return false;
        }
        ArrayDeque<Step> stack = new ArrayDeque<>();
        Set<Step> seen = new HashSet<>();
        stack.push(new Step(of, false));
        while (!stack.isEmpty() && seen.size() < ANCESTOR_BUDGET) {
            Step s = stack.pop();
            if (s.value().equals(value)) {
                if (s.throughLayer()) {
                    return true;
                }
                continue; // reached without a dense layer between: look for another way
            }
            if (!seen.add(s)) {
                continue;
            }
            Node p = GraphIndex.producer(s.value());
            if (p == null || topoIndex.getOrDefault(p, Integer.MAX_VALUE) < floor) {
                continue;
            }
            boolean throughLayer = s.throughLayer() || denseNodes.contains(p);
            for (ValueId in : p.inputs) {
                if (in != null) {
                    stack.push(new Step(in, throughLayer));
                }
            }
        }
        return false;
    }
}
