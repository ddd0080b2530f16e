package dev.invariance.training.internal;

import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * Parameters, forward pass and back-propagation of a feed-forward network in one precision, on row-major
 * batches (rows are examples). With {@code x_0} the batch, layer i computes {@code H_i = x_i W_iᵀ + 1 b_iᵀ},
 * {@code P_i = σ_i(H_i)} and {@code x_{i+1} = P_i (+ x_i for a residual skip)}; back-propagation gives
 * {@code ∂L/∂W_i = (∂L/∂H_i)ᵀ x_i} (d_out × d_in, the W convention) and {@code ∂L/∂b_i = 1ᵀ ∂L/∂H_i}.
 * A structured layer ({@link Architecture#structure(int)}) keeps its dense W; {@link #tieStructuredGradients} turns
 * its dense gradient into the gradient of the structure's parameters ({@link StructureMap}).
 *
 * @param <A> {@code double[]} or {@code float[]}
 */
class FeedForwardEngine<A> {
    final Kernels<A> k;
    final Architecture arch;
    final int depth;
    final int[] in;
    final int[] out;
    final A[] weights;
    final @Nullable A[] biases;
    final A[] weightGrads;
    final @Nullable A[] biasGrads;
    private final int maxBatch;
    /** P_i = σ(H_i), batch × d_{i+1}. */
    private final A[] activated;
    /** x_i, the input of layer i (x_0 is the batch itself); aliases P_{i−1} when layer i−1 has no skip. */
    private final A[] inputs;
    /** ∂L/∂H_i. */
    private final A[] preGrad;
    /** ∂L/∂x_{i+1}. */
    private final A[] outGrad;
    /** A structured layer's gradient in double, and its parameters' gradient; empty without structured layers. */
    private final double[] tiedGradient;
    private final double[] parameterGradient;

    @SuppressWarnings("unchecked")
    FeedForwardEngine(Kernels<A> kernels, Architecture arch, double[][] initialWeights,
                      double @Nullable [][] initialBiases, int maxBatch) {
        this.k = kernels;
        this.arch = arch;
        this.depth = arch.depth();
        this.maxBatch = maxBatch;
        in = new int[depth];
        out = new int[depth];
        weights = (A[]) new Object[depth];
        biases = (A[]) new Object[depth];
        weightGrads = (A[]) new Object[depth];
        biasGrads = (A[]) new Object[depth];
        activated = (A[]) new Object[depth];
        inputs = (A[]) new Object[depth + 1];
        preGrad = (A[]) new Object[depth];
        outGrad = (A[]) new Object[depth];
        if (initialWeights.length != depth) {
            throw new IllegalArgumentException("expected " + depth + " weight matrices, got " + initialWeights.length);
        }
        for (int i = 0; i < depth; i++) {
            in[i] = arch.inputWidth(i);
            out[i] = arch.outputWidth(i);
            int size = in[i] * out[i];
            if (initialWeights[i].length != size) {
                throw new IllegalArgumentException("layer-" + i + " weights need " + out[i] + " x " + in[i] + " values, got "
                        + initialWeights[i].length);
            }
            LayerStructure structure = arch.structure(i);
            if (structure != LayerStructure.DENSE && !StructureMap.holds(structure, initialWeights[i], out[i])) {
                throw new IllegalArgumentException("layer-" + i + " initial weights are not "
                        + structure.getConfigName());
            }
            weights[i] = k.allocate(size);
            k.fromDouble(initialWeights[i], weights[i], size);
            weightGrads[i] = k.allocate(size);
            if (arch.bias()) {
                biases[i] = k.allocate(out[i]);
                biasGrads[i] = k.allocate(out[i]);
                if (initialBiases != null) {
                    if (initialBiases[i].length != out[i]) {
                        throw new IllegalArgumentException("layer-" + i + " bias needs " + out[i] + " values");
                    }
                    k.fromDouble(initialBiases[i], biases[i], out[i]);
                }
            }
            activated[i] = k.allocate(maxBatch * out[i]);
            preGrad[i] = k.allocate(maxBatch * out[i]);
            outGrad[i] = k.allocate(maxBatch * out[i]);
        }
        for (int i = 0; i < depth; i++) {
            inputs[i + 1] = arch.hasSkip(i) ? k.allocate(maxBatch * out[i]) : activated[i];
        }
        int structured = arch.structure() == LayerStructure.DENSE ? 0 : in[0];
        tiedGradient = new double[structured * structured];
        parameterGradient = new double[structured];
    }

    int maxBatch() {
        return maxBatch;
    }

    /**
     * The engine for an architecture: {@link FactoredLinearEngine} when every layer is linear, bias-free and
     * without skips (the deep-linear setting of the theory) and the output is narrower than the batch, otherwise
     * this general one. Both compute the same gradients; they differ only in rounding.
     */
    static <A> FeedForwardEngine<A> create(Kernels<A> kernels, Architecture arch, double[][] initialWeights,
                                           double @Nullable [][] initialBiases, int maxBatch) {
        if (FactoredLinearEngine.applies(arch, maxBatch)) {
            return new FactoredLinearEngine<>(kernels, arch, initialWeights, maxBatch);
        }
        return new FeedForwardEngine<>(kernels, arch, initialWeights, initialBiases, maxBatch);
    }

    /** Runs the batch (count × d_0) forward and returns the output buffer (count × d_L, valid until the next call). */
    A forward(A batch, int count) {
        inputs[0] = batch;
        for (int i = 0; i < depth; i++) {
            A h = activated[i];
            k.gemm(false, true, count, out[i], in[i], 1.0, inputs[i], weights[i], 0.0, h);
            A b = biases[i];
            if (b != null) {
                k.addToRows(h, count, out[i], b);
            }
            if (arch.activation(i) == Activation.RELU) {
                k.relu(h, count * out[i]);
            }
            if (arch.hasSkip(i)) {
                A x = inputs[i + 1];
                k.copy(h, 0, x, 0, count * out[i]);
                k.axpy(count * out[i], 1.0, inputs[i], x);
            }
        }
        return inputs[depth];
    }

    /** Back-propagates ∂L/∂(outputs) (count × d_L) through the last forward pass into the gradient buffers. */
    void backward(A outputGradient, int count) {
        A delta = outputGradient;
        for (int i = depth - 1; i >= 0; i--) {
            int n = count * out[i];
            A dh;
            if (arch.activation(i) == Activation.RELU) {
                dh = preGrad[i];
                k.reluBackward(delta, activated[i], dh, n);
            } else {
                dh = delta;
            }
            k.gemm(true, false, out[i], in[i], count, 1.0, dh, inputs[i], 0.0, weightGrads[i]);
            A bg = biasGrads[i];
            if (bg != null) {
                k.columnSums(dh, count, out[i], bg);
            }
            if (i > 0) {
                A prev = outGrad[i - 1];
                k.gemm(false, false, count, in[i], out[i], 1.0, dh, weights[i], 0.0, prev);
                if (arch.hasSkip(i)) {
                    k.axpy(count * in[i], 1.0, delta, prev);
                }
                delta = prev;
            }
        }
    }

    /**
     * Replaces each structured layer's weight gradient by its parameters' gradient spread over the entries that hold
     * them ({@link StructureMap#tieGradient}), so that every update rule moves the parameters, not the dense W.
     * Sums in double, whatever the precision.
     */
    void tieStructuredGradients() {
        for (int i = 0; i < depth; i++) {
            LayerStructure structure = arch.structure(i);
            if (structure != LayerStructure.DENSE) {
                int size = in[i] * out[i];
                k.toDouble(weightGrads[i], tiedGradient, size);
                StructureMap.tieGradient(structure, tiedGradient, in[i], parameterGradient);
                k.fromDouble(tiedGradient, weightGrads[i], size);
            }
        }
    }

    /** A double copy of the last weight gradient of layer i (d_out × d_in, row-major). */
    double[] weightGradient(int layer) {
        double[] copy = new double[in[layer] * out[layer]];
        k.toDouble(weightGrads[layer], copy, copy.length);
        return copy;
    }

    /** θ ← θ − η · gradient, for every weight and bias. */
    void descend(double eta) {
        for (int i = 0; i < depth; i++) {
            k.axpy(in[i] * out[i], -eta, weightGrads[i], weights[i]);
            A b = biases[i];
            A bg = biasGrads[i];
            if (b != null && bg != null) {
                k.axpy(out[i], -eta, bg, b);
            }
        }
    }

    /** Name of the first layer whose weights or bias hold a NaN or infinity, or null. */
    @Nullable String firstNonFiniteParameters() {
        for (int i = 0; i < depth; i++) {
            if (k.firstNonFinite(weights[i], in[i] * out[i]) >= 0) {
                return "weights of layer-" + i;
            }
            A b = biases[i];
            if (b != null && k.firstNonFinite(b, out[i]) >= 0) {
                return "bias of layer-" + i;
            }
        }
        return null;
    }

    /** Name of the first layer whose activations in the last forward pass hold a NaN or infinity, or null. */
    @Nullable String firstNonFiniteActivations(int count) {
        for (int i = 0; i < depth; i++) {
            if (k.firstNonFinite(inputs[i + 1], count * out[i]) >= 0) {
                return "layer-" + i;
            }
        }
        return null;
    }

    /** Copies all parameters into {@code target} (same architecture and precision). */
    void copyParametersTo(FeedForwardEngine<A> target) {
        for (int i = 0; i < depth; i++) {
            k.copy(weights[i], 0, target.weights[i], 0, in[i] * out[i]);
            A b = biases[i];
            A tb = target.biases[i];
            if (b != null && tb != null) {
                k.copy(b, 0, tb, 0, out[i]);
            }
        }
    }

    /** An immutable snapshot of the weights, layer names {@code layer-0} … {@code layer-(L−1)}. */
    NetworkDescription snapshot(String source) {
        List<DenseLayer> layers = new ArrayList<>(depth);
        List<Boolean> residual = new ArrayList<>(depth);
        for (int i = 0; i < depth; i++) {
            double[] w = new double[in[i] * out[i]];
            k.toDouble(weights[i], w, w.length);
            BiasVector bias = null;
            A b = biases[i];
            if (b != null) {
                double[] bv = new double[out[i]];
                k.toDouble(b, bv, bv.length);
                bias = BiasVector.of(bv);
            }
            layers.add(new DenseLayer(layerName(i), "Dense", WeightMatrix.fromRowMajor(out[i], in[i], w), bias,
                    arch.activation(i), k.elementType()));
            residual.add(arch.hasSkip(i));
        }
        return NetworkDescription.residualChain(source, layers, residual);
    }

    /** The stable name of layer i. */
    static String layerName(int i) {
        return "layer-" + i;
    }
}
