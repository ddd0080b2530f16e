package dev.invariance.compression;

/**
 * What compression did to one layer W (d_out × d_in): factored at rank r into r·(d_in + d_out) parameters with the
 * spectral error σ_{r+1}, or kept ({@code rank} 0: the chosen rank saved nothing).
 *
 * @param name            the layer's name
 * @param operator        the operator that applies it ({@code MatMul}, {@code Gemm}, {@code Conv}…)
 * @param outputWidth     d_out
 * @param inputWidth      d_in
 * @param rank            r, or 0 when the layer is kept
 * @param error           ‖W − W_r‖₂ = σ_{r+1} (0 when kept)
 * @param energyKept      Σ_{i≤r} σ_i² / ‖W‖_F² (1 when kept)
 * @param parametersBefore d_out·d_in
 * @param parametersAfter  r·(d_out + d_in), or d_out·d_in when kept
 */
public record CompressedLayer(String name, String operator, int outputWidth, int inputWidth, int rank, double error,
                              double energyKept, long parametersBefore, long parametersAfter) {
    /** Whether the layer was replaced by two factors. */
    public boolean factored() {
        return rank > 0;
    }

    /** A layer left as it was. */
    public static CompressedLayer kept(String name, String operator, int outputWidth, int inputWidth) {
        long p = (long) outputWidth * inputWidth;
        return new CompressedLayer(name, operator, outputWidth, inputWidth, 0, 0.0, 1.0, p, p);
    }
}
