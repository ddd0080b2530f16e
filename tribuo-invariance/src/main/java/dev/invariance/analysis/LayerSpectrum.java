package dev.invariance.analysis;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.Spectrum;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;

/**
 * What the metrics need from one matrix: all singular values (dense, values-only SVD; single precision for
 * float32 weights) and its leading singular vector pairs (dense SVD for small matrices, block Lanczos for large).
 */
final class LayerSpectrum {
    final WeightMatrix matrix;
    final ElementType elementType;
    final double[] values;
    final Spectrum vectors;
    final double frobenius;

    private LayerSpectrum(WeightMatrix matrix, ElementType elementType, double[] values, Spectrum vectors,
                          double frobenius) {
        this.matrix = matrix;
        this.elementType = elementType;
        this.values = values;
        this.vectors = vectors;
        this.frobenius = frobenius;
    }

    static LayerSpectrum of(WeightMatrix w, ElementType type, AnalysisOptions options) {
        int r = Math.min(w.getRows(), w.getColumns());
        if (r < options.getFastTopKThreshold()) {
            Spectrum full = DenseSvd.decompose(w, r);
            return new LayerSpectrum(w, type, full.singularValueArray(), full, MatrixOps.frobenius(w));
        }
        double[] values = DenseSvd.singularValues(w, type).singularValueArray();
        int relRank = SpectralMeasures.relativeRank(values, options.getMatchedRankTolerance());
        int k = Math.min(r, Math.max(1, relRank <= options.getSubspaceRankLimit() ? relRank : 1));
        Spectrum top = TruncatedSvd.withDefaults().top(w, k, type);
        return new LayerSpectrum(w, type, values, top, MatrixOps.frobenius(w));
    }

    boolean isZero() {
        return !(SpectralMeasures.sigma(values, 0) > 0);
    }

    /** Singular vectors held, at most min(m, n). */
    int vectorCount() {
        return vectors.getVectorCount();
    }
}
