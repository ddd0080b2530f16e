package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ONNX graph with its control-flow bodies, indexed for reading: every node of the main graph and of every
 * {@code If}/{@code Loop}/{@code Scan} body (a {@link Scope} each), which value each node reads (resolved lexically:
 * a body may read values of the graphs around it), who reads each value, and a topological order of all nodes
 * ({@link TopologicalOrder}). Building the index refuses structurally invalid graphs: values read but never defined,
 * values defined twice in one graph, cycles (including a body that reads its own control-flow node's output) and
 * bodies nested deeper than {@link #MAX_DEPTH}.
 */
final class GraphIndex {
    /** Deepest nesting of control-flow bodies accepted. */
    static final int MAX_DEPTH = 16;

    /** One graph: the main graph ({@code path} "") or a control-flow body ({@code path} like {@code If_0/then_branch}). */
    static final class Scope {
        final String path;
        final @Nullable Scope parent;
        final @Nullable Node owner;
        final String attribute;
        final GraphProto graph;
        /** The values this graph defines, by name (an initializer wins over a graph input of the same name). */
        final Map<String, ValueId> defined = new HashMap<>();
        final List<Node> nodes = new ArrayList<>();
        final List<ValueId> outputs = new ArrayList<>();
        final List<ValueId> inputs = new ArrayList<>();

        Scope(String path, @Nullable Scope parent, @Nullable Node owner, String attribute, GraphProto graph) {
            this.path = path;
            this.parent = parent;
            this.owner = owner;
            this.attribute = attribute;
            this.graph = graph;
        }
    }

    /**
     * A value: its name in the scope that defines it, what defines it and who reads it. There is one per defined
     * value ({@link #lookup} returns it), so the index holds no map from values to their readers.
     */
    static final class ValueId {
        private final Scope scope;
        private final String name;
        /** A {@link TensorProto} initializer, a {@link ValueInfoProto} graph input or a {@link NodeOutput}. */
        private final Object definition;
        private List<Use> uses = List.of();

        private ValueId(Scope scope, String name, Object definition) {
            this.scope = scope;
            this.name = name;
            this.definition = definition;
        }

        Scope scope() {
            return scope;
        }

        String name() {
            return name;
        }

        /** Adds a reader: most values have one, held without a growable list. */
        private void addUse(Use u) {
            if (uses.isEmpty()) {
                uses = List.of(u);
                return;
            }
            if (uses.size() == 1) {
                uses = new ArrayList<>(uses);
            }
            uses.add(u);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ValueId v && v.scope == scope && v.name.equals(name);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(scope) * 31 + name.hashCode();
        }

        @Override
        public String toString() {
            return (scope.path.isEmpty() ? "" : scope.path + ":") + name;
        }
    }

    /**
     * A node and where it reads from and writes to. The lists are set once while the graph is indexed, each to an
     * immutable list of exactly its size (a graph may hold millions of nodes: no spare capacity per node).
     */
    static final class Node {
        final NodeProto proto;
        final Scope scope;
        /** The node's position in {@link GraphIndex#nodes} (graph order, bodies after their graph). */
        final int sequence;
        final String name;
        /** The values read, by input position; null for an omitted optional input ({@code ""}). */
        List<@Nullable ValueId> inputs = List.of();
        List<ValueId> outputs = List.of();
        List<Scope> bodies = List.of();

        Node(NodeProto proto, Scope scope, int sequence, String name) {
            this.proto = proto;
            this.scope = scope;
            this.sequence = sequence;
            this.name = name;
        }

        String op() {
            return proto.getOpType();
        }

        boolean isStandard() {
            return proto.getDomain().isEmpty() || proto.getDomain().equals("ai.onnx");
        }

        @Nullable AttributeProto attribute(String attr) {
            for (AttributeProto a : proto.getAttributeList()) {
                if (a.getName().equals(attr)) {
                    return a;
                }
            }
            return null;
        }

        long intAttribute(String attr, long fallback) {
            AttributeProto a = attribute(attr);
            return a == null ? fallback : a.getI();
        }

        float floatAttribute(String attr, float fallback) {
            AttributeProto a = attribute(attr);
            return a == null ? fallback : a.getF();
        }

        @Nullable ValueId input(int i) {
            return i < inputs.size() ? inputs.get(i) : null;
        }
    }

    /** Where one node reads a value. */
    record Use(Node node, int input) {
    }

    /** A value defined by a node's output. */
    record NodeOutput(Node node, int index) {
    }

    final String file;
    final Scope main;
    final List<Node> nodes = new ArrayList<>();
    final Map<ValueId, List<ValueId>> bodyOutputLinks = new HashMap<>();
    final List<Node> order;
    private int sequence;

    private GraphIndex(String file, GraphProto graph) {
        this.file = file;
        this.main = new Scope("", null, null, "", graph);
        build(main, 0);
        resolve();
        this.order = TopologicalOrder.of(file, nodes);
    }

    /**
     * Indexes a model's main graph and its bodies.
     *
     * @throws InvalidModelException naming the file and the structural problem
     */
    static GraphIndex of(String file, GraphProto graph) {
        return new GraphIndex(file, graph);
    }

    private void build(Scope scope, int depth) {
        if (depth > MAX_DEPTH) {
            throw new InvalidModelException(file + ": control-flow bodies nested deeper than " + MAX_DEPTH
                    + " levels (at " + scope.path + ")");
        }
        GraphProto g = scope.graph;
        for (TensorProto t : g.getInitializerList()) {
            scope.defined.put(t.getName(), new ValueId(scope, t.getName(), t));
        }
        for (ValueInfoProto in : g.getInputList()) {
            scope.inputs.add(scope.defined.computeIfAbsent(in.getName(), k -> new ValueId(scope, k, in)));
        }
        Map<String, Integer> generated = new HashMap<>();
        for (NodeProto p : g.getNodeList()) {
            String name = p.getName();
            if (name.isEmpty()) {
                int k = generated.merge(p.getOpType(), 1, Integer::sum) - 1;
                name = p.getOpType() + "_" + k;
            }
            Node n = new Node(p, scope, sequence++, name);
            scope.nodes.add(n);
            nodes.add(n);
            List<ValueId> outputs = new ArrayList<>(p.getOutputCount());
            for (int i = 0; i < p.getOutputCount(); i++) {
                String out = p.getOutput(i);
                if (out.isEmpty()) {
                    continue;
                }
                ValueId v = new ValueId(scope, out, new NodeOutput(n, i));
                if (scope.defined.put(out, v) != null) {
                    throw new InvalidModelException(file + ": value '" + out + "' is defined twice"
                            + (scope.path.isEmpty() ? "" : " in " + scope.path) + " (by node '" + name + "')");
                }
                outputs.add(v);
            }
            n.outputs = List.copyOf(outputs);
        }
        for (Node n : scope.nodes) {
            List<Scope> nodeBodies = new ArrayList<>(0);
            for (AttributeProto a : n.proto.getAttributeList()) {
                List<GraphProto> bodies = new ArrayList<>();
                if (a.hasG()) {
                    bodies.add(a.getG());
                }
                bodies.addAll(a.getGraphsList());
                for (int b = 0; b < bodies.size(); b++) {
                    String path = (scope.path.isEmpty() ? "" : scope.path + "/") + n.name + "/" + a.getName()
                            + (bodies.size() > 1 ? "[" + b + "]" : "");
                    Scope body = new Scope(path, scope, n, a.getName(), bodies.get(b));
                    nodeBodies.add(body);
                    build(body, depth + 1);
                }
            }
            if (!nodeBodies.isEmpty()) {
                n.bodies = List.copyOf(nodeBodies);
            }
        }
    }

    private void resolve() {
        for (Node n : nodes) {
            ValueId[] inputs = new ValueId[n.proto.getInputCount()];
            boolean omitted = false;
            for (int i = 0; i < inputs.length; i++) {
                String in = n.proto.getInput(i);
                if (in.isEmpty()) {
                    omitted = true;
                    continue;
                }
                ValueId v = lookup(n.scope, in);
                if (v == null) {
                    throw new InvalidModelException(file + ": node '" + n.name + "' (" + n.op() + ") reads '" + in
                            + "', which no node, initializer or input defines");
                }
                inputs[i] = v;
                v.addUse(new Use(n, i));
            }
            if (inputs.length > 0) {
                n.inputs = omitted ? Arrays.asList(inputs) : List.of(inputs);
            }
            for (Scope body : n.bodies) {
                for (ValueInfoProto out : body.graph.getOutputList()) {
                    ValueId v = lookup(body, out.getName());
                    if (v == null) {
                        throw new InvalidModelException(file + ": " + body.path + " returns '" + out.getName()
                                + "', which it does not define");
                    }
                    body.outputs.add(v);
                }
                linkBodyOutputs(n, body);
            }
        }
        for (ValueInfoProto out : main.graph.getOutputList()) {
            ValueId v = lookup(main, out.getName());
            if (v != null) {
                main.outputs.add(v);
            }
        }
    }

    /** Maps a body's outputs to the control-flow node's outputs they become. */
    private void linkBodyOutputs(Node owner, Scope body) {
        int shift = switch (owner.op()) {
            case "Loop" -> 1; // body outputs: cond, carried..., scan outputs; node outputs: carried..., scans
            default -> 0;    // If: one to one; Scan: states and scan outputs one to one
        };
        for (int i = shift; i < body.outputs.size(); i++) {
            int j = i - shift;
            if (j < owner.outputs.size()) {
                bodyOutputLinks.computeIfAbsent(body.outputs.get(i), k -> new ArrayList<>()).add(owner.outputs.get(j));
            }
        }
    }

    /** The value a name refers to from inside {@code scope}, or null. */
    static @Nullable ValueId lookup(Scope scope, String name) {
        for (Scope s = scope; s != null; s = s.parent) {
            ValueId v = s.defined.get(name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** What defines a value: a {@link TensorProto} initializer, a {@link ValueInfoProto} input or a {@link NodeOutput}. */
    static Object definition(ValueId v) {
        return v.definition;
    }

    /** The node that produces a value, or null for initializers and graph inputs. */
    static @Nullable Node producer(ValueId v) {
        return definition(v) instanceof NodeOutput o ? o.node() : null;
    }

    /** Who reads a value. */
    List<Use> usesOf(ValueId v) {
        return v.uses;
    }

    /** Scopes by path, for messages and tests. */
    Map<String, Scope> scopes() {
        Map<String, Scope> out = new LinkedHashMap<>();
        out.put("", main);
        for (Node n : nodes) {
            for (Scope b : n.bodies) {
                out.put(b.path, b);
            }
        }
        return out;
    }
}
