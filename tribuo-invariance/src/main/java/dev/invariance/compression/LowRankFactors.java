package dev.invariance.compression;

import dev.invariance.network.WeightMatrix;

/**
 * A rank-r truncation of a layer W (d_out × d_in) as two factors, {@code W_r = left · right} with
 * {@code left = U_r Σ_r^{1/2}} (d_out × r) and {@code right = Σ_r^{1/2} V_rᵀ} (r × d_in): the square roots split the
 * singular values evenly, so both factors have the same spectral norm √σ_1. By Eckart–Young the error is
 * {@code ‖W − W_r‖₂ = σ_{r+1}} (0 when r is W's full rank).
 *
 * @param left  U_r Σ_r^{1/2}, d_out × r
 * @param right Σ_r^{1/2} V_rᵀ, r × d_in
 * @param rank  r
 * @param error σ_{r+1}, the spectral norm of what the truncation drops
 */
public record LowRankFactors(WeightMatrix left, WeightMatrix right, int rank, double error) {
    /** Parameters the two factors hold: r·(d_out + d_in). */
    public long parameters() {
        return (long) rank * ((long) left.getRows() + right.getColumns());
    }
}
