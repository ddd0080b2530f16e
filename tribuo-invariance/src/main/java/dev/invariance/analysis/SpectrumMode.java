package dev.invariance.analysis;

import java.util.Locale;

/**
 * How much of each layer's spectrum {@link WeightAnalyzer} computes.
 * <ul>
 *   <li>{@link #FULL}: all min(d_out, d_in) singular values (dense values-only SVD) plus the leading singular
 *       vectors, so every metric of science.md section 2 is defined;</li>
 *   <li>{@link #TOP_K}: only the leading {@code max(topK, 2)} singular triplets through the block-Lanczos
 *       {@link dev.invariance.linalg.TruncatedSvd}, and ‖W‖_F exactly from the entries. Spectral norm, Frobenius
 *       norm, rank-1 ratio ρ = σ₁/‖W‖_F, stable rank ‖W‖_F²/σ₁², σ₂/σ₁, the spectral gap and the top alignment
 *       |v₁(W_to)ᵀ u₁(W_from)| are exact; a rank count (numerical or relative) is reported only when the smallest
 *       computed value already falls below its threshold; the effective rank and the nuclear/Frobenius ratio, which
 *       need every σ, and the pair scores that need both full matrices (weighted alignment, commutator,
 *       balancedness) are not computed. A figure not computed is {@code null} in {@link LayerMetrics} and
 *       {@link PairMetrics}, {@code null} in JSON, {@code –} in the table and NaN in Tribuo's metric map.</li>
 * </ul>
 */
public enum SpectrumMode {
    /** Every singular value. */
    FULL("full"),
    /** The leading singular triplets only. */
    TOP_K("top-k");

    private final String id;

    SpectrumMode(String id) {
        this.id = id;
    }

    /** The name used on the command line and in JSON: {@code full} or {@code top-k}. */
    public String getId() {
        return id;
    }

    /**
     * The mode named {@code id} ({@code full} or {@code top-k}, case-insensitive).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static SpectrumMode fromId(String id) {
        for (SpectrumMode m : values()) {
            if (m.id.equals(id.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown spectrum mode '" + id + "' (expected full or top-k)");
    }
}
