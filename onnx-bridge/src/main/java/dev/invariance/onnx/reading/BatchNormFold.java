package dev.invariance.onnx.reading;

import org.jspecify.annotations.Nullable;

/**
 * An inference-mode {@code BatchNormalization} folded into the dense layer before it. Per output unit i it computes
 * {@code y_i = γ_i·(h_i − μ_i)/√(σ²_i + ε) + β_i} of the layer's {@code h = W·x + b}, which is the layer
 * {@code W' = diag(s)·W}, {@code b' = (b − μ)·s + β} with {@code s = γ/√(σ² + ε)} (W is d_out × d_in, so row i of W
 * is scaled by s_i). The parameters are read, in double precision, when the layer is loaded.
 *
 * @param node       the {@code BatchNormalization} node
 * @param scale      γ, d_out entries
 * @param shift      β, d_out entries
 * @param mean       the running mean μ, d_out entries
 * @param variance   the running variance σ², d_out entries
 * @param epsilon    the node's {@code epsilon} attribute, the float as stored
 * @param outputRank the rank of the normalisation's output (the layer's output once folded), or −1 when not known
 */
record BatchNormFold(GraphIndex.Node node, ConstantTensor scale, ConstantTensor shift, ConstantTensor mean,
                     ConstantTensor variance, double epsilon, int outputRank) {
    /** The operator's name in a layer's folded operators. */
    static final String OPERATOR = "BatchNormalization";

    /**
     * The row scales {@code s_i = γ_i/√(σ²_i + ε)}.
     *
     * @throws InvalidModelException naming the file, the node and the tensor when γ or σ² holds NaN or an infinity, or
     *                               σ²_i + ε is not positive
     */
    double[] rowScales(String file) {
        double[] gamma = finite(file, scale);
        double[] var = finite(file, variance);
        double[] s = new double[gamma.length];
        for (int i = 0; i < s.length; i++) {
            double denominator = var[i] + epsilon;
            if (!(denominator > 0)) {
                throw new InvalidModelException(file + ": BatchNormalization '" + node.name + "': variance '"
                        + variance.rootName + "' plus epsilon " + epsilon + " is not positive (element " + i + ")");
            }
            s[i] = gamma[i] / Math.sqrt(denominator);
        }
        return s;
    }

    /**
     * The folded bias {@code b'_i = (b_i − μ_i)·s_i + β_i}.
     *
     * @param bias the layer's own bias, or null for none (b = 0)
     * @param s    {@link #rowScales}
     * @throws InvalidModelException when μ or β holds NaN or an infinity, or an entry overflows
     */
    double[] foldedBias(String file, double @Nullable [] bias, double[] s) {
        double[] mu = finite(file, mean);
        double[] beta = finite(file, shift);
        double[] folded = new double[s.length];
        for (int i = 0; i < folded.length; i++) {
            folded[i] = ((bias == null ? 0.0 : bias[i]) - mu[i]) * s[i] + beta[i];
            if (!Double.isFinite(folded[i])) {
                throw new InvalidModelException(file + ": BatchNormalization '" + node.name + "': the folded bias "
                        + "overflows (element " + i + ")");
            }
        }
        return folded;
    }

    private double[] finite(String file, ConstantTensor t) {
        double[] v = t.values();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new InvalidModelException(file + ": BatchNormalization '" + node.name + "': tensor '"
                        + t.rootName + "' holds " + (Double.isNaN(v[i]) ? "NaN" : "an infinite value") + " (element "
                        + i + ")");
            }
        }
        return v;
    }
}
