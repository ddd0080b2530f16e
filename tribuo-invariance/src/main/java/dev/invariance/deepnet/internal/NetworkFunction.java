package dev.invariance.deepnet.internal;

import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;
import java.util.List;

/**
 * Double-precision evaluation of a {@link NetworkDescription} on single inputs (column-vector convention,
 * {@code h = W x + b}), and the linear maps that explain it: the local Jacobian of a piecewise-linear
 * network and the end-to-end matrix of a linear one.
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because both deep-net
 * models ({@code deepnet.DeepNetModel} and {@code deepnet.regression.DeepNetRegressionModel}) evaluate their
 * networks with it.
 */
public final class NetworkFunction {
    private final NetworkDescription network;
    private final boolean[] skipAround;
    /** Row-major copies of every W, taken once: predictions must not copy the weights per example. */
    private final double[][] weights;

    /**
     * @throws IllegalArgumentException if the network is not a chain of dense layers with residual additions
     */
    public NetworkFunction(NetworkDescription network) {
        this.network = network;
        this.skipAround = new boolean[network.depth()];
        this.weights = new double[network.depth()][];
        for (int i = 0; i < network.depth(); i++) {
            weights[i] = network.layer(i).weights().toRowMajorArray();
        }
        List<Boolean> residual = network.residualLayers();
        if (residual == null) {
            throw new IllegalArgumentException("network " + network.source() + " is not a chain of dense layers with"
                    + " residual additions; the model cannot run it");
        }
        for (int i = 0; i < residual.size(); i++) {
            skipAround[i] = residual.get(i);
        }
    }

    /** The layer outputs x_1 … x_L (after activation and residual addition) for input x_0. */
    public double[][] forward(double[] input) {
        int depth = network.depth();
        double[][] xs = new double[depth + 1][];
        xs[0] = input;
        for (int i = 0; i < depth; i++) {
            DenseLayer layer = network.layer(i);
            int rows = layer.outputWidth();
            int cols = layer.inputWidth();
            double[] w = weights[i];
            BiasVector b = layer.bias();
            double[] x = xs[i];
            double[] h = new double[rows];
            for (int r = 0; r < rows; r++) {
                double s = b == null ? 0.0 : b.get(r);
                int off = r * cols;
                for (int c = 0; c < cols; c++) {
                    s += w[off + c] * x[c];
                }
                if (layer.activation() == Activation.RELU && !(s > 0)) {
                    s = 0.0;
                }
                h[r] = skipAround[i] ? s + x[r] : s;
            }
            xs[i + 1] = h;
        }
        return xs;
    }

    /** The network outputs f(x). */
    public double[] outputs(double[] input) {
        double[][] xs = forward(input);
        return xs[xs.length - 1];
    }

    /**
     * The Jacobian ∂f/∂x (d_L × d_0) at x. A ReLU network is linear on the region around x where the activation
     * pattern is fixed, so f(x) = J(x)·x + (bias terms): J(x) = M_{L−1} … M_0 with M_i = D_i W_i (+ I for a skip),
     * D_i the 0/1 diagonal of active units. Computed row by row, back from each output.
     */
    public double[][] localJacobian(double[] input) {
        double[][] xs = forward(input);
        int depth = network.depth();
        int outputs = network.layer(depth - 1).outputWidth();
        double[][] jac = new double[outputs][];
        for (int o = 0; o < outputs; o++) {
            double[] g = new double[outputs];
            g[o] = 1.0;
            for (int i = depth - 1; i >= 0; i--) {
                DenseLayer layer = network.layer(i);
                int rows = layer.outputWidth();
                int cols = layer.inputWidth();
                double[] w = weights[i];
                double[] prev = new double[cols];
                for (int r = 0; r < rows; r++) {
                    boolean active = layer.activation() != Activation.RELU || activeUnit(layer, w, xs[i], r);
                    if (!active || g[r] == 0.0) {
                        continue;
                    }
                    int off = r * cols;
                    for (int c = 0; c < cols; c++) {
                        prev[c] += g[r] * w[off + c];
                    }
                }
                if (skipAround[i]) {
                    for (int c = 0; c < cols; c++) {
                        prev[c] += g[c];
                    }
                }
                g = prev;
            }
            jac[o] = g;
        }
        return jac;
    }

    private static boolean activeUnit(DenseLayer layer, double[] w, double[] x, int r) {
        int cols = layer.inputWidth();
        BiasVector b = layer.bias();
        double s = b == null ? 0.0 : b.get(r);
        for (int c = 0; c < cols; c++) {
            s += w[r * cols + c] * x[c];
        }
        return s > 0;
    }

    /**
     * The end-to-end matrix (d_L × d_0): for a network whose activations are all linear this is exactly
     * P = M_{L−1} … M_0 with M_i = W_i (+ I for a skip), so f(x) = P x + f(0). With {@code absolute} the entries
     * are |W_i| (+ I): the sum over paths of the absolute path weights, which bounds how strongly each input can
     * move each output of a ReLU network.
     */
    public double[][] endToEnd(boolean absolute) {
        int d0 = network.layer(0).inputWidth();
        double[][] p = new double[d0][d0];
        for (int c = 0; c < d0; c++) {
            p[c][c] = 1.0;
        }
        for (int i = 0; i < network.depth(); i++) {
            DenseLayer layer = network.layer(i);
            int rows = layer.outputWidth();
            int cols = layer.inputWidth();
            double[] w = weights[i];
            double[][] next = new double[rows][d0];
            for (int r = 0; r < rows; r++) {
                for (int m = 0; m < cols; m++) {
                    double v = absolute ? Math.abs(w[r * cols + m]) : w[r * cols + m];
                    if (v == 0.0) {
                        continue;
                    }
                    for (int c = 0; c < d0; c++) {
                        next[r][c] += v * p[m][c];
                    }
                }
                if (skipAround[i]) {
                    for (int c = 0; c < d0; c++) {
                        next[r][c] += p[r][c];
                    }
                }
            }
            p = next;
        }
        return p;
    }

    /** Whether every layer's activation is linear. */
    public boolean allActivationsLinear() {
        for (DenseLayer l : network.layers()) {
            if (l.activation() != Activation.LINEAR) {
                return false;
            }
        }
        return true;
    }
}
