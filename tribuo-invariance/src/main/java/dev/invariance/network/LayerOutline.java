package dev.invariance.network;

import org.jspecify.annotations.Nullable;

import java.io.Serializable;
import java.util.Objects;

/**
 * Everything about a dense layer except its weights: what a streaming reader knows before it reads the tensor
 * (d_out × d_in in the {@code W} convention).
 *
 * @param name        the layer's name (for ONNX models the weight tensor's name in the file, unchanged)
 * @param op          the operator it was read from ({@code Dense} for the trainer; the ONNX op type otherwise)
 * @param outputWidth d_out, rows of W
 * @param inputWidth  d_in, columns of W
 * @param elementType the type the weights were stored in
 * @param activation  σ applied to the layer's output
 * @param hasBias     whether the layer has a bias vector
 * @param convolution the convolution this matrix is a kernel of, or null for a fully connected layer
 * @param subgraph    where the layer lives: "" for the main graph, otherwise a path such as
 *                    {@code If_0/then_branch}
 * @param origin      node, module path, gate, quantisation and folded operators: where {@code W} comes from
 */
public record LayerOutline(String name, String op, int outputWidth, int inputWidth, ElementType elementType,
                           Activation activation, boolean hasBias, @Nullable Convolution convolution,
                           String subgraph, LayerOrigin origin) implements Serializable {
    /** Checks the names and widths. */
    public LayerOutline {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(elementType, "elementType");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(subgraph, "subgraph");
        Objects.requireNonNull(origin, "origin");
        if (outputWidth < 0 || inputWidth < 0) {
            throw new IllegalArgumentException("layer " + name + " has negative shape " + outputWidth + " x " + inputWidth);
        }
    }

    /** A layer whose origin is known only by its name ({@link LayerOrigin#named}). */
    public LayerOutline(String name, String op, int outputWidth, int inputWidth, ElementType elementType,
                        Activation activation, boolean hasBias, @Nullable Convolution convolution, String subgraph) {
        this(name, op, outputWidth, inputWidth, elementType, activation, hasBias, convolution, subgraph,
                LayerOrigin.named(name));
    }
}
