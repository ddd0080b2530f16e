package dev.invariance.onnx.reading;

import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.Use;
import dev.invariance.onnx.reading.GraphIndex.ValueId;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The {@code BatchNormalization} nodes that read a dense layer's output, directly or through nodes that only move
 * values around ({@code Identity}, {@code Dropout}, {@code Reshape}, {@code Flatten}, {@code Squeeze},
 * {@code Unsqueeze}, {@code Transpose}, {@code Cast}). Each gets a note naming the layer and the node. When asked
 * ({@link OnnxReadOption#FOLD_BATCH_NORMALIZATION}) one that can be folded is ({@link BatchNormFold}): the layer's
 * weight and bias become the affine map both nodes compute, its origin lists the normalisation, and its output, where
 * the edges start and its ReLU is looked for, becomes the normalisation's output. It can be folded when it is in
 * inference mode, its four parameters are constant vectors of d_out entries, the layer's units lie on the axis it
 * normalises (axis 1) all the way ({@link UnitPosition}), and nothing else reads the values in between. The notes
 * say why one cannot be, and name the normalisations that follow no layer.
 */
final class BatchNormFolding {
    /** The nodes a layer's output may pass and still be followed by the normalisation. */
    private static final Set<String> SHAPE_ONLY = Set.of("Identity", "Dropout", "Reshape", "Flatten", "Squeeze",
            "Unsqueeze", "Transpose", "Cast");
    /** How many such nodes are looked through. */
    private static final int MAX_STEPS = 16;
    /** How many of the normalisations that follow no layer a note names. */
    private static final int NAMED = 5;

    private final GraphIndex graph;
    private final ConstantFolding constants;
    private final ValueShapes shapes;
    private final UnitMappingRules units;
    private final Set<ValueId> graphOutputs = new HashSet<>();

    /** A normalisation reached from a layer: why it cannot be folded (null: it can) and its output's rank (or −1). */
    private record Reach(Node batchNorm, @Nullable String obstacle, int rank) {
    }

    private BatchNormFolding(GraphIndex graph, ConstantFolding constants, List<LayerPlan> layers) {
        this.graph = graph;
        this.constants = constants;
        this.shapes = new ValueShapes(layers, constants);
        this.units = new UnitMappingRules(constants, shapes);
        graphOutputs.addAll(graph.main.outputs);
        graphOutputs.addAll(graph.bodyOutputLinks.keySet());
    }

    /**
     * Notes every normalisation that follows a layer of {@code layers}, and folds those that can be when
     * {@code fold} is set.
     *
     * @param notes receives one note per normalisation that follows a layer, and one naming those that follow none
     */
    static void apply(GraphIndex graph, ConstantFolding constants, List<LayerPlan> layers, boolean fold,
                      List<String> notes) {
        BatchNormFolding folding = new BatchNormFolding(graph, constants, layers);
        Set<Node> reached = Collections.newSetFromMap(new IdentityHashMap<>());
        for (LayerPlan layer : layers) {
            if (layer.wiring != LayerPlan.Wiring.THROUGH) {
                continue; // a part of a packed weight: the node's output is not this matrix's h
            }
            for (Reach r : folding.following(layer)) {
                reached.add(r.batchNorm());
                String pair = "layer '" + layer.name + "' is followed by BatchNormalization '" + r.batchNorm().name + "'";
                if (r.obstacle() != null) {
                    notes.add(pair + ", which cannot be folded into it (" + r.obstacle() + "); the layer's figures are"
                            + " those of its stored W");
                } else if (fold) {
                    folding.fold(layer, r);
                    notes.add(pair + ": folded into the layer's W and bias");
                } else {
                    notes.add(pair + "; the layer's figures are those of its stored W, without the normalisation's"
                            + " per-unit scale (--fold-batchnorm folds it into W)");
                }
            }
        }
        List<String> alone = new ArrayList<>();
        for (Node n : graph.order) {
            if (n.isStandard() && n.op().equals(BatchNormFold.OPERATOR) && !reached.contains(n)) {
                alone.add("'" + n.name + "'");
            }
        }
        if (!alone.isEmpty()) {
            notes.add(alone.size() + " BatchNormalization node" + (alone.size() == 1 ? " does" : "s do")
                    + " not read a dense layer's output and " + (alone.size() == 1 ? "is" : "are")
                    + " folded into no layer: " + String.join(", ", alone.subList(0, Math.min(NAMED, alone.size())))
                    + (alone.size() > NAMED ? ", …" : ""));
        }
    }

    /** The normalisations that read {@code layer}'s output through shape-only nodes. */
    private List<Reach> following(LayerPlan layer) {
        UnitPosition start = UnitPosition.atOutput(layer, shapes);
        String obstacle = null;
        if (start == null) {
            obstacle = layer.convolution != null
                    ? "the rows of this ConvTranspose's W are output channels at kernel positions or shared by groups,"
                    + " not one per output channel"
                    : "its weight is the first operand, so its units do not lie on the normalised axis 1";
        }
        List<Reach> found = new ArrayList<>();
        walk(layer, layer.output, start, obstacle, 0, found, new HashSet<>());
        return found;
    }

    private void walk(LayerPlan layer, ValueId v, @Nullable UnitPosition at, @Nullable String obstacle, int steps,
                      List<Reach> found, Set<ValueId> seen) {
        if (steps > MAX_STEPS || !seen.add(v)) {
            return;
        }
        List<Use> uses = graph.usesOf(v);
        String why = obstacle;
        if (why == null && (uses.size() > 1 || graphOutputs.contains(v))) {
            why = "the values between them are read elsewhere too";
        }
        for (Use u : uses) {
            Node n = u.node();
            if (u.input() != 0 || !n.isStandard() || n.proto.getOutputCount() == 0 || n.proto.getOutput(0).isEmpty()) {
                continue;
            }
            if (n.op().equals(BatchNormFold.OPERATOR)) {
                String own = at == null ? null : at.onAxis1() ? parameterObstacle(n, layer.outputWidth())
                        : "it normalises axis 1, which does not hold the layer's units";
                found.add(new Reach(n, why != null ? why : own, at == null ? -1 : at.rank()));
            } else if (SHAPE_ONLY.contains(n.op())) {
                UnitPosition next = at == null ? null : at.through(n, layer.outputWidth(), units);
                String nextWhy = why != null || next != null ? why
                        : "the units may leave the normalised axis through " + n.op() + " '" + n.name + "'";
                walk(layer, n.outputs.get(0), next, nextWhy, steps + 1, found, seen);
            }
        }
    }

    /** Why the normalisation {@code n} is not one affine map per unit of a layer of {@code width} units, or null. */
    private @Nullable String parameterObstacle(Node n, int width) {
        if (n.intAttribute("training_mode", 0) != 0 || n.outputs.size() > 1
                || (n.attribute("is_test") != null && n.intAttribute("is_test", 0) == 0)) {
            return "it is in training mode: it normalises with each batch's own statistics";
        }
        for (int i = 1; i <= 4; i++) {
            ConstantTensor t = constants.constant(n.input(i)).orElse(null);
            if (t == null || !t.precisionKnown() || t.count() != width) {
                return "its scale, bias, mean and variance are not constant vectors of " + width + " entries";
            }
        }
        return null;
    }

    private void fold(LayerPlan layer, Reach r) {
        Node n = r.batchNorm();
        layer.batchNorm = new BatchNormFold(n, parameter(n, 1), parameter(n, 2), parameter(n, 3), parameter(n, 4),
                n.floatAttribute("epsilon", 1e-5f), r.rank());
        layer.output = n.outputs.get(0);
        layer.origin = layer.origin.withFolded(BatchNormFold.OPERATOR);
    }

    private ConstantTensor parameter(Node n, int input) {
        return constants.constant(n.input(input)).orElseThrow(); // checked by parameterObstacle
    }
}
