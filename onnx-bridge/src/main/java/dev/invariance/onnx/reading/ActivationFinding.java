package dev.invariance.onnx.reading;

import dev.invariance.network.Activation;
import dev.invariance.onnx.reading.GraphIndex.Node;
import dev.invariance.onnx.reading.GraphIndex.Use;
import dev.invariance.onnx.reading.GraphIndex.ValueId;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The activation of each dense layer: ReLU when a {@code Relu} reads the layer's output through nodes that only move
 * values around ({@code Reshape}, {@code Flatten}, {@code Transpose}, …), so that it still acts on the layer's units.
 * Every other elementwise activation leaves the layer linear; it is recorded on the edges' op lists and named in a
 * note.
 */
final class ActivationFinding {
    /** Nodes that only move values around: a Relu behind them still acts on the layer's output. */
    private static final Set<String> SHAPE_ONLY = Set.of("Reshape", "Flatten", "Transpose", "Identity", "Squeeze",
            "Unsqueeze", "Dropout", "Cast");
    /** Elementwise activations other than ReLU, reported in a note. */
    private static final Set<String> OTHER_ACTIVATIONS = Set.of("Tanh", "Sigmoid", "Gelu", "LeakyRelu", "Elu", "Selu",
            "Softplus", "HardSigmoid", "HardSwish", "PRelu", "Mish", "Erf", "Softsign", "Celu", "ThresholdedRelu");

    private ActivationFinding() {
    }

    /**
     * Marks each layer whose output a {@code Relu} reads as ReLU-activated, with the {@code Relu}'s output value.
     *
     * @param notes receives one note naming the layers followed by another activation
     */
    static void find(GraphIndex graph, List<LayerPlan> layers, List<String> notes) {
        List<String> other = new ArrayList<>();
        for (LayerPlan l : layers) {
            if (l.wiring != LayerPlan.Wiring.THROUGH) {
                continue; // a part of a packed weight: its product is not a value of the graph (gates, attention)
            }
            ArrayDeque<ValueId> queue = new ArrayDeque<>();
            Set<ValueId> seen = new HashSet<>();
            queue.add(l.output);
            while (!queue.isEmpty() && l.reluOutput == null) {
                ValueId v = queue.poll();
                if (!seen.add(v)) {
                    continue;
                }
                for (Use u : graph.usesOf(v)) {
                    Node n = u.node();
                    if (n.op().equals("Relu") && !n.outputs.isEmpty()) {
                        l.activation = Activation.RELU;
                        l.reluOutput = n.outputs.get(0).name();
                        break;
                    }
                    if (OTHER_ACTIVATIONS.contains(n.op())) {
                        other.add(l.name + " (" + n.op() + ")");
                    } else if (SHAPE_ONLY.contains(n.op()) && u.input() == 0) {
                        queue.addAll(n.outputs);
                    }
                }
            }
        }
        if (!other.isEmpty()) {
            notes.add("activations other than ReLU are recorded on the edges and treated as linear in the layers: "
                    + String.join(", ", other.stream().distinct().toList()));
        }
    }
}
