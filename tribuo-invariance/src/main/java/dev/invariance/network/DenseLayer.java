package dev.invariance.network;

import org.jspecify.annotations.Nullable;

import java.io.Serializable;
import java.util.Objects;

/**
 * One fully connected layer {@code x_out = σ(W x_in + b)} in the column-vector convention:
 * {@code W} is d_out × d_in, {@code b} has d_out entries (absent for bias-free layers), σ is the
 * activation applied to this layer's output.
 *
 * @param name        a stable name, unique in its network (for the trainer's models {@code layer-0}, {@code layer-1}, …)
 * @param op          what the layer was read from ({@code Dense} for the trainer, {@code Gemm}/{@code MatMul} for ONNX)
 * @param weights     W, d_out × d_in
 * @param bias        b with d_out entries, or null for a bias-free layer
 * @param activation  σ after this layer
 * @param elementType the type the weights were stored in (sets numerical-rank tolerances)
 * @param convolution the convolution this matrix is the kernel of, or null for a fully connected layer
 * @param subgraph    where the layer lives: "" for the main graph, otherwise a path such as {@code If_0/then_branch}
 * @param origin      node, module path, gate, quantisation and folded operators: where {@code W} comes from
 */
public record DenseLayer(String name, String op, WeightMatrix weights, @Nullable BiasVector bias,
                         Activation activation, ElementType elementType, @Nullable Convolution convolution,
                         String subgraph, LayerOrigin origin) implements Serializable {

    /** Validates that the bias length matches d_out. */
    public DenseLayer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(elementType, "elementType");
        if (subgraph == null) {
            // a layer Java-serialised before the component existed (version 0.1.0) lived in the main graph
            subgraph = "";
        }
        if (origin == null) {
            // a layer Java-serialised before the component existed: known by its name only
            origin = LayerOrigin.named(name);
        }
        if (bias != null && bias.size() != weights.getRows()) {
            throw new IllegalArgumentException("layer " + name + ": bias has " + bias.size()
                    + " entries but W has " + weights.getRows() + " rows");
        }
    }

    /** A fully connected layer of the main graph (the trainer's layers). */
    public DenseLayer(String name, String op, WeightMatrix weights, @Nullable BiasVector bias,
                      Activation activation, ElementType elementType) {
        this(name, op, weights, bias, activation, elementType, null, "", LayerOrigin.named(name));
    }

    /** A layer whose origin is known only by its name ({@link LayerOrigin#named}). */
    public DenseLayer(String name, String op, WeightMatrix weights, @Nullable BiasVector bias,
                      Activation activation, ElementType elementType, @Nullable Convolution convolution,
                      String subgraph) {
        this(name, op, weights, bias, activation, elementType, convolution, subgraph, LayerOrigin.named(name));
    }

    /** Everything but the weights. */
    public LayerOutline outline() {
        return new LayerOutline(name, op, outputWidth(), inputWidth(), elementType, activation, hasBias(), convolution,
                subgraph, origin);
    }

    /** d_out, the number of output units (rows of W). */
    public int outputWidth() {
        return weights.getRows();
    }

    /** d_in, the number of input units (columns of W). */
    public int inputWidth() {
        return weights.getColumns();
    }

    /** Whether the layer has a bias vector. */
    public boolean hasBias() {
        return bias != null;
    }
}
