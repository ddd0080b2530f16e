package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The edges of an indexed ONNX graph whose dense layers are known: from each dense layer's output, and from each of
 * the main graph's data inputs, along the nodes that read it (activations, reshapes, normalisation, attention
 * arithmetic, control-flow bodies) to every dense node reached at its activation input and to every graph output.
 * <ul>
 *   <li>Only data inputs are followed (a value used as a {@code Reshape}'s shape or a {@code Gather}'s indices is not
 *       data) and {@code Shape}-like nodes end a path.</li>
 *   <li>An {@code Add} of two computed values whose one input is an ancestor of the other is a residual addition; a
 *       path entering it on that (skip) input is marked {@code viaResidual}, and a path passes at most
 *       {@link NetworkDescription#SKIPS_PER_PATH} skip input, so each residual addition gives its consumer one edge per
 *       incoming path rather than an edge from every earlier layer of the residual stream. The ancestor test searches
 *       only the nodes that lie between the two values in topological order, within a budget, so a graph is read in
 *       time linear in its size for the usual local residual blocks.</li>
 *   <li>Each edge says how the producer's units reach the consumer's columns ({@link UnitMapping}): unchanged through
 *       elementwise operations and reshapes; moved to an offset by a {@code Concat} along the unit axis and cut to a
 *       window by a {@code Split} or {@code Slice} of it; spread over positions when a consumer reads k·d_out values
 *       (units fastest after a {@code MatMul} applied at positions, units slowest after a {@code Conv} or into a
 *       {@code Conv}'s patch columns); not unit-wise through anything that mixes units (a computed {@code MatMul},
 *       {@code Softmax}, a reduction, {@code LayerNormalization}, a {@code Transpose} that moves axes, a product of
 *       two computed values).</li>
 * </ul>
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
    /** Nodes after which no output value belongs to one input unit. */
    private static final Set<String> MIXING = Set.of("MatMul", "Gemm", "Einsum", "Softmax", "LogSoftmax", "Hardmax",
            "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
            "ReduceLogSumExp", "ReduceSumSquare", "LayerNormalization", "InstanceNormalization", "GroupNormalization",
            "LpNormalization", "MeanVarianceNormalization", "Gather", "GatherElements", "GatherND", "CumSum", "TopK",
            "Resize", "Upsample", "GlobalAveragePool", "GlobalMaxPool", "AveragePool", "MaxPool", "LpPool",
            "Conv", "ConvTranspose", "SpaceToDepth", "DepthToSpace", "Scan", "Loop", "If", "LSTM", "GRU", "RNN",
            "Attention", "MultiHeadAttention", "SkipLayerNormalization", "EmbedLayerNormalization", "Tile", "Expand",
            "Pad", "Compress", "ScatterND", "ScatterElements", "Where", "NonMaxSuppression", "RoiAlign");
    /** Elementwise operations with two data inputs: a product of two computed values is not unit-wise. */
    private static final Set<String> PRODUCTS = Set.of("Mul", "Div", "Pow");
    /** How many values one residual ancestor test may visit before it answers "not residual". */
    static final int ANCESTOR_BUDGET = 20_000;
    private static final int MAX_SHAPE_VALUES = 64;
    private static final int MAX_WIDTH_DEPTH = 256;
    /** Operations recorded on an edge into a graph output (see {@link #outputOps}). */
    static final int MAX_OUTPUT_OPS = 64;

    private final GraphIndex graph;
    private final List<LayerPlan> layers;
    private final Function<ValueId, Optional<ConstantTensor>> constants;
    private final Map<Node, Integer> denseByNode = new IdentityHashMap<>();
    private final Map<ValueId, Integer> layerByOutput = new HashMap<>();
    private final Map<ValueId, Integer> outputIndex = new HashMap<>();
    private final Map<Node, Integer> topoIndex = new IdentityHashMap<>();
    private final Map<Node, Integer> skipSide = new IdentityHashMap<>();
    private final Map<ValueId, Integer> widths = new HashMap<>();
    private @Nullable Set<Node> biasAdds;
    final List<DataFlowEdge> edges = new ArrayList<>();
    final List<GraphEdge> boundaryEdges = new ArrayList<>();
    final List<GraphPort> inputs = new ArrayList<>();
    final List<GraphPort> outputs = new ArrayList<>();

    EdgeFinding(GraphIndex graph, List<LayerPlan> layers, Function<ValueId, Optional<ConstantTensor>> constants) {
        this.graph = graph;
        this.layers = layers;
        this.constants = constants;
        for (int i = 0; i < layers.size(); i++) {
            denseByNode.put(layers.get(i).node, i);
            layerByOutput.put(layers.get(i).output, i);
        }
        for (int i = 0; i < graph.order.size(); i++) {
            topoIndex.put(graph.order.get(i), i);
        }
        for (ValueId out : graph.main.outputs) {
            outputIndex.putIfAbsent(out, outputs.size());
            outputs.add(new GraphPort(out.name(), portWidth(out)));
        }
        Map<List<Object>, GraphEdge> found = new LinkedHashMap<>();
        List<ValueId> dataInputs = new ArrayList<>();
        for (ValueId in : graph.main.inputs) {
            if (GraphIndex.definition(in) instanceof ValueInfoProto) {
                dataInputs.add(in);
                inputs.add(new GraphPort(in.name(), portWidth(in)));
            }
        }
        for (int i = 0; i < dataInputs.size(); i++) {
            trace(new GraphNode.Input(i), dataInputs.get(i), -1, false, found);
        }
        for (int p = 0; p < layers.size(); p++) {
            LayerPlan l = layers.get(p);
            trace(new GraphNode.Layer(p), l.output, l.outputWidth(), l.convolution != null, found);
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

    private void trace(GraphNode from, ValueId start, int producerWidth, boolean channelFirst,
                       Map<List<Object>, GraphEdge> found) {
        ArrayDeque<State> queue = new ArrayDeque<>();
        Set<List<Object>> visited = new HashSet<>();
        queue.add(new State(start, List.of(), 0, UnitMapping.identity(), false));
        while (!queue.isEmpty()) {
            State s = queue.poll();
            if (!visited.add(List.of(s.value(), s.skips()))) {
                continue;
            }
            Integer out = outputIndex.get(s.value());
            if (out != null && !(from instanceof GraphNode.Input && s.ops().isEmpty())) {
                GraphNode to = new GraphNode.Output(out);
                List<Object> key = List.of(from, to, s.skips() > 0);
                if (!found.containsKey(key)) {
                    found.put(key, new GraphEdge(from, to, outputOps(s.ops()), s.skips() > 0, s.units()));
                }
            }
            for (ValueId next : graph.bodyOutputLinks.getOrDefault(s.value(), List.of())) {
                Node owner = GraphIndex.producer(next);
                queue.add(new State(next, append(s.ops(), owner == null ? "" : owner.op()), s.skips(),
                        new UnitMapping.NotUnitWise("through " + (owner == null ? "a control-flow body" : owner.op())),
                        s.flattened()));
            }
            for (Use u : graph.usesOf(s.value())) {
                step(from, producerWidth, channelFirst, s, u, queue, found);
            }
        }
    }

    private void step(GraphNode from, int producerWidth, boolean channelFirst, State s, Use u, ArrayDeque<State> queue,
                      Map<List<Object>, GraphEdge> found) {
        Node n = u.node();
        Integer c = denseByNode.get(n);
        if (c != null) {
            LayerPlan consumer = layers.get(c);
            GraphNode to = new GraphNode.Layer(c);
            List<Object> key = List.of(from, to, s.skips() > 0);
            if (consumer.input.equals(s.value()) && !to.equals(from) && !found.containsKey(key)) {
                // the first path found wins; the edge (a copy of the path's operations) is built once
                UnitMapping units = atConsumer(from, producerWidth, channelFirst, s, consumer);
                found.put(key, new GraphEdge(from, to, s.ops(), s.skips() > 0, units));
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
        if (n.op().equals("Add") && n.inputs.size() == 2 && skipSide(n) == u.input()) {
            if (skips == NetworkDescription.SKIPS_PER_PATH) {
                return;
            }
            skips++;
        }
        List<String> ops = append(s.ops(), n.op());
        boolean flattened = s.flattened() || (channelFirst && (n.op().equals("Flatten") || n.op().equals("Reshape")));
        if (n.op().equals("Split")) {
            for (int k = 0; k < n.outputs.size(); k++) {
                queue.add(new State(n.outputs.get(k), ops, skips, split(n, k, s, from, producerWidth, channelFirst),
                        flattened));
            }
            return;
        }
        UnitMapping units = through(n, u.input(), s, from, producerWidth, channelFirst);
        for (ValueId next : n.outputs) {
            queue.add(new State(next, ops, skips, units, flattened));
        }
    }

    /** The mapping at a dense consumer: a width mismatch is the producer's units spread over positions. */
    private static UnitMapping atConsumer(GraphNode from, int producerWidth, boolean channelFirst, State s,
                                          LayerPlan consumer) {
        UnitMapping m = s.units();
        int din = consumer.inputWidth();
        if (!(m instanceof UnitMapping.Identity) || from instanceof GraphNode.Input || producerWidth == din) {
            return m;
        }
        if (producerWidth <= 0 || din % producerWidth != 0) {
            return new UnitMapping.NotUnitWise(producerWidth + " units reach " + din + " columns through a reshape that"
                    + " mixes them");
        }
        int k = din / producerWidth;
        boolean intoConv = consumer.convolution != null && !consumer.convolution.transposed();
        if (intoConv) {
            return consumer.convolution.groups() == 1 ? new UnitMapping.Blocked(k)
                    : new UnitMapping.NotUnitWise("a grouped convolution reads each channel in one group only");
        }
        return channelFirst || s.flattened() ? new UnitMapping.Blocked(k) : new UnitMapping.Tiled(k);
    }

    /** The mapping after node {@code n} read the value on input {@code input}. */
    private UnitMapping through(Node n, int input, State s, GraphNode from, int producerWidth, boolean channelFirst) {
        UnitMapping m = s.units();
        if (!m.isUnitWise()) {
            return m;
        }
        String op = n.op();
        if (op.equals("Concat")) {
            if (!isUnitAxis(n, n.intAttribute("axis", 1), s.value(), channelFirst)) {
                return m;
            }
            int offset = 0;
            for (int i = 0; i < input; i++) {
                int w = width(n.input(i), 0);
                if (w < 0) {
                    return new UnitMapping.NotUnitWise("Concat with an input of unknown width");
                }
                offset += w;
            }
            return shifted(m, offset, from, producerWidth, s.value());
        }
        if (op.equals("Slice")) {
            return sliced(n, s, from, producerWidth, channelFirst);
        }
        if (op.equals("Transpose")) {
            AttributeProto perm = n.attribute("perm");
            if (perm != null) {
                for (int i = 0; i < perm.getIntsCount(); i++) {
                    if (perm.getInts(i) != i) {
                        return new UnitMapping.NotUnitWise("a Transpose moves the unit axis");
                    }
                }
                return m;
            }
            return new UnitMapping.NotUnitWise("a Transpose moves the unit axis");
        }
        if (MIXING.contains(op) || !n.isStandard()) {
            return new UnitMapping.NotUnitWise("through " + op);
        }
        if (PRODUCTS.contains(op) && n.inputs.size() == 2 && computed(n.input(0)) && computed(n.input(1))) {
            return new UnitMapping.NotUnitWise("a product of two computed values (" + op + ")");
        }
        return m;
    }

    private boolean computed(@Nullable ValueId v) {
        return v != null && constants.apply(v).isEmpty();
    }

    /** Output {@code k} of a {@code Split}: a window of the unit axis, or everything when another axis is split. */
    private UnitMapping split(Node n, int k, State s, GraphNode from, int producerWidth, boolean channelFirst) {
        UnitMapping m = s.units();
        if (!m.isUnitWise() || !isUnitAxis(n, n.intAttribute("axis", 0), s.value(), channelFirst)) {
            return m;
        }
        long[] sizes = null;
        ValueId splitInput = n.input(1);
        if (splitInput != null) {
            sizes = integers(splitInput);
        } else if (n.attribute("split") != null) {
            AttributeProto a = n.attribute("split");
            sizes = new long[a.getIntsCount()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = a.getInts(i);
            }
        } else {
            int w = width(s.value(), 0);
            int parts = n.outputs.size();
            if (w >= 0 && parts > 0 && w % parts == 0) {
                sizes = new long[parts];
                java.util.Arrays.fill(sizes, w / parts);
            }
        }
        if (sizes == null || k >= sizes.length) {
            return new UnitMapping.NotUnitWise("a Split whose sizes are not constant");
        }
        long start = 0;
        for (int i = 0; i < k; i++) {
            start += sizes[i];
        }
        return window(m, start, sizes[k], from, producerWidth, s.value());
    }

    /** A {@code Slice} with constant starts and ends and step 1 along the unit axis: a window; other axes: unchanged. */
    private UnitMapping sliced(Node n, State s, GraphNode from, int producerWidth, boolean channelFirst) {
        UnitMapping m = s.units();
        long[] starts = n.input(1) == null ? null : integers(n.input(1));
        long[] ends = n.input(2) == null ? null : integers(n.input(2));
        long[] axes = n.input(3) == null ? null : integers(n.input(3));
        long[] steps = n.input(4) == null ? null : integers(n.input(4));
        if (starts == null || ends == null || starts.length != ends.length
                || (n.input(3) != null && (axes == null || axes.length != starts.length))
                || (n.input(4) != null && (steps == null || steps.length != starts.length))) {
            return new UnitMapping.NotUnitWise("a Slice whose bounds are not constant");
        }
        for (int i = 0; i < starts.length; i++) {
            long axis = axes == null ? i : axes[i];
            if (!isUnitAxis(n, axis, s.value(), channelFirst)) {
                continue;
            }
            if (steps != null && steps[i] != 1) {
                return new UnitMapping.NotUnitWise("a Slice with step " + steps[i] + " along the units");
            }
            int w = width(s.value(), 0);
            if (w < 0) {
                return new UnitMapping.NotUnitWise("a Slice of a value of unknown width");
            }
            long b = clamp(starts[i], w);
            long e = clamp(ends[i], w);
            return window(m, b, Math.max(0, e - b), from, producerWidth, s.value());
        }
        return m;
    }

    private static long clamp(long index, int width) {
        long i = index < 0 ? index + width : index;
        return Math.max(0, Math.min(width, i));
    }

    /** Units now at columns {@code offset …}: a {@code Concat} placed the value after narrower ones. */
    private UnitMapping shifted(UnitMapping m, int offset, GraphNode from, int producerWidth, ValueId value) {
        if (m instanceof UnitMapping.Identity) {
            int w = from instanceof GraphNode.Layer ? producerWidth : width(value, 0);
            return w < 0 ? new UnitMapping.NotUnitWise("Concat of an input of unknown width")
                    : new UnitMapping.Window(0, offset, w);
        }
        if (m instanceof UnitMapping.Window w) {
            return new UnitMapping.Window(w.producerStart(), w.consumerStart() + offset, w.length());
        }
        return new UnitMapping.NotUnitWise("a Concat after a flatten");
    }

    /** Only columns {@code start … start + length − 1} of the value pass, renumbered from 0. */
    private UnitMapping window(UnitMapping m, long start, long length, GraphNode from, int producerWidth,
                               ValueId value) {
        if (start < 0 || length < 0 || start + length > Integer.MAX_VALUE) {
            return new UnitMapping.NotUnitWise("a window outside the units");
        }
        int w;
        int ps;
        int cs;
        if (m instanceof UnitMapping.Identity) {
            w = from instanceof GraphNode.Layer ? producerWidth : width(value, 0);
            if (w < 0) {
                return new UnitMapping.NotUnitWise("a window of a value of unknown width");
            }
            ps = 0;
            cs = 0;
        } else if (m instanceof UnitMapping.Window win) {
            ps = win.producerStart();
            cs = win.consumerStart();
            w = win.length();
        } else {
            return new UnitMapping.NotUnitWise("a window after a flatten");
        }
        long lo = Math.max(cs, start);
        long hi = Math.min((long) cs + w, start + length);
        if (hi <= lo) {
            return new UnitMapping.Window(0, 0, 0);
        }
        return new UnitMapping.Window((int) (ps + lo - cs), (int) (lo - start), (int) (hi - lo));
    }

    /**
     * Whether {@code axis} of node {@code n}'s input is the axis that holds the producer's units: the last axis for a
     * dense layer's output, axis 1 for a convolution's (channel-first), when the rank is known.
     */
    private boolean isUnitAxis(Node n, long axis, ValueId value, boolean channelFirst) {
        int rank = rank(value, 0);
        if (channelFirst) {
            return axis == 1 || (rank > 0 && axis == 1 - rank);
        }
        return axis == -1 || (rank > 0 && axis == rank - 1);
    }

    private @Nullable long[] integers(ValueId v) {
        Optional<ConstantTensor> c = constants.apply(v);
        if (c.isEmpty() || c.get().shape.length > 1 || c.get().count() > MAX_SHAPE_VALUES) {
            return null;
        }
        ConstantTensor t = c.get();
        if (t instanceof ConstantTensor.Stored st && !t.precisionKnown()) {
            return st.longs();
        }
        double[] d = t.values();
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }

    /** Values per example along the unit axis, or −1 when it cannot be told without running the model. */
    private int width(@Nullable ValueId v, int depth) {
        if (v == null || depth > MAX_WIDTH_DEPTH) {
            return -1;
        }
        Integer known = widths.get(v);
        if (known != null) {
            return known;
        }
        int w = computeWidth(v, depth);
        widths.put(v, w);
        return w;
    }

    private int computeWidth(ValueId v, int depth) {
        Integer layer = layerByOutput.get(v);
        if (layer != null) {
            return layers.get(layer).outputWidth();
        }
        Object def = GraphIndex.definition(v);
        if (def instanceof ValueInfoProto info) {
            List<TensorShapeProto.Dimension> dims = info.getType().getTensorType().getShape().getDimList();
            if (dims.isEmpty() || !dims.get(dims.size() - 1).hasDimValue()) {
                return -1;
            }
            long d = dims.get(dims.size() - 1).getDimValue();
            return d > 0 && d <= Integer.MAX_VALUE ? (int) d : -1;
        }
        Node n = GraphIndex.producer(v);
        if (n == null) {
            return -1;
        }
        if (n.op().equals("Concat") && n.intAttribute("axis", 1) == -1) {
            long sum = 0;
            for (ValueId in : n.inputs) {
                int w = width(in, depth + 1);
                if (w < 0) {
                    return -1;
                }
                sum += w;
            }
            return sum <= Integer.MAX_VALUE ? (int) sum : -1;
        }
        if (MIXING.contains(n.op()) || n.op().equals("Split") || n.op().equals("Slice") || n.op().equals("Reshape")
                || n.op().equals("Flatten") || n.op().equals("Transpose") || n.op().equals("Concat")) {
            return -1;
        }
        for (ValueId in : n.inputs) {
            if (computed(in)) {
                return width(in, depth + 1);
            }
        }
        return -1;
    }

    /** The rank of a value, or −1 when not known. */
    private int rank(@Nullable ValueId v, int depth) {
        if (v == null || depth > MAX_WIDTH_DEPTH) {
            return -1;
        }
        Object def = GraphIndex.definition(v);
        if (def instanceof ValueInfoProto info && info.getType().getTensorType().hasShape()) {
            return info.getType().getTensorType().getShape().getDimCount();
        }
        Integer layer = layerByOutput.get(v);
        Node n = GraphIndex.producer(v);
        if (layer != null) {
            LayerPlan l = layers.get(layer);
            if (l.op.equals("Gemm")) {
                return 2;
            }
            if (l.convolution != null) {
                return l.convolution.kernelShape().size() + 2;
            }
            return rank(l.input, depth + 1);
        }
        if (n == null || MIXING.contains(n.op()) || n.op().equals("Reshape") || n.op().equals("Flatten")
                || n.op().equals("Squeeze") || n.op().equals("Unsqueeze")) {
            return n != null && n.op().equals("Flatten") ? 2 : -1;
        }
        for (ValueId in : n.inputs) {
            if (computed(in)) {
                return rank(in, depth + 1);
            }
        }
        return -1;
    }

    /** Values per example of a graph input or output: the product of its non-batch dimensions, when all are fixed. */
    private static @Nullable Integer portWidth(ValueId v) {
        Object def = GraphIndex.definition(v);
        ValueInfoProto info = def instanceof ValueInfoProto i ? i : null;
        if (info == null) {
            for (ValueInfoProto o : v.scope().graph.getOutputList()) {
                if (o.getName().equals(v.name())) {
                    info = o;
                }
            }
        }
        if (info == null || !info.getType().getTensorType().hasShape()) {
            return null;
        }
        List<TensorShapeProto.Dimension> dims = info.getType().getTensorType().getShape().getDimList();
        long w = 1;
        for (int i = 1; i < dims.size(); i++) {
            if (!dims.get(i).hasDimValue() || dims.get(i).getDimValue() <= 0) {
                return null;
            }
            w *= dims.get(i).getDimValue();
            if (w > Integer.MAX_VALUE) {
                return null;
            }
        }
        return (int) w;
    }

    private boolean isBiasAdd(Node n) {
        if (biasAdds == null) {
            Set<Node> adds = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
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
        int bodyInput = n.op().equals("Loop") ? (input >= 2 ? input : -1) : input; // Loop: (M, cond, v...) -> (iter, cond, v...)
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
     * For an {@code Add} of two computed values: the input index that carries the skip (an ancestor of the other
     * input), or −1 when it is not a residual addition.
     */
    private int skipSide(Node add) {
        Integer known = skipSide.get(add);
        if (known != null) {
            return known;
        }
        int side = -1;
        ValueId a = add.input(0);
        ValueId b = add.input(1);
        if (a != null && b != null && !a.equals(b) && computed(a) && computed(b)) {
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
