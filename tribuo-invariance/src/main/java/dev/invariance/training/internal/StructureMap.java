package dev.invariance.training.internal;

import dev.invariance.network.LayerStructure;

/**
 * The linear map W = A(θ) between a structured d × d layer's parameters θ (w of {@code DIAGONAL}, c of
 * {@code CIRCULANT}) and its dense matrix, row-major, and its adjoint on gradients:
 * ∂L/∂θ_p = Σ_{(i,j) : index(i,j) = p} ∂L/∂W[i][j] (the chain rule through A; for c that is
 * ∂L/∂c_k = Σ_{i − j ≡ k} ∂L/∂W[i][j], a sum, not the orthogonal projection's mean).
 *
 * <p>{@link #tieGradient} writes ∂L/∂θ back into every entry that holds θ_p (and 0 where W is fixed at 0). A
 * gradient step, SGD or Adam on the dense W with that gradient then performs exactly the same floating-point
 * operations on every entry of θ_p, so W stays exactly structured and the step is the step on θ.
 */
final class StructureMap {
    private StructureMap() {
    }

    /**
     * Replaces the dense gradient G (d × d, row-major) by A(Aᵀ G): entry (i, j) becomes ∂L/∂θ_{index(i,j)}, 0 for
     * an entry fixed at 0. {@code scratch} holds at least d values. DENSE leaves G unchanged.
     */
    static void tieGradient(LayerStructure structure, double[] gradient, int d, double[] scratch) {
        if (structure == LayerStructure.DENSE) {
            return;
        }
        java.util.Arrays.fill(scratch, 0, d, 0.0);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                int p = structure.parameterIndex(i, j, d);
                if (p >= 0) {
                    scratch[p] += gradient[i * d + j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                int p = structure.parameterIndex(i, j, d);
                gradient[i * d + j] = p >= 0 ? scratch[p] : 0.0;
            }
        }
    }

    /** The dense d × d matrix A(θ), row-major. */
    static double[] expand(LayerStructure structure, double[] parameters, int d) {
        if (parameters.length != structure.parameterCount(d)) {
            throw new IllegalArgumentException("a " + structure.getConfigName() + " layer of width " + d + " has "
                    + structure.parameterCount(d) + " parameters, got " + parameters.length);
        }
        double[] w = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                int p = structure.parameterIndex(i, j, d);
                w[i * d + j] = p >= 0 ? parameters[p] : 0.0;
            }
        }
        return w;
    }

    /** Whether the d × d row-major matrix is exactly A(θ) for some θ (every entry equal to its parameter's, 0s kept). */
    static boolean holds(LayerStructure structure, double[] w, int d) {
        if (w.length != d * d) {
            return false;
        }
        double[] first = new double[d * d];
        boolean[] seen = new boolean[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                int p = structure.parameterIndex(i, j, d);
                double v = w[i * d + j];
                if (p < 0) {
                    if (v != 0.0) {
                        return false;
                    }
                } else if (!seen[p]) {
                    seen[p] = true;
                    first[p] = v;
                } else if (Double.compare(first[p], v) != 0) {
                    return false;
                }
            }
        }
        return true;
    }
}
