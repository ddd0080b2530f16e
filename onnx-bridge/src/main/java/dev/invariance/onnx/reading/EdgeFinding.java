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
import java.util.LinkedHashSet;
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
 *   <li>A product of two computed values ({@code MatMul}, {@code Gemm}, {@code Einsum}: attention's {@code Q·Kᵀ} and
 *       {@code softmax(·)·V}) passes a path's units only when the product keeps the axis that holds them
 *       ({@link UnitAxisRules}, which follows that axis node by node); a path whose units it sums over (the query and
 *       key projections) or whose unit axis is not known ends there, and {@link #endedPathNotes} says so.</li>
 *   <li>An {@code Add} of two computed values whose one input is computed from the other through a dense layer is a
 *       residual addition ({@link ResidualAdditions}); a path entering it on that (skip) input is marked
 *       {@code viaResidual}, and a path passes at most {@link NetworkDescription#SKIPS_PER_PATH} skip input, so each
 *       residual addition gives its consumer one edge per incoming path rather than an edge from every earlier layer
 *       of the residual stream.</li>
 *   <li>Each edge says how the producer's units reach the consumer's columns ({@link UnitMapping}), as
 *       {@link UnitMappingRules} follows them node by node, with the widths and ranks {@link ValueShapes} knows.</li>
 *   <li>A path ends at a dense node, with an edge to each of its layers that reads the value reached (a recurrent
 *       node's input matrices, a fused attention's query, key and value), and at a node that applies weights not
 *       read as layers ({@link UnreadWeights}). A part of a packed weight whose product stays inside its node starts
 *       no path; a fused attention's value part starts its paths at the node's output.</li>
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
    /**
     * Nodes of which only output 0 carries data: {@code DynamicQuantizeLinear}'s scale and zero point (outputs 1 and 2)
     * are numbers per batch, not units, so a path through them ends.
     */
    static final Set<String> FIRST_OUTPUT_ONLY = Set.of("DynamicQuantizeLinear");
    /** Operations recorded on an edge into a graph output (see {@link #outputOps}). */
    static final int MAX_OUTPUT_OPS = 64;
    /** Layers named in one note on ended paths. */
    static final int MAX_NAMES_IN_NOTE = 8;

    private final GraphIndex graph;
    private final List<LayerPlan> layers;
    private final ResidualAdditions residuals;
    private final UnitMappingRules units;
    private final UnitAxisRules axes;
    private final ValueShapes shapes;
    /** The paths from a layer that a product of two computed values ended: node, reason, the producers' indexes. */
    private final Map<Node, Map<String, Set<Integer>>> ended = new LinkedHashMap<>();
    private final UnreadWeights unread;
    /** The layers each dense node applies (several for a node with a packed weight). */
    private final Map<Node, List<Integer>> layersByNode = new IdentityHashMap<>();
    private final Map<ValueId, Integer> outputIndex = new HashMap<>();
    private @Nullable Set<Node> biasAdds;
    final List<DataFlowEdge> edges = new ArrayList<>();
    final List<GraphEdge> boundaryEdges = new ArrayList<>();
    final List<GraphPort> inputs = new ArrayList<>();
    final List<GraphPort> outputs = new ArrayList<>();

    /**
     * Finds the edges of {@code graph}, whose dense layers are {@code layers} and constants {@code constants}; paths
     * end at the nodes {@code unread} names.
     */
    EdgeFinding(GraphIndex graph, List<LayerPlan> layers, ConstantFolding constants, UnreadWeights unread) {
        this.graph = graph;
        this.layers = layers;
        this.residuals = new ResidualAdditions(graph, constants, layers);
        this.shapes = new ValueShapes(layers, constants);
        this.units = new UnitMappingRules(constants, shapes);
        this.axes = new UnitAxisRules(constants, shapes, units);
        this.unread = unread;
        for (int i = 0; i < layers.size(); i++) {
            layersByNode.computeIfAbsent(layers.get(i).node, k -> new ArrayList<>(1)).add(i);
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
            trace(new PathOrigin(new GraphNode.Input(i), -1, false), dataInputs.get(i), List.of(),
                    UnitAxes.last(shapes.width(dataInputs.get(i))), found);
        }
        for (int p = 0; p < layers.size(); p++) {
            LayerPlan l = layers.get(p);
            if (l.wiring.leavesNode()) {
                // a part carried through its node (a fused attention's value) has passed that node
                List<String> passed = l.wiring == LayerPlan.Wiring.CARRIED ? List.of(l.node.op()) : List.of();
                trace(new PathOrigin(new GraphNode.Layer(p), l.outputWidth(), l.convolution != null), l.output,
                        passed, unitAxes(l), found);
            }
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

    /**
     * Where a layer's units lie on its output: the last axis (d_out positions), or a convolution's channel axis,
     * axis 1 of {@code [N, C, spatial…]}.
     */
    private static UnitAxes unitAxes(LayerPlan l) {
        if (l.convolution == null) {
            return UnitAxes.last(l.outputWidth());
        }
        int fromEnd = -(l.convolution.kernelShape().size() + 1);
        return UnitAxes.of(List.of(fromEnd), l.convolution.transposed() ? -1 : l.outputWidth());
    }

    /**
     * One note per node where a product of two computed values ended paths from layers: the node, the layers and
     * why ({@link UnitAxisRules#CONTRACTED}: it sums over their units; or their axes were not known there).
     */
    List<String> endedPathNotes() {
        List<String> notes = new ArrayList<>();
        ended.forEach((node, byReason) -> byReason.forEach((reason, producers) -> {
            List<String> names = new ArrayList<>();
            for (int p : producers) {
                if (names.size() == MAX_NAMES_IN_NOTE) {
                    names.add("…(" + (producers.size() - MAX_NAMES_IN_NOTE) + " more)");
                    break;
                }
                names.add("'" + layers.get(p).name + "'");
            }
            notes.add("node '" + node.name + "' (" + node.op() + ") multiplies two computed values; the paths from "
                    + String.join(", ", names) + " end there: " + (reason.equals(UnitAxisRules.CONTRACTED)
                    ? "contracted (it sums over their units), so no pair crosses it"
                    : reason + ", so no pair crosses it"));
        }));
        return notes;
    }

    private static int kind(GraphNode n) {
        return n instanceof GraphNode.Input ? 0 : n instanceof GraphNode.Layer ? 1 : 2;
    }

    /**
     * Where the path stands: the value reached, the operations passed, the residual additions crossed, how the
     * producer's units lie along the value's unit axis, whether a channel-first (convolution) output has been
     * flattened, and which axes hold the units ({@link UnitAxes}).
     */
    private record State(ValueId value, List<String> ops, int skips, UnitMapping units, boolean flattened,
                         UnitAxes axes) {
    }

    private void trace(PathOrigin from, ValueId start, List<String> passed, UnitAxes startAxes,
                       Map<List<Object>, GraphEdge> found) {
        ArrayDeque<State> queue = new ArrayDeque<>();
        Set<List<Object>> visited = new HashSet<>();
        queue.add(new State(start, passed, 0, UnitMapping.identity(), false, startAxes));
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
                        s.flattened(), UnitAxes.UNKNOWN));
            }
            for (Use u : graph.usesOf(s.value())) {
                step(from, s, u, queue, found);
            }
        }
    }

    private void step(PathOrigin from, State s, Use u, ArrayDeque<State> queue, Map<List<Object>, GraphEdge> found) {
        Node n = u.node();
        List<Integer> consumers = layersByNode.get(n);
        if (consumers != null) {
            for (int c : consumers) {
                LayerPlan consumer = layers.get(c);
                GraphNode to = new GraphNode.Layer(c);
                List<Object> key = List.of(from.node(), to, s.skips() > 0);
                if (consumer.wiring.readsInput() && consumer.input.equals(s.value()) && !to.equals(from.node())
                        && !found.containsKey(key)) {
                    // the first path found wins; the edge (a copy of the path's operations) is built once
                    UnitMapping mapping = UnitMappingRules.atConsumer(from, s.units(), s.flattened(), consumer);
                    found.put(key, new GraphEdge(from.node(), to, s.ops(), s.skips() > 0, mapping));
                }
            }
            return;
        }
        if (unread.endsPaths(n) || isBiasAdd(n) || NOT_DATA.contains(n.op())
                || (u.input() > 0 && FIRST_INPUT_ONLY.contains(n.op()))) {
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
        @Nullable UnitAxes after = null;
        if (axes.isProductOfComputedValues(n)) {
            UnitAxisRules.Passage passage = axes.product(n, u.input(), s.value(), s.axes());
            String reason = passage.ended();
            if (reason != null) {
                if (from.node() instanceof GraphNode.Layer producer) {
                    ended.computeIfAbsent(n, k -> new LinkedHashMap<>())
                            .computeIfAbsent(reason, k -> new LinkedHashSet<>()).add(producer.index());
                }
                return; // the product sums over the units, or cannot be shown to keep them: the path ends
            }
            after = passage.axes();
        }
        List<String> ops = append(s.ops(), n.op());
        boolean flattened = s.flattened()
                || (from.channelFirst() && (n.op().equals("Flatten") || n.op().equals("Reshape")));
        if (n.op().equals("Split")) {
            for (int k = 0; k < n.outputs.size(); k++) {
                queue.add(new State(n.outputs.get(k), ops, skips, units.split(n, k, s.value(), s.units(), from),
                        flattened, axes.through(n, u.input(), k, s.value(), s.axes())));
            }
            return;
        }
        UnitMapping mapping = units.through(n, u.input(), s.value(), s.units(), from);
        UnitAxes next = after != null ? after : axes.through(n, u.input(), 0, s.value(), s.axes());
        List<ValueId> data = FIRST_OUTPUT_ONLY.contains(n.op()) ? n.outputs.subList(0, Math.min(1, n.outputs.size()))
                : n.outputs;
        for (ValueId out : data) {
            queue.add(new State(out, ops, skips, mapping, flattened, next));
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
                        new UnitMapping.NotUnitWise("through " + n.op()), s.flattened(), UnitAxes.UNKNOWN));
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
