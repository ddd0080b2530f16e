package dev.invariance.network;

import java.io.Serializable;
import java.util.List;

/**
 * Marks a dense layer that is a convolution kernel viewed as a matrix. An ONNX {@code Conv} weight of shape
 * {@code [out, in/groups, k_1, …, k_n]} becomes {@code W} of shape {@code out × (in/groups · k_1 ⋯ k_n)} (row o is
 * output channel o's filter, flattened in the stored order); a {@code ConvTranspose} weight
 * {@code [in, out/groups, k…]} becomes {@code (out/groups · k_1 ⋯ k_n) × in} (see the reader for the exact
 * layout). A {@code Conv}'s columns are input patches, not the producer's output units, so alignment with the previous
 * layer is not defined unless the kernel is 1×1 with one group. A {@code ConvTranspose}'s columns are its input
 * channels (alignment with the previous layer is defined with one group) and its rows output channels at kernel
 * positions (alignment with the next layer is defined only for a 1×1 kernel with one group); with several groups
 * its column blocks are the groups' maps side by side on shared rows.
 *
 * @param groups      the convolution's {@code group} attribute (1 for a plain convolution)
 * @param kernelShape the spatial kernel shape {@code [k_1, …, k_n]}
 * @param transposed  whether it came from a {@code ConvTranspose}
 */
public record Convolution(int groups, List<Integer> kernelShape, boolean transposed) implements Serializable {
    /** Copies the list and checks the group count. */
    public Convolution {
        kernelShape = List.copyOf(kernelShape);
        if (groups < 1) {
            throw new IllegalArgumentException("convolution groups must be >= 1, got " + groups);
        }
    }

    /** Whether every spatial kernel dimension is 1 (a pointwise convolution). */
    public boolean isPointwise() {
        return kernelShape.stream().allMatch(k -> k == 1);
    }
}
