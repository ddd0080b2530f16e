package dev.invariance.analysis;

import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * Activation patterns of every layer over a data set (science.md 2.11), from a forward pass with biases and
 * residual additions. {@code inputs} is N × d_0 (rows are examples).
 */
public final class ActivationPatterns {
    private ActivationPatterns() {
    }

    /** One {@link LayerActivation} per layer, in data-flow order. */
    public static List<LayerActivation> of(NetworkDescription network, WeightMatrix inputs) {
        ForwardPass pass = ForwardPass.run(network, inputs, true);
        int n = inputs.getRows();
        List<LayerActivation> out = new ArrayList<>();
        for (int i = 0; i < network.depth(); i++) {
            DenseLayer layer = network.layer(i);
            int d = layer.outputWidth();
            if (layer.activation() == Activation.LINEAR) {
                out.add(new LayerActivation(i, layer.name(), MatrixOps.range(d), List.of(), 0, 0, 0));
                continue;
            }
            double[] h = pass.preActivations[i];
            List<Integer> active = new ArrayList<>();
            List<Integer> dead = new ArrayList<>();
            int tiedUnits = 0;
            long ties = 0;
            for (int j = 0; j < d; j++) {
                int positive = 0;
                int zero = 0;
                for (int r = 0; r < n; r++) {
                    double v = h[r * d + j];
                    if (v > 0) {
                        positive++;
                    } else if (v == 0) {
                        zero++;
                    }
                }
                if (positive == n) {
                    active.add(j);
                } else if (positive == 0) {
                    dead.add(j);
                }
                ties += zero;
                if (zero > 0) {
                    tiedUnits++;
                }
            }
            out.add(new LayerActivation(i, layer.name(), active, dead, d - active.size() - dead.size(), tiedUnits, ties));
        }
        return List.copyOf(out);
    }
}
