package dev.invariance.analysis;

import dev.invariance.linalg.internal.RowMajorBlas;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;

import java.util.List;

/**
 * The network's forward pass on a batch (rows are examples): {@code h_i = W_i x_i + b_i},
 * {@code x_{i+1} = σ_i(h_i) + Σ_{skips (s, i)} x_s} (science.md 1.1 with the residual additions of
 * {@link NetworkDescription#residualLayers()}). Keeps every pre-activation h_i (N × d_{i+1}, row-major).
 */
final class ForwardPass {
    final double[][] preActivations;
    final double[] output;

    private ForwardPass(double[][] preActivations, double[] output) {
        this.preActivations = preActivations;
        this.output = output;
    }

    static ForwardPass run(NetworkDescription net, WeightMatrix inputs, boolean useBias) {
        List<Boolean> residual = net.residualLayers();
        if (residual == null) {
            throw new IllegalArgumentException("network " + net.source() + " is a data-flow graph, not a feed-forward"
                    + " chain; run it with ONNX Runtime instead of the in-memory forward pass");
        }
        int n = inputs.getRows();
        if (net.depth() > 0 && inputs.getColumns() != net.layer(0).inputWidth()) {
            throw new IllegalArgumentException("data have " + inputs.getColumns() + " features but layer "
                    + net.layer(0).name() + " expects " + net.layer(0).inputWidth());
        }
        double[][] xs = new double[net.depth() + 1][];
        double[][] hs = new double[net.depth()][];
        xs[0] = inputs.toRowMajorArray();
        for (int i = 0; i < net.depth(); i++) {
            DenseLayer layer = net.layer(i);
            int din = layer.inputWidth();
            int dout = layer.outputWidth();
            double[] h = new double[n * dout];
            if (din > 0) {
                RowMajorBlas.gemm(false, true, n, dout, din, 1.0, xs[i], layer.weights().toRowMajorArray(), 0.0, h);
            }
            if (useBias && layer.bias() != null) {
                for (int r = 0; r < n; r++) {
                    for (int j = 0; j < dout; j++) {
                        h[r * dout + j] += layer.bias().get(j);
                    }
                }
            }
            hs[i] = h;
            double[] x = h.clone();
            if (layer.activation() == Activation.RELU) {
                for (int t = 0; t < x.length; t++) {
                    x[t] = Math.max(x[t], 0.0);
                }
            }
            if (residual.get(i)) {
                double[] src = xs[i];
                for (int t = 0; t < x.length; t++) {
                    x[t] += src[t];
                }
            }
            xs[i + 1] = x;
        }
        return new ForwardPass(hs, xs[net.depth()]);
    }
}
