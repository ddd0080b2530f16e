package dev.invariance.network;

import java.io.Serializable;

/**
 * A residual addition: the input of layer {@code sourceLayer} is added to the (activated) output of layer
 * {@code targetLayer}, {@code targetLayer >= sourceLayer}. The common residual block
 * {@code x_{i+1} = σ(W_i x_i + b_i) + x_i} is {@code new SkipConnection(i, i)}. Skips are graph edges only:
 * they are never folded into any W (science.md 1.1).
 *
 * @param sourceLayer index of the layer whose input is carried forward
 * @param targetLayer index of the layer whose output receives the addition
 */
public record SkipConnection(int sourceLayer, int targetLayer) implements Serializable {
    /** Checks the indexes are ordered along the data flow. */
    public SkipConnection {
        if (sourceLayer < 0 || targetLayer < sourceLayer) {
            throw new IllegalArgumentException("skip connection must go forward: input of layer " + sourceLayer
                    + " to output of layer " + targetLayer);
        }
    }
}
