package dev.invariance.training;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Weight initialisations of science.md 4.4. Every scheme takes a {@code scale}; biases start at zero.
 * All matrices are row-major d_out × d_in.
 * <ul>
 *   <li>{@link #GAUSSIAN}: W_ij ~ N(0, scale² / d_in): scale = 1 is LeCun's (PyTorch-like) variance,
 *       0.1 and 0.01 are the "small" inits under which rank-1 structure appears quickly.</li>
 *   <li>{@link #ORTHOGONAL}: scale · Q with Q semi-orthogonal (orthonormal rows or columns), from the
 *       Gram–Schmidt QR of a Gaussian matrix: every singular value equals scale.</li>
 *   <li>{@link #BALANCED}: W_i = scale · Q_{i+1} Q_iᵀ with Q_i ∈ R^{d_i × r} orthonormal columns and
 *       r = min_i d_i, so that W_{i+1}ᵀW_{i+1} = W_iW_iᵀ (D_i = 0, science.md 2.9). Meant for linear nets.</li>
 *   <li>{@link #IDENTITY}: scale · I (rectangular identity) plus N(0, (0.01 · scale)² / d_in) noise.</li>
 *   <li>{@link #ALIGNED}: Radhakrishnan, Nichani, Bernstein and Uhler (2020)'s aligned initialisation, built from the
 *       training data: with the cross-covariance C = Σ_n y_n x_nᵀ (d_L × d_0; y_n is the loss's target vector) and
 *       its SVD C = U S Vᵀ completed to orthonormal bases Q_0 = V (d_0 × d_0) and Q_L = U (d_L × d_L), and random
 *       orthogonal Q_1 … Q_{L−1}, layer i is W_i = Q_{i+1}[:, :r] diag(s) Q_i[:, :r]ᵀ with r = min(d_i, d_{i+1}) and
 *       s_j = scale · (1 + 10⁻³ j): every adjacent pair is aligned (V_{i+1} = U_i), and the distinct s_j keep the
 *       bases from being degenerate. It needs the data, so it is drawn by {@link #alignedWeights}, not by
 *       {@link #initialWeights}.</li>
 *   <li>{@link #CONSTANT_DIAGONAL}: every hidden layer W_i = scale · I (square, d_{i+1} = d_i: the hidden widths
 *       equal the number of features) and the output layer W_{L−1} = 0. For a diagonal linear network
 *       f(x) = ⟨w_{L−1} ⊙ … ⊙ w_0, x⟩ this is science.md 4.4's "all-equal init α·1" with a zero output row
 *       (Woodworth et al. 2020; Yun, Krishnan &amp; Mobahi 2021, E3): gradient flow conserves w_0k² − w_1k², here α²
 *       for every coordinate k, so no β_k = w_1k w_0k has its sign frozen (as it would with w_0 = w_1 = α·1, where
 *       the conserved 0 keeps β in the nonnegative orthant), and in square-loss regression a small α leads to the
 *       minimum-l1 interpolant, a large α to the minimum-l2 one. Only the output layer starts at zero — zero init of
 *       two or more layers is a saddle of a linear network, so a zero scale with hidden layers is refused.</li>
 * </ul>
 */
public enum Initialization {
    /** Gaussian with variance scale² / fan_in. */
    GAUSSIAN("gaussian"),
    /** Scaled (semi-)orthogonal matrices. */
    ORTHOGONAL("orthogonal"),
    /** Balanced rank-r factors of a linear network. */
    BALANCED("balanced"),
    /** Scaled identity plus small noise. */
    IDENTITY("identity"),
    /** Layers aligned with each other and with the singular bases of the data's cross-covariance. */
    ALIGNED("aligned"),
    /** Hidden layers scale · I, output layer zero (diagonal nets' α·1 with a zero output row). */
    CONSTANT_DIAGONAL("constant-diagonal");

    private static final double IDENTITY_NOISE = 0.01;

    private final String configName;

    Initialization(String configName) {
        this.configName = configName;
    }

    /** The lower-case command-line name. */
    public String getConfigName() {
        return configName;
    }

    /**
     * Parses a command-line name ({@code constant_diagonal} is read as {@code constant-diagonal}).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static Initialization parse(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Initialization i : values()) {
            if (i.configName.equals(lower)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown init '" + name + "' (expected gaussian, orthogonal, balanced, identity, aligned or"
                + " constant-diagonal)");
    }

    /**
     * Draws the weights of every layer, in layer order, row-major d_out × d_in. Engine internal, not supported API
     * (public for the trainer and the benchmark harness; see docs/guide.md, "Public API"): choose the scheme with
     * {@code DeepNetTrainer.builder().initialization(…)}.
     *
     * @param widths d_0 … d_L
     * @param scale  the scale described on each constant
     * @param rng    the only source of randomness
     * @throws IllegalArgumentException for {@link #ALIGNED}, which needs the data ({@link #alignedWeights}), and for
     *                                  {@link #CONSTANT_DIAGONAL} with a hidden layer that is not square
     */
    public double[][] initialWeights(int[] widths, double scale, SplittableRandom rng) {
        int layers = widths.length - 1;
        double[][] weights = new double[layers][];
        switch (this) {
            case GAUSSIAN -> {
                for (int i = 0; i < layers; i++) {
                    weights[i] = gaussian(widths[i + 1] * widths[i], scale / Math.sqrt(widths[i]), rng);
                }
            }
            case ORTHOGONAL -> {
                for (int i = 0; i < layers; i++) {
                    weights[i] = semiOrthogonal(widths[i + 1], widths[i], rng);
                    scaleInPlace(weights[i], scale);
                }
            }
            case BALANCED -> {
                int r = Integer.MAX_VALUE;
                for (int w : widths) {
                    r = Math.min(r, w);
                }
                double[][] bases = new double[widths.length][];
                for (int i = 0; i < widths.length; i++) {
                    bases[i] = semiOrthogonal(widths[i], r, rng); // d_i × r, orthonormal columns
                }
                for (int i = 0; i < layers; i++) {
                    weights[i] = multiplyTransposed(bases[i + 1], bases[i], widths[i + 1], widths[i], r);
                    scaleInPlace(weights[i], scale);
                }
            }
            case IDENTITY -> {
                for (int i = 0; i < layers; i++) {
                    int out = widths[i + 1];
                    int in = widths[i];
                    double[] w = gaussian(out * in, IDENTITY_NOISE * scale / Math.sqrt(in), rng);
                    for (int d = 0; d < Math.min(out, in); d++) {
                        w[d * in + d] += scale;
                    }
                    weights[i] = w;
                }
            }
            case CONSTANT_DIAGONAL -> {
                for (int i = 0; i < layers - 1; i++) {
                    if (widths[i + 1] != widths[i]) {
                        throw new IllegalArgumentException("constant-diagonal initialisation needs every hidden"
                                + " width equal to the number of features, got widths " + Arrays.toString(widths));
                    }
                    double[] w = new double[widths[i] * widths[i]];
                    for (int d = 0; d < widths[i]; d++) {
                        w[d * widths[i] + d] = scale;
                    }
                    weights[i] = w;
                }
                weights[layers - 1] = new double[widths[layers] * widths[layers - 1]];
            }
            case ALIGNED -> throw new IllegalArgumentException(
                    "aligned initialisation is built from the training data: draw it with alignedWeights");
        }
        return weights;
    }

    /**
     * Draws the {@link #ALIGNED} weights for a training set. Engine internal, not supported API (public for the
     * trainers; see docs/guide.md, "Public API"): choose it with {@code initialization(Initialization.ALIGNED)}.
     *
     * @param widths   d_0 … d_L
     * @param scale    the base singular value s
     * @param features N × d_0 inputs x_n, row-major
     * @param targets  N × d_L target vectors y_n, row-major (±1 for two classes with one output, one-hot for k
     *                 classes, real values for regression)
     * @param rng      draws the middle bases Q_1 … Q_{L−1}
     * @throws IllegalArgumentException if the sizes disagree
     */
    public static double[][] alignedWeights(int[] widths, double scale, double[] features, double[] targets,
                                            SplittableRandom rng) {
        return AlignedWeights.draw(widths, scale, features, targets, rng);
    }

    private static double[] gaussian(int n, double std, SplittableRandom rng) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = std * rng.nextGaussian();
        }
        return w;
    }

    private static void scaleInPlace(double[] w, double s) {
        for (int i = 0; i < w.length; i++) {
            w[i] *= s;
        }
    }

    /**
     * A rows × cols row-major matrix with orthonormal columns (rows ≥ cols) or orthonormal rows (rows < cols):
     * modified Gram–Schmidt, applied twice for orthogonality to machine precision, on a Gaussian matrix.
     */
    static double[] semiOrthogonal(int rows, int cols, SplittableRandom rng) {
        int tall = Math.max(rows, cols);
        int thin = Math.min(rows, cols);
        double[][] q = new double[thin][tall]; // thin vectors of length tall
        for (int k = 0; k < thin; k++) {
            for (int t = 0; t < tall; t++) {
                q[k][t] = rng.nextGaussian();
            }
        }
        for (int k = 0; k < thin; k++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < k; j++) {
                    double dot = 0;
                    for (int t = 0; t < tall; t++) {
                        dot += q[j][t] * q[k][t];
                    }
                    for (int t = 0; t < tall; t++) {
                        q[k][t] -= dot * q[j][t];
                    }
                }
            }
            double norm = 0;
            for (int t = 0; t < tall; t++) {
                norm += q[k][t] * q[k][t];
            }
            norm = Math.sqrt(norm);
            for (int t = 0; t < tall; t++) {
                q[k][t] /= norm;
            }
        }
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = rows >= cols ? q[j][i] : q[i][j];
            }
        }
        return out;
    }

    /** A · Bᵀ for row-major A (m × r) and B (n × r). */
    private static double[] multiplyTransposed(double[] a, double[] b, int m, int n, int r) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += a[i * r + k] * b[j * r + k];
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }
}
