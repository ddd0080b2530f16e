package dev.invariance.network;

import org.jspecify.annotations.Nullable;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A network as the analyzer sees it: a data-flow graph whose nodes are the graph's inputs, its dense layers and its
 * outputs ({@link GraphNode}). Each {@link DenseLayer} holds its matrix in the {@code W} (d_out × d_in) convention;
 * each edge says that one node's value reaches another through non-dense operations, which ones, and how the
 * producer's units map onto the consumer's columns ({@link UnitMapping}). Edges between two layers are
 * {@link DataFlowEdge}s ({@link #edges()}, the pairs the alignment metrics are about); edges that start at an input
 * or end at an output are {@link GraphEdge}s ({@link #boundaryEdges()}). {@link #predecessors(int)} and
 * {@link #successors(int)} see both. Immutable.
 * <p>
 * A chain of dense layers is the special case built by {@link #chain} and {@link #residualChain} (the trainer's
 * networks, which can also be run in memory: {@link #residualLayers()} recognises them); imported graphs (parallel
 * branches, concatenations, slices, convolutions, layers inside control flow) are built with {@link #graph}.
 *
 * @param source        a human-readable origin (a file, a model class)
 * @param layers        the dense layers, in data-flow (graph) order
 * @param edges         the edges between two layers, ordered by consumer then producer
 * @param inputs        the graph's inputs (empty when the graph was built without them: then a layer's
 *                      predecessors are its layer edges only)
 * @param outputs       the graph's outputs
 * @param boundaryEdges the edges from an input or to an output
 */
public record NetworkDescription(String source, List<DenseLayer> layers, List<DataFlowEdge> edges,
                                 List<GraphPort> inputs, List<GraphPort> outputs, List<GraphEdge> boundaryEdges)
        implements Serializable {

    /** Copies the lists and checks that every edge names existing nodes. */
    public NetworkDescription {
        Objects.requireNonNull(source, "source");
        layers = List.copyOf(layers);
        if (inputs == null) {
            // Java-serialised before the graph had inputs and outputs: such descriptions were the trainer's chains
            NetworkDescription legacy = legacyChain(source, layers, edges);
            edges = legacy.edges;
            inputs = legacy.inputs;
            outputs = legacy.outputs;
            boundaryEdges = legacy.boundaryEdges;
        }
        edges = List.copyOf(edges);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        boundaryEdges = List.copyOf(boundaryEdges);
        GraphStructure.check(layers.size(), inputs, outputs, edges, boundaryEdges);
    }

    /** A chain without residual additions: input → layer 0 → … → layer L − 1 → output. */
    public static NetworkDescription chain(String source, List<DenseLayer> layers) {
        return residualChain(source, layers, Collections.nCopies(layers.size(), false));
    }

    /**
     * A chain with residual additions (the trainer's networks): {@code x_{i+1} = σ_i(W_i x_i + b_i) + x_i} where
     * {@code residual.get(i)}, else {@code σ_i(W_i x_i + b_i)}; x_0 is the one input, x_L the one output. Each layer
     * gets an edge from the node before it and, across a residual addition, from the node before that (a path
     * crosses at most {@link #SKIPS_PER_PATH} residual addition: the rule the ONNX reader applies to residual
     * {@code Add}s, so a model and its ONNX export have the same edges, and a residual stream of depth L gives O(L)
     * edges rather than O(L²)). The edges list {@code Relu} after a ReLU layer and {@code Add} on both paths into a
     * residual addition, as the ONNX export's graph does; edges are ordered by consumer, then producer.
     *
     * @throws IllegalArgumentException if d_in(i + 1) ≠ d_out(i) for some i (usually a missed transpose), or a
     *                                  residual layer is not square
     */
    public static NetworkDescription residualChain(String source, List<DenseLayer> layers, List<Boolean> residual) {
        if (residual.size() != layers.size()) {
            throw new IllegalArgumentException(residual.size() + " residual flags for " + layers.size() + " layers");
        }
        for (int i = 0; i < layers.size(); i++) {
            DenseLayer layer = layers.get(i);
            if (i > 0 && layer.inputWidth() != layers.get(i - 1).outputWidth()) {
                throw new IllegalArgumentException("layer " + layer.name() + " expects " + layer.inputWidth()
                        + " inputs but layer " + layers.get(i - 1).name() + " produces " + layers.get(i - 1).outputWidth()
                        + " (a missed transpose?)");
            }
            if (residual.get(i) && layer.inputWidth() != layer.outputWidth()) {
                throw new IllegalArgumentException("a residual addition around layer " + layer.name() + " adds its width-"
                        + layer.inputWidth() + " input to its width-" + layer.outputWidth() + " output");
            }
        }
        int depth = layers.size();
        GraphPort input = new GraphPort("input", depth == 0 ? null : layers.get(0).inputWidth());
        GraphPort output = new GraphPort("output", depth == 0 ? null : layers.get(depth - 1).outputWidth());
        List<DataFlowEdge> edges = new ArrayList<>();
        List<GraphEdge> boundary = new ArrayList<>();
        // consumer node c = 1 … depth (depth is the output): it reads x_c
        for (int c = 0; c <= depth; c++) {
            GraphNode to = c == depth ? new GraphNode.Output(0) : new GraphNode.Layer(c);
            GraphNode direct = c == 0 ? new GraphNode.Input(0) : new GraphNode.Layer(c - 1);
            boolean sum = c > 0 && residual.get(c - 1);
            if (sum) {
                // x_c = σ(h_{c−1}) + x_{c−1}: whatever wrote x_{c−1} reaches c across the addition
                GraphNode carried = c == 1 ? new GraphNode.Input(0) : new GraphNode.Layer(c - 2);
                add(edges, boundary, layers, carried, to, true, true);
            }
            add(edges, boundary, layers, direct, to, sum, false);
        }
        return new NetworkDescription(source, layers, edges, List.of(input), List.of(output), boundary);
    }

    private static void add(List<DataFlowEdge> edges, List<GraphEdge> boundary, List<DenseLayer> layers, GraphNode from,
                            GraphNode to, boolean add, boolean residual) {
        List<String> ops = new ArrayList<>(2);
        if (from instanceof GraphNode.Layer l && layers.get(l.index()).activation() == Activation.RELU) {
            ops.add("Relu");
        }
        if (add) {
            ops.add("Add");
        }
        GraphEdge e = new GraphEdge(from, to, ops, residual, UnitMapping.identity());
        if (e.joinsLayers()) {
            edges.add(new DataFlowEdge(from.index(), to.index(), ops, residual));
        } else {
            boundary.add(e);
        }
    }

    /** A data-flow graph of layers and the edges between them only, its inputs and outputs not known. */
    public static NetworkDescription graph(String source, List<DenseLayer> layers, List<DataFlowEdge> edges) {
        return new NetworkDescription(source, layers, edges, List.of(), List.of(), List.of());
    }

    /** A data-flow graph with its inputs, outputs and the edges that touch them. */
    public static NetworkDescription graph(String source, List<DenseLayer> layers, List<GraphPort> inputs,
                                           List<GraphPort> outputs, List<DataFlowEdge> edges,
                                           List<GraphEdge> boundaryEdges) {
        return new NetworkDescription(source, layers, edges, inputs, outputs, boundaryEdges);
    }

    /** Number of dense layers L. */
    public int depth() {
        return layers.size();
    }

    /** Layer i (0-based). */
    public DenseLayer layer(int i) {
        return layers.get(i);
    }

    /**
     * Every edge into layer {@code layer}: from inputs and from other layers. For repeated lookups on large graphs,
     * {@link NetworkOutline#predecessorLists()} builds them all at once.
     */
    public List<GraphEdge> predecessors(int layer) {
        return GraphStructure.predecessors(layers.size(), edges, boundaryEdges).get(layer);
    }

    /** Every edge out of layer {@code layer}: to other layers and to outputs. */
    public List<GraphEdge> successors(int layer) {
        return GraphStructure.successors(layers.size(), edges, boundaryEdges).get(layer);
    }

    /** Whether every activation is linear and no layer has a bias, the setting of the deep-linear theory. */
    public boolean isLinear() {
        for (DenseLayer l : layers) {
            if (l.activation() != Activation.LINEAR || l.hasBias()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the graph is a plain chain: one input feeding layer 0 only, layer i feeding layer i + 1 only, the last
     * layer feeding the one output, every unit mapping between them the identity and no residual path (the setting
     * in which the end-to-end map is the product of the W's; what follows the last layer, a {@code Softmax}, is not
     * part of it). The operations on the edges are not checked: see {@link #residualLayers()} for a chain that can be
     * run.
     */
    public boolean isChain() {
        return GraphStructure.isChain(layers.size(), inputs, outputs, edges, boundaryEdges);
    }

    /**
     * When this graph is what {@link #residualChain} builds (so {@code x_{i+1} = σ_i(W_i x_i + b_i)} plus the
     * residual additions describes it completely, and it can be run in memory): which layers have a residual
     * addition. Edges may also pass value-preserving operations ({@code Reshape}, {@code Identity}, {@code Cast}, …);
     * what follows the last layer (a {@code Softmax} or {@code Sigmoid} before the output) is not run. Null for any
     * other graph.
     */
    public @Nullable List<Boolean> residualLayers() {
        if (inputs.size() != 1 || outputs.size() != 1) {
            return null;
        }
        List<Boolean> flags = skippedLayers(layers.size(), edges);
        for (GraphEdge e : boundaryEdges) {
            if (e.viaResidual() && e.from() instanceof GraphNode.Input && e.to() instanceof GraphNode.Layer l
                    && l.index() == 1) {
                flags.set(0, true);
            } else if (e.viaResidual() && e.to() instanceof GraphNode.Output && !layers.isEmpty()) {
                flags.set(layers.size() - 1, true);
            }
        }
        NetworkDescription expected;
        try {
            expected = residualChain(source, layers, flags);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (expected.edges.size() != edges.size() || expected.boundaryEdges.size() != boundaryEdges.size()) {
            return null;
        }
        for (int i = 0; i < edges.size(); i++) {
            if (!sameStep(expected.edges.get(i).toGraphEdge(), edges.get(i).toGraphEdge())) {
                return null;
            }
        }
        for (int i = 0; i < boundaryEdges.size(); i++) {
            if (!sameStep(expected.boundaryEdges.get(i), boundaryEdges.get(i))) {
                return null;
            }
        }
        return List.copyOf(flags);
    }

    /** Operations that pass every value unchanged (an imported chain may list them between its layers). */
    private static final Set<String> VALUE_PRESERVING = Set.of("Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
            "Cast", "Dropout");

    /**
     * Whether an edge does what the chain's edge does: same ends, residual flag, unit mapping and operations apart
     * from value-preserving ones; what follows the last layer (a {@code Softmax} before an output) is not part of it.
     */
    private static boolean sameStep(GraphEdge expected, GraphEdge actual) {
        if (!expected.from().equals(actual.from()) || !expected.to().equals(actual.to())
                || expected.viaResidual() != actual.viaResidual()) {
            return false;
        }
        if (actual.to() instanceof GraphNode.Output) {
            return true; // a Softmax after the last layer is not part of the chain, nor its mapping
        }
        List<String> ops = new ArrayList<>(actual.ops());
        ops.removeAll(VALUE_PRESERVING);
        return ops.equals(expected.ops()) && expected.units().equals(actual.units());
    }

    /** Whether this is a chain that can be run in memory ({@link #residualLayers()} is not null). */
    public boolean isFeedForward() {
        return residualLayers() != null;
    }

    /** The layers without their weights, and the graph. */
    public NetworkOutline outline() {
        List<LayerOutline> out = new ArrayList<>(layers.size());
        for (DenseLayer l : layers) {
            out.add(l.outline());
        }
        return new NetworkOutline(source, out, edges, inputs, outputs, boundaryEdges);
    }

    /** This in-memory network as a {@link StreamedNetwork} (loading returns the layers held). */
    public StreamedNetwork asStream() {
        NetworkOutline outline = outline();
        return new StreamedNetwork() {
            @Override
            public NetworkOutline outline() {
                return outline;
            }

            @Override
            public DenseLayer load(int index) {
                return layers.get(index);
            }

            @Override
            public void close() {
            }
        };
    }

    /** How many residual additions one data-flow path may cross (see {@link #residualChain}). */
    public static final int SKIPS_PER_PATH = 1;

    /**
     * The layers a residual path between two layers skips: an edge (p, p + 2) across an addition is the residual
     * around layer p + 1 (the chain's rule, {@link #residualChain}).
     */
    private static List<Boolean> skippedLayers(int depth, List<DataFlowEdge> edges) {
        List<Boolean> flags = new ArrayList<>(Collections.nCopies(depth, false));
        for (DataFlowEdge e : edges) {
            if (e.viaResidual() && e.consumer() == e.producer() + 2) {
                flags.set(e.producer() + 1, true);
            }
        }
        return flags;
    }

    private static List<List<Object>> ends(List<DataFlowEdge> edges) {
        List<List<Object>> out = new ArrayList<>(edges.size());
        for (DataFlowEdge e : edges) {
            out.add(List.of(e.producer(), e.consumer(), e.viaResidual()));
        }
        return out;
    }

    /**
     * The graph of a description Java-serialised by version 0.1.0 (no edges: a plain chain; its model restores the
     * residual additions from its provenance) or by later versions before inputs and outputs (edges between layers:
     * the residual additions are the edges that skip one layer).
     */
    private static NetworkDescription legacyChain(String source, List<DenseLayer> layers,
                                                  @Nullable List<DataFlowEdge> edges) {
        List<Boolean> flags = skippedLayers(layers.size(), edges == null ? List.of() : edges);
        try {
            NetworkDescription chain = residualChain(source, layers, flags);
            if (edges == null || ends(chain.edges).equals(ends(edges))) {
                return chain; // the same edges; earlier versions listed no Add on the direct path into a sum
            }
        } catch (IllegalArgumentException e) {
            // not a chain: keep the edges as they were, without inputs and outputs
        }
        return new NetworkDescription(source, layers, edges == null ? List.of() : edges, List.of(), List.of(), List.of());
    }
}
