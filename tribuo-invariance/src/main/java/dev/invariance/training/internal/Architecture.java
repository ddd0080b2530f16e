package dev.invariance.training.internal;

import dev.invariance.network.Activation;
import dev.invariance.network.LayerStructure;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a feed-forward classifier: widths d_0 (inputs), d_1 … d_{L−1} (hidden), d_L (outputs); the
 * activation after each hidden layer (the output layer is always linear); biases on or off; and residual
 * skips {@code x_{i+1} = σ(W_i x_i + b_i) + x_i} around every hidden-to-hidden layer of equal width; and the
 * {@link LayerStructure} of the hidden layers. A structure other than DENSE applies to every layer whose W is square
 * d × d with d = d_0, the number of features (the hidden layers, whose widths must then all be d); the output layer
 * (d_L × d) stays dense unless {@code structuredOutput}, which needs d_L = d and gives it the structure too (every
 * layer square and structured, as in a circular convolutional linear network).
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because
 * {@code DeepNetTrainer} (package {@code deepnet}) and the benchmark harness call the engine across packages; it may
 * change without notice. Users train through {@code DeepNetTrainer}.
 *
 * @param widths      d_0 … d_L, at least two entries, all positive
 * @param activations the activation after each hidden layer, L − 1 entries
 * @param bias        whether every layer has a bias vector
 * @param skip        whether equal-width hidden-to-hidden layers get a residual skip
 * @param structure   the parameterisation of the hidden layers
 * @param structuredOutput whether the output layer has {@code structure} too (it is dense otherwise)
 */
public record Architecture(List<Integer> widths, List<Activation> activations, boolean bias, boolean skip,
                           LayerStructure structure, boolean structuredOutput) {

    /** A network of dense layers. */
    public Architecture(List<Integer> widths, List<Activation> activations, boolean bias, boolean skip) {
        this(widths, activations, bias, skip, LayerStructure.DENSE, false);
    }

    /** A network whose hidden layers have {@code structure} and whose output layer is dense. */
    public Architecture(List<Integer> widths, List<Activation> activations, boolean bias, boolean skip,
                        LayerStructure structure) {
        this(widths, activations, bias, skip, structure, false);
    }

    /**
     * Validates the lists and copies them.
     *
     * @throws IllegalArgumentException naming the widths when a structure other than DENSE meets a hidden width
     *                                  that is not the number of features, or a network without hidden layers
     *                                  (unless the output layer is structured); naming the output width when a
     *                                  structured output layer is not square, or the structure when it is DENSE
     */
    public Architecture {
        widths = List.copyOf(widths);
        activations = List.copyOf(activations);
        if (widths.size() < 2) {
            throw new IllegalArgumentException("a network needs an input and an output width");
        }
        for (int w : widths) {
            if (w <= 0) {
                throw new IllegalArgumentException("layer widths must be positive, got " + widths);
            }
        }
        if (activations.size() != widths.size() - 2) {
            throw new IllegalArgumentException("expected " + (widths.size() - 2) + " hidden activations, got "
                    + activations.size());
        }
        if (structuredOutput) {
            if (structure == LayerStructure.DENSE) {
                throw new IllegalArgumentException("a structured output layer needs a structure (diagonal or"
                        + " circulant), got dense");
            }
            int outputs = widths.get(widths.size() - 1);
            if (outputs != widths.get(0)) {
                throw new IllegalArgumentException("a structured output layer must be square: " + outputs
                        + (outputs == 1 ? " output" : " outputs") + " but " + widths.get(0) + " features");
            }
        }
        if (structure != LayerStructure.DENSE) {
            List<Integer> hidden = widths.subList(1, widths.size() - 1);
            if (hidden.isEmpty() && !structuredOutput) {
                throw new IllegalArgumentException("structure " + structure.getConfigName()
                        + " applies to the hidden layers, and the network has none");
            }
            for (int w : hidden) {
                if (w != widths.get(0)) {
                    throw new IllegalArgumentException("structure " + structure.getConfigName()
                            + " needs every hidden width to equal the number of features " + widths.get(0)
                            + ", got hidden widths " + hidden);
                }
            }
        }
    }

    /**
     * Builds the architecture for {@code inputs} features, the given hidden widths and {@code outputs} units,
     * expanding a single activation to every hidden layer.
     */
    public static Architecture of(int inputs, List<Integer> hidden, List<Activation> activations, int outputs,
                                  boolean bias, boolean skip) {
        List<Integer> widths = new ArrayList<>();
        widths.add(inputs);
        widths.addAll(hidden);
        widths.add(outputs);
        List<Activation> perLayer = new ArrayList<>();
        if (activations.size() == 1) {
            for (int i = 0; i < hidden.size(); i++) {
                perLayer.add(activations.get(0));
            }
        } else if (activations.size() == hidden.size()) {
            perLayer.addAll(activations);
        } else {
            throw new IllegalArgumentException("give one activation for all hidden layers or one per hidden layer ("
                    + hidden.size() + "), got " + activations.size());
        }
        return new Architecture(widths, perLayer, bias, skip);
    }

    /** This architecture with the hidden layers parameterised by {@code layers} (validated as on construction). */
    public Architecture withStructure(LayerStructure layers) {
        return new Architecture(widths, activations, bias, skip, layers, structuredOutput);
    }

    /**
     * This architecture with the hidden layers parameterised by {@code layers} and the output layer too when
     * {@code output} (validated as on construction: a structured output layer needs a structure and d_L = d_0).
     */
    public Architecture withStructure(LayerStructure layers, boolean output) {
        return new Architecture(widths, activations, bias, skip, layers, output);
    }

    /**
     * The structure of layer i: the architecture's structure for a hidden layer, and for the output layer when it
     * is structured; DENSE otherwise.
     */
    public LayerStructure structure(int layer) {
        return layer < depth() - 1 || structuredOutput ? structure : LayerStructure.DENSE;
    }

    /** Number of dense layers L. */
    public int depth() {
        return widths.size() - 1;
    }

    /** d_in of layer i. */
    public int inputWidth(int layer) {
        return widths.get(layer);
    }

    /** d_out of layer i. */
    public int outputWidth(int layer) {
        return widths.get(layer + 1);
    }

    /** The activation after layer i (linear for the output layer). */
    public Activation activation(int layer) {
        return layer < activations.size() ? activations.get(layer) : Activation.LINEAR;
    }

    /** Whether layer i carries a residual skip: a hidden-to-hidden layer (1 ≤ i ≤ L − 2) with d_in = d_out. */
    public boolean hasSkip(int layer) {
        return skip && layer >= 1 && layer <= depth() - 2 && inputWidth(layer) == outputWidth(layer);
    }
}
