package dev.invariance.analysis;

import dev.invariance.network.Convolution;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOrigin;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * Spectral low-rank metrics of one weight matrix {@code W} (d_out × d_in) with singular values
 * {@code σ_1 ≥ … ≥ σ_r}, r = min(d_out, d_in) (science.md 2.1–2.5, 2.12). For an all-zero or empty W the ratios are
 * NaN (undefined), the norms and ranks 0.
 *
 * <p>A figure that was not computed is {@code null} (Kotlin: {@code Double?}/{@code Int?}), never a number: when
 * only the leading singular values were computed ({@link SpectrumMode#TOP_K}), the effective rank and the
 * nuclear/Frobenius ratio, which need every σ, are null, and so is a rank count that the computed values cannot
 * settle (the smallest computed σ is still above its threshold). {@link #isSpectrumComplete()} tells whether every
 * singular value was computed.
 *
 * @param name                     the layer's name (or a label such as {@code layer-1[S,S]} for a submatrix)
 * @param op                       what the layer was read from ({@code Dense}, {@code Gemm}, …)
 * @param shape                    [d_out, d_in]
 * @param elementType              the storage type; its ε sets {@code numericalRank}'s tolerance
 * @param spectralNorm             ‖W‖₂ = σ₁
 * @param frobeniusNorm            ‖W‖_F = √(Σσ_k²)
 * @param rank1Ratio               ρ = ‖W‖₂/‖W‖_F ∈ [1/√rank, 1]; 1 iff rank ≤ 1 (Ji &amp; Telgarsky)
 * @param stableRank               ‖W‖_F²/‖W‖₂² = 1/ρ²
 * @param numericalRank            #{σ_k > σ₁·max(d_out, d_in)·ε} with ε of {@code elementType}; null: not computed
 * @param relativeRank1e2          #{σ_k > 10⁻²·σ₁} (Timor et al.-style approximate rank); null: not computed
 * @param relativeRank1e3          #{σ_k > 10⁻³·σ₁}; null: not computed
 * @param effectiveRank            Roy–Vetterli exp(H(σ/‖σ‖₁)); null: not computed (a partial spectrum)
 * @param nuclearFrobeniusRatio    Σσ_k/√(Σσ_k²) ∈ [1, √rank]; null exactly when {@code effectiveRank} is
 * @param secondToFirstRatio       σ₂/σ₁ ∈ [0, 1]
 * @param spectralGap              σ₁ − σ₂ (top singular vectors are ill-defined when it is ≈ 0)
 * @param singularValues           the leading singular values, descending (top k, or all when requested)
 * @param subgraph                 where the layer lives: "" for the main graph, otherwise a path such as
 *                                 {@code If_0/then_branch}
 * @param convolution              the convolution this matrix is the kernel of, or null for a fully connected layer
 * @param origin                   node, module path, gate, quantisation and folded operators of the layer
 */
public record LayerMetrics(String name, String op, List<Integer> shape, ElementType elementType,
                           double spectralNorm, double frobeniusNorm, double rank1Ratio, double stableRank,
                           @Nullable Integer numericalRank, @Nullable Integer relativeRank1e2,
                           @Nullable Integer relativeRank1e3, @Nullable Double effectiveRank,
                           @Nullable Double nuclearFrobeniusRatio, double secondToFirstRatio, double spectralGap,
                           List<Double> singularValues, String subgraph, @Nullable Convolution convolution,
                           LayerOrigin origin) {
    /** Copies the lists and checks that the two figures of a complete spectrum are both given or both null. */
    public LayerMetrics {
        shape = List.copyOf(shape);
        singularValues = List.copyOf(singularValues);
        Objects.requireNonNull(subgraph, "subgraph");
        Objects.requireNonNull(origin, "origin");
        if ((effectiveRank == null) != (nuclearFrobeniusRatio == null)) {
            throw new IllegalArgumentException("layer " + name + ": the effective rank and the nuclear/Frobenius ratio"
                    + " need the same (complete) spectrum; give both or neither");
        }
    }

    /** A fully connected layer of the main graph. */
    public LayerMetrics(String name, String op, List<Integer> shape, ElementType elementType,
                        double spectralNorm, double frobeniusNorm, double rank1Ratio, double stableRank,
                        @Nullable Integer numericalRank, @Nullable Integer relativeRank1e2,
                        @Nullable Integer relativeRank1e3, @Nullable Double effectiveRank,
                        @Nullable Double nuclearFrobeniusRatio, double secondToFirstRatio, double spectralGap,
                        List<Double> singularValues) {
        this(name, op, shape, elementType, spectralNorm, frobeniusNorm, rank1Ratio, stableRank, numericalRank,
                relativeRank1e2, relativeRank1e3, effectiveRank, nuclearFrobeniusRatio, secondToFirstRatio, spectralGap,
                singularValues, "", null, LayerOrigin.named(name));
    }

    /** A layer whose origin is known only by its name ({@link LayerOrigin#named}). */
    public LayerMetrics(String name, String op, List<Integer> shape, ElementType elementType,
                        double spectralNorm, double frobeniusNorm, double rank1Ratio, double stableRank,
                        @Nullable Integer numericalRank, @Nullable Integer relativeRank1e2,
                        @Nullable Integer relativeRank1e3, @Nullable Double effectiveRank,
                        @Nullable Double nuclearFrobeniusRatio, double secondToFirstRatio, double spectralGap,
                        List<Double> singularValues, String subgraph, @Nullable Convolution convolution) {
        this(name, op, shape, elementType, spectralNorm, frobeniusNorm, rank1Ratio, stableRank, numericalRank,
                relativeRank1e2, relativeRank1e3, effectiveRank, nuclearFrobeniusRatio, secondToFirstRatio, spectralGap,
                singularValues, subgraph, convolution, LayerOrigin.named(name));
    }

    /**
     * Whether every singular value was computed ({@link SpectrumMode#FULL}, or top-k with k ≥ min(d_out, d_in)),
     * so that the figures needing all of them (effective rank, nuclear/Frobenius ratio) are given.
     */
    public boolean isSpectrumComplete() {
        return effectiveRank != null;
    }
}
