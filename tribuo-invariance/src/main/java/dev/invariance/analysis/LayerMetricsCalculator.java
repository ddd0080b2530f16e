package dev.invariance.analysis;

import dev.invariance.network.Convolution;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOrigin;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/** Turns a {@link LayerSpectrum} into a {@link LayerMetrics} record (figures it cannot give are null). */
final class LayerMetricsCalculator {
    private LayerMetricsCalculator() {
    }

    static LayerMetrics compute(String name, String op, LayerSpectrum s, AnalysisOptions options) {
        return compute(name, op, s, options, "", null, LayerOrigin.named(name));
    }

    static LayerMetrics compute(String name, String op, LayerSpectrum s, AnalysisOptions options, String subgraph,
                                @Nullable Convolution convolution, LayerOrigin origin) {
        double[] sv = s.values;
        int m = s.rows;
        int n = s.columns;
        ElementType type = s.elementType;
        double spectral = SpectralMeasures.spectralNorm(sv);
        double frob = s.frobenius;
        int listed = options.isAllSingularValues() || !s.complete ? sv.length : Math.min(options.getTopK(), sv.length);
        List<Double> top = new ArrayList<>(listed);
        for (int j = 0; j < listed; j++) {
            top.add(sv[j]);
        }
        // σ₂ is known when two values were computed or the matrix has a single singular value (then σ₂ = 0).
        boolean second = s.complete || sv.length >= 2;
        return new LayerMetrics(name, op, List.of(m, n), type, spectral, frob,
                SpectralMeasures.rank1Ratio(spectral, frob), SpectralMeasures.stableRank(spectral, frob),
                known(s.countAbove(spectral * Math.max(m, n) * type.getMachineEpsilon())),
                known(s.relativeRank(1e-2)), known(s.relativeRank(1e-3)),
                s.complete ? SpectralMeasures.effectiveRank(sv) : null,
                s.complete ? SpectralMeasures.nuclearFrobeniusRatio(sv) : null,
                second ? SpectralMeasures.secondToFirstRatio(sv) : Double.NaN,
                second ? SpectralMeasures.sigma(sv, 0) - SpectralMeasures.sigma(sv, 1) : Double.NaN, top,
                subgraph, convolution, origin);
    }

    /** A count from {@link LayerSpectrum#countAbove}, null when it is unknown (−1: not settled by a partial spectrum). */
    static @Nullable Integer known(int count) {
        return count < 0 ? null : count;
    }
}
