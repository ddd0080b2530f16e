package dev.invariance.analysis;

import org.jspecify.annotations.Nullable;

/**
 * Settings of {@link WeightAnalyzer}. Immutable; build with {@link #builder()} ({@code defaults()} for the
 * defaults). From Kotlin: {@code AnalysisOptions.builder().apply { topK = 20 }.build()}.
 */
public final class AnalysisOptions {
    private final int topK;
    private final boolean allSingularValues;
    private final int fastTopKThreshold;
    private final int subspaceRankLimit;
    private final double matchedRankTolerance;
    private final SpectrumMode spectrum;
    private final @Nullable LayerSelection layers;

    private AnalysisOptions(Builder b) {
        this.topK = b.topK;
        this.allSingularValues = b.allSingularValues;
        this.fastTopKThreshold = b.fastTopKThreshold;
        this.subspaceRankLimit = b.subspaceRankLimit;
        this.matchedRankTolerance = b.matchedRankTolerance;
        this.spectrum = b.spectrum;
        this.layers = b.layers;
    }

    /**
     * topK 10, leading values only, fast top-k from min(d_out, d_in) ≥ 512, subspace rank limit 32, δ = 1e-2,
     * {@link SpectrumMode#FULL}.
     */
    public static AnalysisOptions defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** How many leading singular values each {@link LayerMetrics} lists. */
    public int getTopK() {
        return topK;
    }

    /** Whether {@link LayerMetrics#singularValues()} lists all of them instead of the top k. */
    public boolean isAllSingularValues() {
        return allSingularValues;
    }

    /**
     * Layers with {@code min(d_out, d_in)} at least this large get their singular vectors from the block-Lanczos
     * {@link dev.invariance.linalg.TruncatedSvd} instead of a dense SVD with vectors (values always come from the
     * dense, values-only SVD, which every rank metric needs).
     */
    public int getFastTopKThreshold() {
        return fastTopKThreshold;
    }

    /**
     * The largest k for the matched-vector and subspace scores of science.md 2.7 (k = min of the two layers'
     * relative ranks); pairs above it report NaN for those two scores.
     */
    public int getSubspaceRankLimit() {
        return subspaceRankLimit;
    }

    /** δ of the relative rank that sets k for the matched-vector and subspace scores (science.md 2.7). */
    public double getMatchedRankTolerance() {
        return matchedRankTolerance;
    }

    /** Whether all singular values ({@link SpectrumMode#FULL}) or only the leading ones are computed. */
    public SpectrumMode getSpectrum() {
        return spectrum;
    }

    /**
     * Which layers the analysis covers ({@link LayerSelection}: edges are kept between selected layers only), or null
     * for all of them.
     */
    public @Nullable LayerSelection getLayers() {
        return layers;
    }

    /**
     * Mutable builder holding the defaults (the only place they are written). Each setting has a chained form
     * {@code topK(20)} and a {@code setTopK}/{@code getTopK} pair, so Kotlin writes
     * {@code AnalysisOptions.builder().apply { topK = 20 }.build()}.
     */
    public static final class Builder {
        private int topK = 10;
        private boolean allSingularValues = false;
        private int fastTopKThreshold = 512;
        private int subspaceRankLimit = 32;
        private double matchedRankTolerance = 1e-2;
        private SpectrumMode spectrum = SpectrumMode.FULL;
        private @Nullable LayerSelection layers;

        private Builder() {
        }

        /** Number of leading singular values to list, ≥ 0 (default 10). */
        public Builder setTopK(int topK) {
            if (topK < 0) {
                throw new IllegalArgumentException("topK must be >= 0, got " + topK);
            }
            this.topK = topK;
            return this;
        }

        /** Chained form of {@link #setTopK}. */
        public Builder topK(int topK) {
            return setTopK(topK);
        }

        /** See {@link AnalysisOptions#getTopK()}. */
        public int getTopK() {
            return topK;
        }

        /** List all singular values (overrides topK for the listing; default false). */
        public Builder setAllSingularValues(boolean all) {
            this.allSingularValues = all;
            return this;
        }

        /** Chained form of {@link #setAllSingularValues}. */
        public Builder allSingularValues(boolean all) {
            return setAllSingularValues(all);
        }

        /** See {@link AnalysisOptions#isAllSingularValues()}. */
        public boolean isAllSingularValues() {
            return allSingularValues;
        }

        /** See {@link AnalysisOptions#getFastTopKThreshold()}; ≥ 1 (default 512). */
        public Builder setFastTopKThreshold(int threshold) {
            if (threshold < 1) {
                throw new IllegalArgumentException("fast top-k threshold must be >= 1, got " + threshold);
            }
            this.fastTopKThreshold = threshold;
            return this;
        }

        /** Chained form of {@link #setFastTopKThreshold}. */
        public Builder fastTopKThreshold(int threshold) {
            return setFastTopKThreshold(threshold);
        }

        /** See {@link AnalysisOptions#getFastTopKThreshold()}. */
        public int getFastTopKThreshold() {
            return fastTopKThreshold;
        }

        /** See {@link AnalysisOptions#getSubspaceRankLimit()}; ≥ 0 (default 32). */
        public Builder setSubspaceRankLimit(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("subspace rank limit must be >= 0, got " + limit);
            }
            this.subspaceRankLimit = limit;
            return this;
        }

        /** Chained form of {@link #setSubspaceRankLimit}. */
        public Builder subspaceRankLimit(int limit) {
            return setSubspaceRankLimit(limit);
        }

        /** See {@link AnalysisOptions#getSubspaceRankLimit()}. */
        public int getSubspaceRankLimit() {
            return subspaceRankLimit;
        }

        /** See {@link AnalysisOptions#getMatchedRankTolerance()}; in (0, 1) (default 1e-2). */
        public Builder setMatchedRankTolerance(double delta) {
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("matched-rank tolerance must be in (0, 1), got " + delta);
            }
            this.matchedRankTolerance = delta;
            return this;
        }

        /** Chained form of {@link #setMatchedRankTolerance}. */
        public Builder matchedRankTolerance(double delta) {
            return setMatchedRankTolerance(delta);
        }

        /** See {@link AnalysisOptions#getMatchedRankTolerance()}. */
        public double getMatchedRankTolerance() {
            return matchedRankTolerance;
        }

        /** See {@link AnalysisOptions#getSpectrum()} (default {@link SpectrumMode#FULL}). */
        public Builder setSpectrum(SpectrumMode mode) {
            this.spectrum = java.util.Objects.requireNonNull(mode, "spectrum");
            return this;
        }

        /** Chained form of {@link #setSpectrum}. */
        public Builder spectrum(SpectrumMode mode) {
            return setSpectrum(mode);
        }

        /** See {@link AnalysisOptions#getSpectrum()}. */
        public SpectrumMode getSpectrum() {
            return spectrum;
        }

        /** See {@link AnalysisOptions#getLayers()}; null (the default) analyses every layer. */
        public Builder setLayers(@Nullable LayerSelection selection) {
            this.layers = selection;
            return this;
        }

        /** Chained form of {@link #setLayers}. */
        public Builder layers(@Nullable LayerSelection selection) {
            return setLayers(selection);
        }

        /** See {@link AnalysisOptions#getLayers()}. */
        public @Nullable LayerSelection getLayers() {
            return layers;
        }

        /** The immutable options. */
        public AnalysisOptions build() {
            return new AnalysisOptions(this);
        }
    }
}
