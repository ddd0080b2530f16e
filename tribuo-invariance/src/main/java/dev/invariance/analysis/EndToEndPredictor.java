package dev.invariance.analysis;

import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;

/**
 * The end-to-end matrix of a linear chain, {@code P = W_{L−1} ⋯ W_1 W_0} (d_L × d_0, science.md 1.1), with
 * residual additions included: a residual around layer i turns its map into (W_i + I). Defined only for a graph that
 * is such a chain ({@link NetworkDescription#residualLayers()}): one input, one output, each layer reading the one
 * before; a graph with parallel branches or concatenations has no single product of its W's. Computed by pushing
 * the identity through the network.
 */
public final class EndToEndPredictor {
    private EndToEndPredictor() {
    }

    /**
     * P (d_L × d_0) for a network whose layers are all linear; biases are ignored (the deep-linear setting has
     * none).
     *
     * @throws IllegalArgumentException if a layer has a ReLU activation or the graph is not a chain
     */
    public static WeightMatrix endToEndMatrix(NetworkDescription network) {
        for (DenseLayer l : network.layers()) {
            if (l.activation() != Activation.LINEAR) {
                throw new IllegalArgumentException("layer " + l.name() + " is not linear: no end-to-end matrix");
            }
        }
        if (network.depth() == 0) {
            throw new IllegalArgumentException("network has no layers");
        }
        if (network.residualLayers() == null) {
            throw new IllegalArgumentException("the network is not a chain of dense layers (the SVM comparison needs"
                    + " the end-to-end map)");
        }
        int d0 = network.layer(0).inputWidth();
        double[] eye = new double[d0 * d0];
        for (int i = 0; i < d0; i++) {
            eye[i * d0 + i] = 1.0;
        }
        ForwardPass pass = ForwardPass.run(network, WeightMatrix.fromRowMajor(d0, d0, eye), false);
        int dl = pass.output.length / Math.max(1, d0);
        // row r of the output is (P e_r)ᵀ, so the output is Pᵀ (d_0 × d_L)
        return WeightMatrix.fromRowMajor(d0, dl, pass.output).transpose();
    }
}
