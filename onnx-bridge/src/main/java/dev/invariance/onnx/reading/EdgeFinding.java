package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.GraphEdge;
import dev.invariance.network.GraphNode;
import dev.invariance.network.GraphPort;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.UnitMapping;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.Scope;
import dev.invariance.onnx.reading.GraphIndex.Use;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The edges of an indexed ONNX graph whose dense layers are known: from each dense layer's output, and from each of
 * the main graph's data inputs, along the nodes that read it (activations, reshapes, normalisation, attention
 * arithmetic, control-flow bodies) to every dense node reached at its activation input and to every graph output.
 * <ul>
 *   <li>Only data inputs are followed (a value used as a {@code Reshape}'s shape or a {@code Gather}'s indices is not
 *       data) and {@code Shape}-like nodes end a path.</li>
 *   <li>An {@code Add} of two computed values whose one input is an ancestor of the other is a residual addition
 *       ({@link ResidualAdditions}); a path entering it on that (skip) input is marked {@code viaResidual}, and a path
 *       passes at most {@link NetworkDescription#SKIPS_PER_PATH} skip input, so each residual addition gives its
 *       consumer one edge per incoming path rather than an edge from every earlier layer of the residual stream.</li>
 *   <li>Each edge says how the producer's units reach the consumer's columns ({@link UnitMapping}), as
 *       {@link UnitMappingRules} follows them node by node, with the widths and ranks {@link ValueShapes} knows.</li>
 * </ul>
 * The first path found to a consumer makes its edge; the edges are sorted by consumer, then producer.
 */
final class EdgeFinding {
    /** Nodes of which only input 0 carries data (the others are shapes, indices, axes, parameters). */
    static final Set<String> FIRST_INPUT_ONLY = Set.of("Reshape", "Slice", "Expand", "Tile", "Pad", "Squeeze",
            "Unsqueeze", "Resize", "Upsample", "TopK", "Clip", "Dropout", "ReduceMean", "ReduceSum", "ReduceMax",
            "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare",
            "Split", "CumSum", "Gather", "GatherElements", "GatherND", "LayerNormalization", "BatchNormalization",
            "InstanceNormalization", "GroupNormalization", "LpNormalization", "MeanVarianceNormalization",
            "DequantizeLinear", "QuantizeLinear", "If");
    /** Nodes whose outputs carry no data of their inputs (shapes, sizes, indices). */
    static final Set<String> NOT_DATA = Set.of("Shape", "Size", "NonZero", "ArgMax", "ArgMin",
            "ConstantOfShape", "EyeLike", "RandomNormalLike", "RandomUniformLike", "Range", "Constant");
    /** Operations recorded on an edge into a graph output (see {@link #outputOps}). */
    static final int MAX_OUTPUT_OPS = 64;

    private final GraphIndex graph;
    private final List<LayerPlan> layers;
    private final ResidualAdditions residuals;
    private final UnitMappingRules units;
    private final Map<Node, Integer> denseByNode = new IdentityHashMap<>();
    private final Map<ValueId, Integer> outputIndex = new HashMap<>();
    private @Nullable Set<Node> biasAdds;
    final List<DataFlowEdge> edges = new ArrayList<>();
    final List<GraphEdge> boundaryEdges = new ArrayList<>();
    final List<GraphPort> inputs = new ArrayList<>();
    final List<GraphPort> outputs = new ArrayList<>();

    /** Finds the edges of {@code graph}, whose dense layers are {@code layers} and constants {@code constants}. */
    EdgeFinding(GraphIndex graph, List<LayerPlan> layers, ConstantFolding constants) {
        this.graph = graph;
        this.layers = layers;
        this.residuals = new ResidualAdditions(graph, constants);
        this.units = new UnitMappingRules(constants, new ValueShapes(layers, constants));
        for (int i = 0; i < layers.size(); i++) {
            denseByNode.put(layers.get(i).node, i);
        }
        for (ValueId out : graph.main.outputs) {
            outputIndex.putIfAbsent(out, outputs.size());
            outputs.add(new GraphPort(out.name(), ValueShapes.portWidth(out)));
        }
        Map<List<Object>, GraphEdge> found = new LinkedHashMap<>();
        List<ValueId> dataInputs = new ArrayList<>();
        for (ValueId in : graph.main.inputs) {
            if (GraphIndex.definition(in) instanceof ValueInfoProto) {
                dataInputs.add(in);
                inputs.add(new GraphPort(in.name(), ValueShapes.portWidth(in)));
            }
        }
        for (int i = 0; i < dataInputs.size(); i++) {
            trace(new PathOrigin(new GraphNode.Input(i), -1, false), dataInputs.get(i), found);
        }
        for (int p = 0; p < layers.size(); p++) {
            LayerPlan l = layers.get(p);
            trace(new PathOrigin(new GraphNode.Layer(p), l.outputWidth(), l.convolution != null), l.output, found);
        }
        List<GraphEdge> sorted = new ArrayList<>(found.values());
        sorted.sort(Comparator.comparingInt((GraphEdge e) -> kind(e.to())).thenComparingInt(e -> e.to().index())
                .thenComparingInt(e -> kind(e.from())).thenComparingInt(e -> e.from().index())
                .thenComparing(GraphEdge::viaResidual));
        for (GraphEdge e : sorted) {
            if (e.joinsLayers()) {
                edges.add(new DataFlowEdge(e.from().index(), e.to().index(), e.ops(), e.viaResidual(), e.units()));
            } else {
                boundaryEdges.add(e);
            }
        }
    }

    private static int kind(GraphNode n) {
        return n instanceof GraphNode.Input ? 0 : n instanceof GraphNode.Layer ? 1 : 2;
    }

    /**
     * Where the path stands: the value reached, the operations passed, the residual additions crossed, how the
     * producer's units lie along the value's unit axis, and whether a channel-first (convolution) output has been
     * flattened.
     */
    private record State(ValueId value, List<String> ops, int skips, UnitMapping units, boolean flattened) {
    }

    private void trace(PathOrigin from, ValueId start, Map<List<Object>, GraphEdge> found) {
        ArrayDeque<State> queue = new ArrayDeque<>();
        Set<List<Object>> visited = new HashSet<>();
        queue.add(new State(start, List.of(), 0, UnitMapping.identity(), false));
        while (!queue.isEmpty()) {
            State s = queue.poll();
            if (!visited.add(List.of(s.value(), s.skips()))) {
                continue;
            }
            Integer out = outputIndex.get(s.value());
            if (out != null && !(from.node() instanceof GraphNode.Input && s.ops().isEmpty())) {
                GraphNode to = new GraphNode.Output(out);
                List<Object> key = List.of(from.node(), to, s.skips() > 0);
                if (!found.containsKey(key)) {
                    found.put(key, new GraphEdge(from.node(), to, outputOps(s.ops()), s.skips() > 0, s.units()));
                }
            }
            for (ValueId next : graph.bodyOutputLinks.getOrDefault(s.value(), List.of())) {
                Node owner = GraphIndex.producer(next);
                queue.add(new State(next, append(s.ops(), owner == null ? "" : owner.op()), s.skips(),
                        new UnitMapping.NotUnitWise("through " + (owner == null ? "a control-flow body" : owner.op())),
                        s.flattened()));
            }
            for (Use u : graph.usesOf(s.value())) {
                step(from, s, u, queue, found);
            }
        }
    }

    private void step(PathOrigin from, State s, Use u, ArrayDeque<State> queue, Map<List<Object>, GraphEdge> found) {
        Node n = u.node();
        Integer c = denseByNode.get(n);
        if (c != null) {
            LayerPlan consumer = layers.get(c);
            GraphNode to = new GraphNode.Layer(c);
            List<Object> key = List.of(from.node(), to, s.skips() > 0);
            if (consumer.input.equals(s.value()) && !to.equals(from.node()) && !found.containsKey(key)) {
                // the first path found wins; the edge (a copy of the path's operations) is built once
                UnitMapping mapping = UnitMappingRules.atConsumer(from, s.units(), s.flattened(), consumer);
                found.put(key, new GraphEdge(from.node(), to, s.ops(), s.skips() > 0, mapping));
            }
            return;
        }
        if (isBiasAdd(n) || NOT_DATA.contains(n.op()) || (u.input() > 0 && FIRST_INPUT_ONLY.contains(n.op()))) {
            return;
        }
        if (n.op().equals("Loop") || n.op().equals("Scan")) {
            enterBody(n, u.input(), s, queue);
            return;
        }
        int skips = s.skips();
        if (n.op().equals("Add") && n.inputs.size() == 2 && residuals.skipSide(n) == u.input()) {
            if (skips == NetworkDescription.SKIPS_PER_PATH) {
                return;
            }
            skips++;
        }
        List<String> ops = append(s.ops(), n.op());
        boolean flattened = s.flattened()
                || (from.channelFirst() && (n.op().equals("Flatten") || n.op().equals("Reshape")));
        if (n.op().equals("Split")) {
            for (int k = 0; k < n.outputs.size(); k++) {
                queue.add(new State(n.outputs.get(k), ops, skips, units.split(n, k, s.value(), s.units(), from),
                        flattened));
            }
            return;
        }
        UnitMapping mapping = units.through(n, u.input(), s.value(), s.units(), from);
        for (ValueId next : n.outputs) {
            queue.add(new State(next, ops, skips, mapping, flattened));
        }
    }

    /**
     * Whether {@code n} is part of a layer beyond its node: the {@code Add} that a {@code MatMul} layer took its bias
     * from, or a {@code BatchNormalization} folded into the layer.
     */
    private boolean isBiasAdd(Node n) {
        if (biasAdds == null) {
            Set<Node> adds = Collections.newSetFromMap(new IdentityHashMap<>());
            for (LayerPlan l : layers) {
                Node p = GraphIndex.producer(l.output);
                if (p != null && p != l.node) {
                    adds.add(p);
                }
            }
            biasAdds = adds;
        }
        return biasAdds.contains(n);
    }

    private void enterBody(Node n, int input, State s, ArrayDeque<State> queue) {
        // Loop: (M, cond, v...) -> (iter, cond, v...)
        int bodyInput = n.op().equals("Loop") ? (input >= 2 ? input : -1) : input;
        if (bodyInput < 0) {
            return;
        }
        for (Scope body : n.bodies) {
            if (bodyInput < body.inputs.size()) {
                queue.add(new State(body.inputs.get(bodyInput), append(s.ops(), n.op()), s.skips(),
                        new UnitMapping.NotUnitWise("through " + n.op()), s.flattened()));
            }
        }
    }

    /**
     * The operations of a path into a graph output, at most {@link #MAX_OUTPUT_OPS} of them followed by one entry
     * {@code …(n more)}: a path from an early layer to the output can pass most of a hostile graph, and every layer has
     * one, so keeping them whole would cost the square of the graph's size.
     */
    private static List<String> outputOps(List<String> ops) {
        if (ops.size() <= MAX_OUTPUT_OPS) {
            return ops;
        }
        List<String> first = new ArrayList<>(MAX_OUTPUT_OPS + 1);
        for (String op : ops) { // one pass: a trail's get(i) walks back from its end
            if (first.size() == MAX_OUTPUT_OPS) {
                break;
            }
            first.add(op);
        }
        first.add("…(" + (ops.size() - MAX_OUTPUT_OPS) + " more)");
        return first;
    }

    private static List<String> append(List<String> ops, String op) {
        return OpTrail.append(ops, op); // shares the path's prefix: following a path of n nodes costs O(n)
    }
}
