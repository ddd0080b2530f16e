package dev.invariance.linalg;

/**
 * A symmetric positive semidefinite operator G (dimension × dimension) as the float32 block Lanczos of
 * {@link TruncatedSvd} needs it: products with blocks of float32 vectors, and the final double-precision
 * refinement of the Ritz pairs into singular values σ_i = √λ_i(G) of the matrix whose Gram matrix G is.
 */
interface FloatBlockOperator {
    /** The size of the space G acts on. */
    int dimension();

    /**
     * z = G X for the b rows of X stored in {@code x} from {@code offset} (each of length {@link #dimension()}),
     * written row by row into z (b × dimension), in float32. Arrays with room for one more row after the block (as
     * the Lanczos basis and its z have) let the thin-block products run without compact copies ({@link ThinProducts}).
     */
    void applyGram(float[] x, int offset, int b, float[] z);

    /**
     * Multiply-adds of G times one vector (2·m·n for the Gram matrix of an m × n matrix), by which the iteration
     * judges whether solving the projected problem at every step is cheap beside a product; 0 when unknown (the
     * checks are then spaced out by steps alone).
     */
    default long vectorMultiplyAdds() {
        return 0;
    }

    /** The k leading singular triplets from the converged Ritz pairs of the float32 basis, refined in double. */
    Spectrum refine(float[] basis, Ritz ritz, int k);

    /**
     * Whether {@link #refineLeft} can serve a basis of {@code size} vectors (the operator kept the products of the
     * passes that made it); the run then judges convergence on the half step ({@link LeftRitz}) too.
     */
    default boolean refinesLeft(int size) {
        return false;
    }

    /**
     * The k leading singular triplets from the left Ritz vectors of a half step, {@code u_i = A V c_i}, with
     * σ_i = ‖Aᵀu_i‖/‖u_i‖ in double; only where {@link #refinesLeft} said so.
     */
    default Spectrum refineLeft(LeftRitz left, int k) {
        throw new UnsupportedOperationException("this operator keeps no products for the half step");
    }
}
