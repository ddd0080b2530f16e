package dev.invariance.training;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.Spectrum;
import dev.invariance.network.WeightMatrix;

import java.util.SplittableRandom;

/**
 * {@link Initialization#ALIGNED}: W_i = Q_{i+1}[:, :r] diag(s) Q_i[:, :r]ᵀ, r = min(d_i, d_{i+1}),
 * s_j = scale · (1 + 10⁻³ j), with Q_0 = V and Q_L = U from the SVD of the cross-covariance C = Σ_n y_n x_nᵀ = U S Vᵀ
 * (completed to orthonormal bases) and random orthogonal Q_1 … Q_{L−1} (Radhakrishnan et al. 2020). Then
 * W_i W_iᵀ = Q_{i+1} diag(s²) Q_{i+1}ᵀ and W_{i+1}ᵀ W_{i+1} share the eigenbasis Q_{i+1}: every adjacent pair commutes
 * (science.md 2.7, c_i = 0), and the end-to-end map is U[:, :r] diag(Π s) V[:, :r]ᵀ.
 */
final class AlignedWeights {
    /** The step between consecutive singular values, relative to the scale, that keeps them distinct. */
    static final double JITTER = 1e-3;
    /** A standard basis vector whose part outside the current basis is shorter than this is skipped when completing. */
    private static final double COMPLETION_RESIDUAL = 1e-3;

    private AlignedWeights() {
    }

    static double[][] draw(int[] widths, double scale, double[] features, double[] targets, SplittableRandom rng) {
        int layers = widths.length - 1;
        int d = widths[0];
        int k = widths[layers];
        if (features.length % d != 0 || targets.length != (long) (features.length / d) * k) {
            throw new IllegalArgumentException("aligned initialisation: " + features.length + " feature values and "
                    + targets.length + " target values do not make N examples of " + d + " features and " + k
                    + " targets");
        }
        double[] c = crossCovariance(features, targets, d, k);
        Spectrum svd = DenseSvd.decompose(WeightMatrix.fromRowMajor(k, d, c), Math.min(k, d));
        double[][] bases = new double[widths.length][];
        bases[0] = completedBasis(d, svd, false);
        bases[layers] = completedBasis(k, svd, true);
        for (int i = 1; i < layers; i++) {
            bases[i] = Initialization.semiOrthogonal(widths[i], widths[i], rng);
        }
        double[][] weights = new double[layers][];
        for (int i = 0; i < layers; i++) {
            weights[i] = alignedLayer(bases[i + 1], widths[i + 1], bases[i], widths[i], scale);
        }
        return weights;
    }

    /** C = Σ_n y_n x_nᵀ, k × d row-major. */
    static double[] crossCovariance(double[] features, double[] targets, int d, int k) {
        int n = features.length / d;
        double[] c = new double[k * d];
        for (int e = 0; e < n; e++) {
            for (int a = 0; a < k; a++) {
                double y = targets[e * k + a];
                if (y != 0.0) {
                    for (int j = 0; j < d; j++) {
                        c[a * d + j] += y * features[e * d + j];
                    }
                }
            }
        }
        return c;
    }

    /**
     * An n × n row-major matrix whose columns are the singular vectors of the SVD (left ones when {@code left}), in
     * the SVD's order, then standard basis vectors e_t in index order orthogonalised against the columns so far
     * (Gram–Schmidt, twice) and kept when their remaining part is longer than {@value #COMPLETION_RESIDUAL}. That
     * always completes the basis: were a unit z orthogonal to all kept columns left, every e_t would lie within 10⁻³
     * of their span, so ‖z‖² = Σ_t ⟨z, e_t⟩² ≤ n·10⁻⁶ &lt; 1.
     */
    private static double[] completedBasis(int n, Spectrum svd, boolean left) {
        double[][] columns = new double[n][];
        int count = svd.getVectorCount();
        for (int j = 0; j < count; j++) {
            columns[j] = left ? svd.leftVector(j) : svd.rightVector(j);
        }
        for (int t = 0; t < n && count < n; t++) {
            double[] v = new double[n];
            v[t] = 1.0;
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < count; j++) {
                    double dot = 0.0;
                    for (int q = 0; q < n; q++) {
                        dot += columns[j][q] * v[q];
                    }
                    for (int q = 0; q < n; q++) {
                        v[q] -= dot * columns[j][q];
                    }
                }
            }
            double norm = 0.0;
            for (double x : v) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            if (norm > COMPLETION_RESIDUAL) {
                for (int q = 0; q < n; q++) {
                    v[q] /= norm;
                }
                columns[count++] = v;
            }
        }
        double[] basis = new double[n * n];
        for (int j = 0; j < n; j++) {
            for (int q = 0; q < n; q++) {
                basis[q * n + j] = columns[j][q];
            }
        }
        return basis;
    }

    /** Q_out[:, :r] diag(s) Q_in[:, :r]ᵀ (out × in) for square row-major bases with orthonormal columns. */
    private static double[] alignedLayer(double[] qOut, int out, double[] qIn, int in, double scale) {
        int r = Math.min(out, in);
        double[] w = new double[out * in];
        for (int a = 0; a < out; a++) {
            for (int b = 0; b < in; b++) {
                double sum = 0.0;
                for (int j = 0; j < r; j++) {
                    sum += qOut[a * out + j] * scale * (1.0 + JITTER * j) * qIn[b * in + j];
                }
                w[a * in + b] = sum;
            }
        }
        return w;
    }
}
