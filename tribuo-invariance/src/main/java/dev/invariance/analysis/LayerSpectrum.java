package dev.invariance.analysis;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.GramSvd;
import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.linalg.Spectrum;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.invariance.network.WeightPanels;
import org.jspecify.annotations.Nullable;

/**
 * What the metrics need from one matrix W (d_out × d_in), without W itself (so a streaming analysis can drop the
 * weights once this is computed): its singular values σ₁ ≥ σ₂ ≥ … (all of them in {@link SpectrumMode#FULL}, the
 * leading ones in {@link SpectrumMode#TOP_K}), its leading singular vector pairs and ‖W‖_F computed from the
 * entries. Small matrices (min(m, n) below the fast threshold) take a dense double SVD; large float32 (or narrower)
 * ones in full mode the double-precision Gram eigensolver ({@link GramSvd}: values and vectors at once); large
 * float64 ones a dense double SVD for the values and block Lanczos for the vectors; top-k mode block Lanczos.
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
        this(w.getRows(), w.getColumns(), elementType, values, complete, vectors, MatrixOps.frobenius(w));
    }

    private LayerSpectrum(int rows, int columns, ElementType elementType, double[] values, boolean complete,
                          Spectrum vectors, double frobenius) {
        this.rows = rows;
        this.columns = columns;
        this.elementType = elementType;
        this.values = values;
        this.complete = complete;
        this.vectors = vectors;
        this.frobenius = frobenius;
    }

    /**
     * The top-k spectrum ({@link SpectrumMode#TOP_K} only) of a layer whose weight is read a panel at a time from
     * where it is stored ({@link TruncatedSvd#top(WeightPanels, int)}): W is never copied onto the heap.
     */
    static LayerSpectrum of(WeightPanels w, AnalysisOptions options, TruncatedSvd solver) {
        if (options.getSpectrum() != SpectrumMode.TOP_K) {
            throw new IllegalArgumentException("only the top-k spectrum is computed from panels");
        }
        int r = Math.min(w.outputWidth(), w.inputWidth());
        int k = topK(w.outputWidth(), w.inputWidth(), options);
        TruncatedSvd.Streamed top = solver.top(w, k);
        return new LayerSpectrum(w.outputWidth(), w.inputWidth(), w.getElementType(),
                top.spectrum().singularValueArray(), k == r, top.spectrum(), top.frobenius());
    }

    /** The top-k count {@link #of(WeightPanels, AnalysisOptions, TruncatedSvd)} asks for an m × n layer. */
    static int topK(int m, int n, AnalysisOptions options) {
        return Math.min(Math.min(m, n), Math.max(2, options.getTopK()));
    }

    static LayerSpectrum of(WeightMatrix w, ElementType type, AnalysisOptions options) {
        return of(w, type, options, TruncatedSvd.withDefaults());
    }

    /** As {@link #of(WeightMatrix, ElementType, AnalysisOptions)}, leading values and vectors by {@code solver}. */
    static LayerSpectrum of(WeightMatrix w, ElementType type, AnalysisOptions options, TruncatedSvd solver) {
        return of(w, type, options, solver, null);
    }

    /**
     * As {@link #of(WeightMatrix, ElementType, AnalysisOptions, TruncatedSvd)}, showing {@code copy} the Gram matrix
     * when the Gram eigensolver forms one ({@link GramSvd#factor(WeightMatrix, GramSvd.GramCopy)}).
     */
    static LayerSpectrum of(WeightMatrix w, ElementType type, AnalysisOptions options, TruncatedSvd solver,
                            GramSvd.@Nullable GramCopy copy) {
        int r = Math.min(w.getRows(), w.getColumns());
        if (options.getSpectrum() == SpectrumMode.TOP_K) {
            int k = Math.min(r, Math.max(2, options.getTopK()));
            Spectrum top = solver.top(w, k, type);
            return new LayerSpectrum(w, type, top.singularValueArray(), k == r, top);
        }
        if (r < options.getFastTopKThreshold()) {
            // every value; of the vectors only as many as a pair score can use (science.md 2.7)
            Spectrum full = DenseSvd.decompose(w, maxVectors(r, options));
            return new LayerSpectrum(w, type, full.singularValueArray(), true, full);
        }
        if (w.isZero()) {
            // every σ is 0 (the routes below would spend O(r³) to find that); the top pair as the dense SVD gives it
            return new LayerSpectrum(w, type, new double[r], true, solver.top(w, 1, type));
        }
        if (usesGramSvd(type, r, options)) {
            GramSvd.Factored gram = GramSvd.factor(w, copy);
            double[] values = gram.singularValues();
            int k = leadingVectors(values, r, options);
            Spectrum vectors;
            try {
                vectors = gram.decompose(k);
            } catch (ArithmeticException e) {
                vectors = null;
            }
            gram = null; // the r × r reflectors are not needed by the fallback: let them go before it allocates
            if (vectors == null) {
                // a requested σ_j is 0 or inverse iteration failed: Lanczos (with its dense fallback) decides
                vectors = solver.top(w, k, type);
            }
            return new LayerSpectrum(w, type, values, true, vectors);
        }
        double[] values = DenseSvd.singularValues(w, type).singularValueArray();
        Spectrum top = solver.top(w, leadingVectors(values, r, options), type);
        return new LayerSpectrum(w, type, values, true, top);
    }

    /**
     * Whether {@link #of} takes the double-precision Gram eigensolver: full mode, float32 or narrower, r large, and
     * its r × r doubles within a quarter of the heap (for a square layer they are twice the float weights; beyond
     * that the single-precision SVD, which needs one float copy of W, is the one that fits).
     */
    static boolean usesGramSvd(ElementType type, int r, AnalysisOptions options) {
        return options.getSpectrum() == SpectrumMode.FULL && type != ElementType.FLOAT64
                && r >= options.getFastTopKThreshold() && r > 0
                && 8L * r * r <= Runtime.getRuntime().maxMemory() / 4;
    }

    /**
     * Bytes of heap {@link #of(WeightMatrix, ElementType, AnalysisOptions, TruncatedSvd)} allocates at its peak for an
     * m × n layer of {@code type}, besides the weights (held as floats for float32 and narrower types, as doubles for
     * float64): the workspace of the route {@link #of} takes (dense SVD, Gram eigensolver, values-only SVD then block
     * Lanczos, or block Lanczos alone) and what the spectrum keeps (the values and the leading vectors).
     */
    static long workingBytes(int m, int n, ElementType type, AnalysisOptions options, TruncatedSvd solver) {
        int r = Math.min(m, n);
        if (r == 0) {
            return 0;
        }
        boolean floats = type != ElementType.FLOAT64;
        if (options.getSpectrum() == SpectrumMode.TOP_K) {
            int k = Math.min(r, Math.max(2, options.getTopK()));
            return solver.workingBytes(m, n, k, type, floats);
        }
        if (r < options.getFastTopKThreshold()) {
            return DenseSvd.decomposeBytes(m, n, maxVectors(r, options));
        }
        int k = maxVectors(r, options);
        long lanczos = solver.workingBytes(m, n, k, type, floats);
        long values = 8L * r;
        if (usesGramSvd(type, r, options)) {
            return values + Math.max(GramSvd.workingBytes(m, n, k), lanczos);
        }
        return values + Math.max(DenseSvd.valuesBytes(m, n, type), lanczos);
    }

    /** The most vector pairs any pair score reads: the subspace rank limit (science.md 2.7), at least one. */
    private static int maxVectors(int r, AnalysisOptions options) {
        return Math.min(r, Math.max(1, options.getSubspaceRankLimit()));
    }

    /**
     * How many leading vector pairs the pair scores need: the relative rank at δ when it is within the subspace
     * limit (science.md 2.7), else only the top pair.
     */
    private static int leadingVectors(double[] values, int r, AnalysisOptions options) {
        int relRank = SpectralMeasures.relativeRank(values, options.getMatchedRankTolerance());
        return Math.min(r, Math.max(1, relRank <= options.getSubspaceRankLimit() ? relRank : 1));
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
