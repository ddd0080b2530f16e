package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Every name a graph uses (nodes, values, initializers, inputs, outputs, value_info, in its control-flow bodies too),
 * and fresh ones beside them: {@code base}, else {@code base_2}, {@code base_3}… Each name handed out is taken.
 */
final class GraphNames implements FactoredLayer.Names {
    private final Set<String> taken;

    private GraphNames(Set<String> taken) {
        this.taken = taken;
    }

    /** The names of {@code graph} and its bodies (iteratively: the reader bounded the nesting). */
    static GraphNames of(GraphProto graph) {
        Set<String> taken = new HashSet<>();
        Deque<GraphProto> graphs = new ArrayDeque<>();
        graphs.push(graph);
        while (!graphs.isEmpty()) {
            GraphProto g = graphs.pop();
            for (TensorProto t : g.getInitializerList()) {
                taken.add(t.getName());
            }
            for (ValueInfoProto v : g.getInputList()) {
                taken.add(v.getName());
            }
            for (ValueInfoProto v : g.getOutputList()) {
                taken.add(v.getName());
            }
            for (ValueInfoProto v : g.getValueInfoList()) {
                taken.add(v.getName());
            }
            for (NodeProto n : g.getNodeList()) {
                taken.add(n.getName());
                taken.addAll(n.getInputList());
                taken.addAll(n.getOutputList());
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.hasG()) {
                        graphs.push(a.getG());
                    }
                    a.getGraphsList().forEach(graphs::push);
                }
            }
        }
        return new GraphNames(taken);
    }

    /** Whether {@code name} is used somewhere in the graph. */
    boolean isTaken(String name) {
        return taken.contains(name);
    }

    @Override
    public String fresh(String base) {
        if (taken.add(base)) {
            return base;
        }
        for (int k = 2; ; k++) {
            String candidate = base + "_" + k;
            if (taken.add(candidate)) {
                return candidate;
            }
        }
    }
}
