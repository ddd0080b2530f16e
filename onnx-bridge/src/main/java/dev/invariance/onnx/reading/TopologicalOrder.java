package dev.invariance.onnx.reading;

import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.Scope;
import dev.invariance.onnx.reading.GraphIndex.ValueId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The order in which an indexed graph's nodes can run: each after the nodes whose outputs it reads (and a control-flow
 * node after its bodies' nodes and after every outer value its bodies read), earlier nodes of the file first among
 * those ready (Kahn's algorithm over a priority queue). A node left over when no node is ready lies on a cycle, and
 * the graph is refused. The dependency edges are held in int arrays indexed by {@link Node#sequence}: a few bytes per
 * edge, so a graph of millions of nodes is ordered in time and memory linear in its size (times the queue's log).
 */
final class TopologicalOrder {
    private TopologicalOrder() {
    }

    /**
     * The nodes in running order.
     *
     * @param file  the model file's name for messages
     * @param nodes every node of the index, {@code nodes.get(i).sequence == i}
     * @throws InvalidModelException naming a node on a cycle
     */
    static List<Node> of(String file, List<Node> nodes) {
        Dependencies deps = new Dependencies(nodes.size());
        for (Node n : nodes) {
            for (ValueId v : n.inputs) {
                Node p = v == null ? null : GraphIndex.producer(v);
                if (p == null) {
                    continue;
                }
                deps.add(p, n);
                // A body reading an outer value needs it before its control-flow node (and every one around it) runs.
                for (Scope s = n.scope; s != v.scope() && s.owner != null; s = s.owner.scope) {
                    deps.add(p, s.owner);
                }
            }
            for (Scope body : n.bodies) {
                for (Node inner : body.nodes) {
                    deps.add(inner, n);
                }
            }
        }
        PriorityQueue<Node> ready = new PriorityQueue<>((a, b) -> Integer.compare(a.sequence, b.sequence));
        for (Node n : nodes) {
            if (deps.pending[n.sequence] == 0) {
                ready.add(n);
            }
        }
        List<Node> out = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            out.add(n);
            for (int e = deps.first[n.sequence]; e >= 0; e = deps.next[e]) {
                if (--deps.pending[deps.target[e]] == 0) {
                    ready.add(nodes.get(deps.target[e]));
                }
            }
        }
        if (out.size() < nodes.size()) {
            for (Node n : nodes) {
                if (deps.pending[n.sequence] > 0) {
                    throw new InvalidModelException(file + ": the graph has a cycle through node '" + n.name + "' ("
                            + n.op() + (n.scope.path.isEmpty() ? "" : " in " + n.scope.path) + ")");
                }
            }
        }
        return out;
    }

    /** Dependency edges as linked lists in arrays: {@code first[from]}, then {@code next[e]}; targets and counts. */
    private static final class Dependencies {
        final int[] first;
        final int[] pending;
        int[] target = new int[16];
        int[] next = new int[16];
        int edges;

        Dependencies(int nodeCount) {
            first = new int[nodeCount];
            Arrays.fill(first, -1);
            pending = new int[nodeCount];
        }

        void add(Node from, Node to) {
            if (edges == target.length) {
                target = Arrays.copyOf(target, edges * 2);
                next = Arrays.copyOf(next, edges * 2);
            }
            target[edges] = to.sequence;
            next[edges] = first[from.sequence];
            first[from.sequence] = edges++;
            pending[to.sequence]++;
        }
    }
}
