package dev.invariance.analysis;

import dev.invariance.network.ElementType;

import java.util.ArrayList;
import java.util.List;

/** Turns a {@link LayerSpectrum} into a {@link LayerMetrics} record. */
final class LayerMetricsCalculator {
    private LayerMetricsCalculator() {
    }

    static LayerMetrics compute(String name, String op, LayerSpectrum s, AnalysisOptions options) {
        double[] sv = s.values;
        int m = s.matrix.getRows();
        int n = s.matrix.getColumns();
        ElementType type = s.elementType;
        double spectral = SpectralMeasures.spectralNorm(sv);
        double frob = s.frobenius;
        int listed = options.isAllSingularValues() ? sv.length : Math.min(options.getTopK(), sv.length);
        List<Double> top = new ArrayList<>(listed);
        for (int j = 0; j < listed; j++) {
            top.add(sv[j]);
        }
        return new LayerMetrics(name, op, List.of(m, n), type, spectral, frob,
                SpectralMeasures.rank1Ratio(spectral, frob), SpectralMeasures.stableRank(spectral, frob),
                SpectralMeasures.numericalRank(sv, m, n, type.getMachineEpsilon()),
                SpectralMeasures.relativeRank(sv, 1e-2), SpectralMeasures.relativeRank(sv, 1e-3),
                SpectralMeasures.effectiveRank(sv), SpectralMeasures.nuclearFrobeniusRatio(sv),
                SpectralMeasures.secondToFirstRatio(sv),
                SpectralMeasures.sigma(sv, 0) - SpectralMeasures.sigma(sv, 1), top);
    }
}
