package dev.invariance.network;

import java.util.Locale;

/**
 * The parameterisation of a square d × d layer W (W is d_out × d_in with d_out = d_in = d). Whatever the structure,
 * W is stored and reported as a dense matrix, so the analyzer and the ONNX export see an ordinary dense layer; the
 * structure only says which parameters training moves. Yun, Krishnan and Mobahi (2021), "A unifying view on implicit
 * bias in training linear neural networks", treat the three as linear tensor networks: fully connected, diagonal
 * (f(x) = ⟨w_{L−1} ⊙ … ⊙ w_0, x⟩) and full-length circular convolutional ones.
 * <ul>
 *   <li>{@link #DENSE}: every entry W[i][j] is a parameter (d² of them).</li>
 *   <li>{@link #DIAGONAL}: W = diag(w), w ∈ R^d; the off-diagonal entries are 0.</li>
 *   <li>{@link #CIRCULANT}: W[i][j] = c[(i − j) mod d], c ∈ R^d: the circular convolution x ↦ c ⊛ x with one
 *       full-length filter and a single channel.</li>
 * </ul>
 * Gradient descent runs on w or c themselves: ∂L/∂w_j = ∂L/∂W[j][j] and ∂L/∂c_k = Σ_{i − j ≡ k (mod d)} ∂L/∂W[i][j].
 */
public enum LayerStructure {
    /** An unconstrained d_out × d_in matrix. */
    DENSE("dense"),
    /** W = diag(w). */
    DIAGONAL("diagonal"),
    /** W[i][j] = c[(i − j) mod d]. */
    CIRCULANT("circulant");

    private final String configName;

    LayerStructure(String configName) {
        this.configName = configName;
    }

    /** The lower-case name used on the command line ({@code dense}, {@code diagonal}, {@code circulant}). */
    public String getConfigName() {
        return configName;
    }

    /**
     * The index of the parameter that entry (i, j) of a d × d matrix of this structure holds: j for DENSE rows
     * (row-major index i·d + j), i for a diagonal entry of DIAGONAL, (i − j) mod d for CIRCULANT; −1 for an entry
     * that is fixed at 0 (off the diagonal of DIAGONAL).
     */
    public int parameterIndex(int i, int j, int d) {
        return switch (this) {
            case DENSE -> i * d + j;
            case DIAGONAL -> i == j ? i : -1;
            case CIRCULANT -> Math.floorMod(i - j, d);
        };
    }

    /** The number of parameters of a d × d layer: d² for DENSE, d otherwise. */
    public int parameterCount(int d) {
        return this == DENSE ? d * d : d;
    }

    /**
     * Parses a command-line or provenance name, case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static LayerStructure parse(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        for (LayerStructure s : values()) {
            if (s.configName.equals(lower)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown structure '" + name + "' (expected dense, diagonal or circulant)");
    }
}
