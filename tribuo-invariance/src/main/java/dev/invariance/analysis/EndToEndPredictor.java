package dev.invariance.analysis;

import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;

/**
 * The end-to-end matrix of a linear network, {@code P = W_{L−1} ⋯ W_1 W_0} (d_L × d_0, science.md 1.1), with
 * residual additions included: a skip (i, i) turns layer i's map into (W_i + I), and a longer skip adds the
 * carried input's map. Computed by pushing the identity through the network, so any skip pattern is handled.
 */
public final class EndToEndPredictor {
    private EndToEndPredictor() {
    }

    /**
     * P (d_L × d_0) for a network whose layers are all linear; biases are ignored (the deep-linear setting has
     * none).
     *
     * @throws IllegalArgumentException if a layer has a ReLU activation
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
