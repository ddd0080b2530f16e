package dev.invariance.analysis;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.MatrixOps;
import dev.invariance.linalg.Spectrum;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;

/**
 * What the metrics need from one matrix W (d_out × d_in), without W itself (so a streaming analysis can drop the
 * weights once this is computed): its singular values σ₁ ≥ σ₂ ≥ … (all of them in {@link SpectrumMode#FULL}, the
 * leading ones in {@link SpectrumMode#TOP_K}; single precision for float32 weights), its leading singular vector
 * pairs (dense SVD for small matrices, block Lanczos for large) and ‖W‖_F computed from the entries.
 */
final class LayerSpectrum {
    final int rows;
    final int columns;
    final ElementType elementType;
    /** σ₁ ≥ σ₂ ≥ …: all min(rows, columns) of them when {@link #complete}, otherwise the leading ones. */
    final double[] values;
    /** Whether {@link #values} holds every singular value. */
    final boolean complete;
    final Spectrum vectors;
    final double frobenius;

    private LayerSpectrum(WeightMatrix w, ElementType elementType, double[] values, boolean complete, Spectrum vectors) {
        this.rows = w.getRows();
        this.columns = w.getColumns();
        this.elementType = elementType;
        this.values = values;
        this.complete = complete;
        this.vectors = vectors;
        this.frobenius = MatrixOps.frobenius(w);
    }

    static LayerSpectrum of(WeightMatrix w, ElementType type, AnalysisOptions options) {
        int r = Math.min(w.getRows(), w.getColumns());
        if (options.getSpectrum() == SpectrumMode.TOP_K) {
            int k = Math.min(r, Math.max(2, options.getTopK()));
            Spectrum top = TruncatedSvd.withDefaults().top(w, k, type);
            return new LayerSpectrum(w, type, top.singularValueArray(), k == r, top);
        }
        if (r < options.getFastTopKThreshold()) {
            Spectrum full = DenseSvd.decompose(w, r);
            return new LayerSpectrum(w, type, full.singularValueArray(), true, full);
        }
        double[] values = DenseSvd.singularValues(w, type).singularValueArray();
        int relRank = SpectralMeasures.relativeRank(values, options.getMatchedRankTolerance());
        int k = Math.min(r, Math.max(1, relRank <= options.getSubspaceRankLimit() ? relRank : 1));
        Spectrum top = TruncatedSvd.withDefaults().top(w, k, type);
        return new LayerSpectrum(w, type, values, true, top);
    }

    boolean isZero() {
        return !(SpectralMeasures.sigma(values, 0) > 0);
    }

    /** Singular vectors held, at most min(m, n). */
    int vectorCount() {
        return vectors.getVectorCount();
    }

    /**
     * #{σ_j > τ}, or −1 when it cannot be told from the values held (the spectrum is partial and its smallest
     * computed value is still above τ).
     */
    int countAbove(double tau) {
        int c = 0;
        for (double v : values) {
            if (v > tau) {
                c++;
            }
        }
        boolean unknown = !complete && c == values.length && values.length < Math.min(rows, columns);
        return unknown ? -1 : c;
    }

    /** #{σ_j > δ σ₁}, or −1 when unknown (see {@link #countAbove}). */
    int relativeRank(double delta) {
        return countAbove(delta * SpectralMeasures.sigma(values, 0));
    }
}
