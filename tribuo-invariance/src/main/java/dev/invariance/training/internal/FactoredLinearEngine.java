package dev.invariance.training.internal;

import dev.invariance.network.Activation;
import org.jspecify.annotations.Nullable;

/**
 * Gradient computation for deep linear networks (all activations linear, no biases, no skips) that never forms
 * the hidden activations. With T_i = W_{L−1} … W_i (k × d_i, T_L = I) and P = T_0 the end-to-end matrix:
 * <pre>
 *   F = X Pᵀ                                   (outputs, N × k)
 *   S_0 = Gᵀ X,  S_i = S_{i−1} W_{i−1}ᵀ          (k × d_i; G = ∂L/∂F)
 *   ∂L/∂W_i = T_{i+1}ᵀ S_i                      (d_{i+1} × d_i, rank ≤ k)
 * </pre>
 * which is exactly back-propagation (∂L/∂W_i = (G T_{i+1})ᵀ x_i with x_i = X W_0ᵀ … W_{i−1}ᵀ) regrouped.
 * It costs O(N·d·k + L·d²·k) per step instead of O(N·L·d²), so for a single output (k = 1) full-batch gradient
 * descent runs at the speed of a few matrix–vector products. Results equal the general engine's up to rounding.
 *
 * @param <A> {@code double[]} or {@code float[]}
 */
final class FactoredLinearEngine<A> extends FeedForwardEngine<A> {
    /** k, the output width. */
    private final int width;
    /** T_i = W_{L−1} … W_i for i = 0 … L−1 (k × d_i). */
    private final A[] top;
    /** S_i (k × d_i). */
    private final A[] bottom;
    private final A outputs;

    @SuppressWarnings("unchecked")
    FactoredLinearEngine(Kernels<A> kernels, Architecture arch, double[][] initialWeights, int maxBatch) {
        super(kernels, arch, initialWeights, null, 1);
        this.width = out[depth - 1];
        top = (A[]) new Object[depth];
        bottom = (A[]) new Object[depth];
        for (int i = 0; i < depth; i++) {
            top[i] = kernels.allocate(width * in[i]);
            bottom[i] = kernels.allocate(width * in[i]);
        }
        outputs = kernels.allocate(maxBatch * width);
    }

    /** Whether the factored form applies: a bias-free, skip-free linear network whose output is narrower than the batch. */
    static boolean applies(Architecture arch, int maxBatch) {
        if (arch.bias()) {
            return false;
        }
        for (int i = 0; i < arch.depth(); i++) {
            if (arch.activation(i) != Activation.LINEAR || arch.hasSkip(i)) {
                return false;
            }
        }
        return arch.outputWidth(arch.depth() - 1) < maxBatch;
    }

    @Override
    A forward(A batch, int count) {
        lastBatch = batch;
        k.copy(weights[depth - 1], 0, top[depth - 1], 0, width * in[depth - 1]);
        for (int i = depth - 2; i >= 0; i--) {
            k.gemm(false, false, width, in[i], out[i], 1.0, top[i + 1], weights[i], 0.0, top[i]);
        }
        k.gemm(false, true, count, width, in[0], 1.0, batch, top[0], 0.0, outputs);
        return outputs;
    }

    private @Nullable A lastBatch;

    @Override
    void backward(A outputGradient, int count) {
        A batch = lastBatch;
        if (batch == null) {
            throw new IllegalStateException("backward before forward");
        }
        k.gemm(true, false, width, in[0], count, 1.0, outputGradient, batch, 0.0, bottom[0]);
        for (int i = 1; i < depth; i++) {
            k.gemm(false, true, width, in[i], in[i - 1], 1.0, bottom[i - 1], weights[i - 1], 0.0, bottom[i]);
        }
        for (int i = 0; i < depth - 1; i++) {
            k.gemm(true, false, out[i], in[i], width, 1.0, top[i + 1], bottom[i], 0.0, weightGrads[i]);
        }
        k.copy(bottom[depth - 1], 0, weightGrads[depth - 1], 0, width * in[depth - 1]);
    }

    @Override
    @Nullable String firstNonFiniteActivations(int count) {
        for (int i = depth - 1; i >= 0; i--) {
            if (k.firstNonFinite(top[i], width * in[i]) >= 0) {
                return "layer-" + i;
            }
        }
        return k.firstNonFinite(outputs, count * width) >= 0 ? "layer-" + (depth - 1) : null;
    }
}
