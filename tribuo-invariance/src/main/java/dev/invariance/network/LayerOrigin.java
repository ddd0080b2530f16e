package dev.invariance.network;

import org.jspecify.annotations.Nullable;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Where a layer's matrix comes from in the model it was read from, and what was done to the stored tensor to make
 * it: the names a user recognises and the steps between the file and {@code W}.
 *
 * @param node         the name of the node that applies the matrix (the ONNX node name), or null when the model is
 *                     not a graph file (the trainer's own networks)
 * @param module       a readable module path, such as {@code encoder.layer.0.attention.self.query} derived from a
 *                     PyTorch or TensorFlow node name ({@code ""} when the node name holds none, as {@code MatMul_12});
 *                     the layer's name for the trainer's networks and their ONNX exports
 * @param gate         for a matrix that is one part of a packed weight (a recurrent gate {@code i}, {@code f},
 *                     {@code z}…, or {@code q}/{@code k}/{@code v} of a fused attention), which part; null otherwise
 * @param quantization how the weights were stored as integers, or null for floating-point weights
 * @param folded       operators folded into {@code W}, in order (for example {@code BatchNormalization}); empty when
 *                     {@code W} is the stored tensor
 */
public record LayerOrigin(@Nullable String node, String module, @Nullable String gate,
                          @Nullable Quantization quantization, List<String> folded) implements Serializable {
    /** Copies the list. */
    public LayerOrigin {
        Objects.requireNonNull(module, "module");
        folded = List.copyOf(folded);
    }

    /** The origin of a layer known only by its name: module = name, nothing else known. */
    public static LayerOrigin named(String name) {
        return new LayerOrigin(null, name, null, null, List.of());
    }

    /** A copy with {@code operator} added to the folded operators. */
    public LayerOrigin withFolded(String operator) {
        List<String> f = new java.util.ArrayList<>(folded);
        f.add(operator);
        return new LayerOrigin(node, module, gate, quantization, f);
    }
}
