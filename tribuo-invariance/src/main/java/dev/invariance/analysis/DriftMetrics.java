package dev.invariance.analysis;

/**
 * Conservation-law drift of one consecutive pair (science.md 2.9), with
 * {@code D(t) = W_toᵀ W_to − W̃_from W̃_fromᵀ} (d × d, d = d_out(from)) and W̃ = [W | b] when the producing layer has
 * a bias (science.md 1.1). Conserved exactly by gradient flow in linear networks; for ReLU layers only the
 * diagonal is, and the block D[S, S] on stably active units.
 *
 * @param from              producing layer
 * @param to                consuming layer
 * @param drift             ‖D(t) − D(0)‖_F / max(1, ‖W_from(t)‖_F²)
 * @param balance           ‖D(t)‖_F
 * @param diagonalDrift     max_j |D_jj(t) − D_jj(0)| (neuron-wise conservation)
 * @param stableDrift       ‖D[S, S](t) − D[S, S](0)‖_F with S the stably active units of layer {@code from} on the
 *                          data at time t; NaN when S is empty or no data were given
 * @param stableDriftRelative stableDrift / max(1, ‖W_from(t)[S, :]‖_F²) (the A4.4 normalisation)
 * @param stableSize        |S| (0 when not applicable)
 */
public record DriftMetrics(int from, int to, double drift, double balance, double diagonalDrift,
                           double stableDrift, double stableDriftRelative, int stableSize) {
}
