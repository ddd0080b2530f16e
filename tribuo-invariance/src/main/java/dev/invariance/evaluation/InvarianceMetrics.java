package dev.invariance.evaluation;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.Label;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.evaluation.metrics.MetricTarget;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The analysis metrics as typed identifiers, in the manner of Tribuo's {@code LabelMetrics}: one constant per
 * figure, holding its key (the snake_case name used both as the Tribuo metric name and as the JSON key of the
 * command-line contract), its display name (the column header of {@link InvarianceEvaluation#toString()}) and
 * what it is measured on ({@link Scope}). This enum is the only place those strings are written.
 *
 * <p>A {@link MetricTarget} can only be an output or an average, so each layer, pair and the whole network get a
 * {@link Label} named after them: {@code layer-0}, {@code layer-0 -> layer-1}, {@code network}. Typed lookup:
 * <pre>{@code
 * double rho = evaluation.get(InvarianceMetrics.RANK1_RATIO.forLayer("layer-1"));          // Java
 * val a = evaluation.get(InvarianceMetrics.TOP_ALIGNMENT.forPair("layer-0", "layer-1"))     // Kotlin
 * }</pre>
 * Tribuo's {@code Evaluation.get} throws for an identifier the evaluation does not hold, and a misspelt constant
 * does not compile. The figures of the stably-active submatrices (science.md 2.10) reuse the weight metrics'
 * identities with the prefix {@code stable_} ({@link #forStableLayer}, {@link #forStablePair}).
 *
 * <p>Constants marked {@linkplain #isInMetricMap() not in the metric map} are per-pair details that the JSON
 * {@code alignment} and {@code data} sections carry but {@link InvarianceEvaluation#asMap()} does not. A figure that
 * was not computed (null in {@link LayerMetrics} or {@link PairMetrics}, for example the effective rank in the top-k
 * spectrum mode) is NaN in the metric map, as Tribuo's maps hold doubles, and {@code null} in JSON.
 */
public enum InvarianceMetrics {
    /** ‖W‖₂ = σ₁. */
    SPECTRAL_NORM(Scope.LAYER, "spectral_norm", "spectral", Kind.REAL, LayerMetrics::spectralNorm),
    /** ‖W‖_F. */
    FROBENIUS_NORM(Scope.LAYER, "frobenius_norm", "frobenius", Kind.REAL, LayerMetrics::frobeniusNorm),
    /** ‖W‖_F²/‖W‖₂². */
    STABLE_RANK(Scope.LAYER, "stable_rank", "stable rk", Kind.REAL, LayerMetrics::stableRank),
    /** ρ = ‖W‖₂/‖W‖_F, 1 iff rank ≤ 1. */
    RANK1_RATIO(Scope.LAYER, "rank1_ratio", "rank-1", Kind.REAL, LayerMetrics::rank1Ratio),
    /** Roy–Vetterli effective rank exp(H(σ/‖σ‖₁)). */
    EFFECTIVE_RANK(Scope.LAYER, "effective_rank", "eff. rank", Kind.REAL, LayerMetrics::effectiveRank),
    /** #{σ_k > σ₁·max(d_out, d_in)·ε}. */
    NUMERICAL_RANK(Scope.LAYER, "numerical_rank", "num. rank", Kind.COUNT, LayerMetrics::numericalRank),
    /** #{σ_k > 10⁻²·σ₁}. */
    RELATIVE_RANK_1E2(Scope.LAYER, "relative_rank_1e-2", "rel. rank 1e-2", Kind.COUNT, LayerMetrics::relativeRank1e2),
    /** #{σ_k > 10⁻³·σ₁}. */
    RELATIVE_RANK_1E3(Scope.LAYER, "relative_rank_1e-3", "rel. rank 1e-3", Kind.COUNT, LayerMetrics::relativeRank1e3),
    /** Σσ_k/√(Σσ_k²). */
    NUCLEAR_FROBENIUS_RATIO(Scope.LAYER, "nuclear_frobenius_ratio", "nuc/frob", Kind.REAL,
            LayerMetrics::nuclearFrobeniusRatio),
    /** σ₂/σ₁. */
    SIGMA2_OVER_SIGMA1(Scope.LAYER, "sigma2_over_sigma1", "s2/s1", Kind.REAL, LayerMetrics::secondToFirstRatio),
    /** σ₁ − σ₂. */
    SPECTRAL_GAP(Scope.LAYER, "spectral_gap", "s1 - s2", Kind.REAL, LayerMetrics::spectralGap),

    /** |v_toᵀ u_from|, the alignment of adjacent top singular vectors. */
    TOP_ALIGNMENT(Scope.PAIR, "top_alignment", "top align", Kind.REAL, null, PairMetrics::adjacentAlignment, true),
    /** ‖W_to W_from‖₂ / (‖W_to‖₂ ‖W_from‖₂). */
    WEIGHTED_ALIGNMENT(Scope.PAIR, "weighted_alignment", "weighted", Kind.REAL, null,
            PairMetrics::weightedAlignment, true),
    /** c = ‖AB − BA‖_F / (√2 ‖A‖_F ‖B‖_F); a detail, not in the metric map. */
    COMMUTATOR_SCORE(Scope.PAIR, "commutator_score", "c", Kind.REAL, null, PairMetrics::commutatorScore, false),
    /** 1 − c. */
    COMMUTATOR_ALIGNMENT(Scope.PAIR, "commutator_alignment", "1 - c", Kind.REAL, null,
            PairMetrics::commutatorAlignment, true),
    /** ‖W_toᵀ W_to − W_from W_fromᵀ‖_F. */
    BALANCEDNESS(Scope.PAIR, "balancedness", "balance", Kind.REAL, null, PairMetrics::balancedness, true),
    /** k of the matched-vector and subspace scores; a detail, not in the metric map. */
    MATCHED_RANK(Scope.PAIR, "matched_rank", "k", Kind.COUNT, null, PairMetrics::matchedRank, false),
    /** (1/k) Σ_j max_l |M_jl|; a detail, not in the metric map. */
    MATCHED_VECTOR_SCORE(Scope.PAIR, "matched_vector_score", "matched", Kind.REAL, null,
            PairMetrics::matchedVectorScore, false),
    /** Whether the row-wise argmax of |M| is a permutation (1 or 0); a detail, not in the metric map. */
    MATCHED_IS_PERMUTATION(Scope.PAIR, "matched_is_permutation", "permutation", Kind.FLAG, null,
            p -> flag(p.matchedIsPermutation()), false),
    /** ‖M‖_F²/k, the mean squared cosine of the principal angles; a detail, not in the metric map. */
    SUBSPACE_SCORE(Scope.PAIR, "subspace_score", "subspace", Kind.REAL, null, PairMetrics::subspaceScore, false),

    /** Number of examples analysed. */
    EXAMPLES(Scope.NETWORK, "examples", "examples", Kind.COUNT),
    /** Cosine between the end-to-end predictor and the hard-margin SVM direction. */
    SVM_COSINE(Scope.NETWORK, "svm_cosine", "SVM cosine", Kind.REAL),
    /** The predictor's normalised margin min_n y_n f(x_n) / ‖P‖. */
    NORMALISED_MARGIN(Scope.NETWORK, "normalised_margin", "normalised margin", Kind.REAL),
    /** The hard-margin SVM's margin. */
    SVM_MARGIN(Scope.NETWORK, "svm_margin", "SVM margin", Kind.REAL),
    /** Normalised margin over SVM margin. */
    MARGIN_RATIO(Scope.NETWORK, "margin_ratio", "Margin ratio", Kind.REAL),
    /** Number of ReLU units active on every example. */
    STABLY_ACTIVE(Scope.LAYER, "stably_active", "active", Kind.COUNT),
    /** Number of ReLU units inactive on every example. */
    STABLY_DEAD(Scope.LAYER, "stably_dead", "dead", Kind.COUNT),
    /** Number of ReLU units active on some examples only. */
    UNSTABLE(Scope.LAYER, "unstable", "unstable", Kind.COUNT),
    /** Number of units whose activation pattern equals another unit's; a detail, not in the metric map. */
    TIED_UNITS(Scope.LAYER, "tied_units", "tied", Kind.COUNT, null, null, false),
    /** Change of W_toᵀ W_to − W_from W_fromᵀ over training (science.md 2.9). */
    CONSERVATION_DRIFT(Scope.PAIR, "conservation_drift", "drift", Kind.REAL),
    /** The drift of the diagonal of the conserved quantity (ReLU networks conserve it per unit). */
    DIAGONAL_DRIFT(Scope.PAIR, "diagonal_drift", "diag. drift", Kind.REAL),
    /** The drift restricted to the stably active units. */
    STABLE_DRIFT(Scope.PAIR, "stable_drift", "stable drift", Kind.REAL);

    /** The target name of whole-network metrics. */
    public static final String NETWORK = "network";
    /** The prefix of the stably-active-submatrix variants of the weight metrics. */
    public static final String STABLE_PREFIX = "stable_";

    /** What a metric is measured on, which sets its {@link MetricTarget}. */
    public enum Scope {
        /** One weight matrix: target {@code layer-i}. */
        LAYER,
        /** Two consecutive layers: target {@code from -> to}. */
        PAIR,
        /** The whole network and its data: target {@code network}. */
        NETWORK
    }

    /** How a value is written in JSON. */
    public enum Kind {
        /** A real number; NaN, infinities and figures not computed are written as null. */
        REAL,
        /** A non-negative integer, or null when not computed. */
        COUNT,
        /** A boolean, 1 for true and 0 for false in the metric map; null when not computed. */
        FLAG
    }

    private final Scope scope;
    private final String key;
    private final String displayName;
    private final Kind kind;
    private final @Nullable Figure<LayerMetrics> layerValue;
    private final @Nullable Figure<PairMetrics> pairValue;
    private final boolean inMetricMap;

    InvarianceMetrics(Scope scope, String key, String displayName, Kind kind) {
        this(scope, key, displayName, kind, null, null, true);
    }

    InvarianceMetrics(Scope scope, String key, String displayName, Kind kind, Figure<LayerMetrics> layerValue) {
        this(scope, key, displayName, kind, layerValue, null, true);
    }

    InvarianceMetrics(Scope scope, String key, String displayName, Kind kind,
                      @Nullable Figure<LayerMetrics> layerValue,
                      @Nullable Figure<PairMetrics> pairValue, boolean inMetricMap) {
        this.scope = scope;
        this.key = key;
        this.displayName = displayName;
        this.kind = kind;
        this.layerValue = layerValue;
        this.pairValue = pairValue;
        this.inMetricMap = inMetricMap;
    }

    /** The metric name in Tribuo's map and the JSON key, e.g. {@code rank1_ratio}. */
    public String getKey() {
        return key;
    }

    /** The short column header used in printed tables, e.g. {@code rank-1}. */
    public String getDisplayName() {
        return displayName;
    }

    /** What the metric is measured on. */
    public Scope getScope() {
        return scope;
    }

    /** How the value is written in JSON. */
    public Kind getKind() {
        return kind;
    }

    /** Whether {@link InvarianceEvaluation#asMap()} holds this metric (false for JSON-only details). */
    public boolean isInMetricMap() {
        return inMetricMap;
    }

    /** Whether this is a weight metric of one layer or one pair (it then has a {@code stable_} variant). */
    public boolean isWeightMetric() {
        return layerValue != null || (pairValue != null && inMetricMap);
    }

    /** This metric of layer {@code layerName}. */
    public MetricID<Label> forLayer(String layerName) {
        requireScope(Scope.LAYER);
        return new MetricID<>(layerTarget(layerName), key);
    }

    /** This metric of the pair {@code from -> to}. */
    public MetricID<Label> forPair(String from, String to) {
        requireScope(Scope.PAIR);
        return new MetricID<>(pairTarget(from, to), key);
    }

    /** This whole-network metric. */
    public MetricID<Label> forNetwork() {
        requireScope(Scope.NETWORK);
        return new MetricID<>(networkTarget(), key);
    }

    /** This weight metric of layer {@code layerName}'s stably-active submatrix ({@code stable_} + key). */
    public MetricID<Label> forStableLayer(String layerName) {
        requireScope(Scope.LAYER);
        requireWeightMetric();
        return new MetricID<>(layerTarget(layerName), STABLE_PREFIX + key);
    }

    /** This weight metric of the stably-active submatrices of the pair {@code from -> to}. */
    public MetricID<Label> forStablePair(String from, String to) {
        requireScope(Scope.PAIR);
        requireWeightMetric();
        return new MetricID<>(pairTarget(from, to), STABLE_PREFIX + key);
    }

    /**
     * The metric whose key is {@code key}.
     *
     * @throws IllegalArgumentException listing the known keys, for an unknown one
     */
    public static InvarianceMetrics fromKey(String key) {
        for (InvarianceMetrics m : values()) {
            if (m.key.equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + key + "'; known: "
                + Arrays.stream(values()).map(InvarianceMetrics::getKey).toList());
    }

    /** The target of a layer's metrics. */
    public static MetricTarget<Label> layerTarget(String layerName) {
        return new MetricTarget<>(new Label(layerName));
    }

    /** The target of a pair's metrics, {@code "from -> to"}. */
    public static MetricTarget<Label> pairTarget(String from, String to) {
        return new MetricTarget<>(new Label(from + " -> " + to));
    }

    /** The target of whole-network metrics. */
    public static MetricTarget<Label> networkTarget() {
        return new MetricTarget<>(new Label(NETWORK));
    }

    /**
     * The metric named {@code name} of layer {@code layerName}; {@code name} is a key, optionally with the
     * {@code stable_} prefix. Prefer {@code RANK1_RATIO.forLayer(layerName)}.
     *
     * @throws IllegalArgumentException for a name that is not a layer metric
     */
    public static MetricID<Label> layer(String layerName, String name) {
        named(Scope.LAYER, name);
        return new MetricID<>(layerTarget(layerName), name);
    }

    /**
     * The metric named {@code name} of the pair {@code from -> to}; prefer {@code TOP_ALIGNMENT.forPair(from, to)}.
     *
     * @throws IllegalArgumentException for a name that is not a pair metric
     */
    public static MetricID<Label> pair(String from, String to, String name) {
        named(Scope.PAIR, name);
        return new MetricID<>(pairTarget(from, to), name);
    }

    /**
     * The whole-network metric named {@code name}; prefer {@code SVM_COSINE.forNetwork()}.
     *
     * @throws IllegalArgumentException for a name that is not a network metric
     */
    public static MetricID<Label> network(String name) {
        return named(Scope.NETWORK, name).forNetwork();
    }

    /** The metric of {@code scope} whose key is {@code name}, or whose {@code stable_} variant is. */
    private static InvarianceMetrics named(Scope scope, String name) {
        for (InvarianceMetrics m : values()) {
            if (m.scope == scope && (m.key.equals(name) || (m.isWeightMetric() && name.equals(STABLE_PREFIX + m.key)))) {
                return m;
            }
        }
        throw new IllegalArgumentException("no " + scope.name().toLowerCase(java.util.Locale.ROOT) + " metric '" + name
                + "'; known: " + Arrays.stream(values()).filter(m -> m.scope == scope).map(InvarianceMetrics::getKey).toList());
    }

    private void requireScope(Scope wanted) {
        if (scope != wanted) {
            throw new IllegalArgumentException(name() + " is a " + scope.name().toLowerCase(java.util.Locale.ROOT)
                    + " metric, not a " + wanted.name().toLowerCase(java.util.Locale.ROOT) + " metric");
        }
    }

    private void requireWeightMetric() {
        if (!isWeightMetric()) {
            throw new IllegalArgumentException(name() + " has no stably-active-submatrix variant");
        }
    }

    /** This layer metric's value in {@code l}: null when it was not computed (a count or flag as a number). */
    @Nullable Double valueOf(LayerMetrics l) {
        Figure<LayerMetrics> f = layerValue;
        if (f == null) {
            throw new IllegalStateException(name() + " is not read from LayerMetrics");
        }
        return asDouble(f.of(l));
    }

    /** This pair metric's value in {@code p}: null when it was not computed (a count or flag as a number). */
    @Nullable Double valueOf(PairMetrics p) {
        Figure<PairMetrics> f = pairValue;
        if (f == null) {
            throw new IllegalStateException(name() + " is not read from PairMetrics");
        }
        return asDouble(f.of(p));
    }

    /** A figure as Tribuo's metric maps hold it: NaN when it was not computed. */
    private static double orNaN(@Nullable Double v) {
        return v == null ? Double.NaN : v;
    }

    private static @Nullable Double asDouble(@Nullable Number v) {
        return v == null ? null : v.doubleValue();
    }

    private static @Nullable Number flag(@Nullable Boolean b) {
        return b == null ? null : (b ? 1 : 0);
    }

    /** One figure of a layer's or a pair's metrics record; null when it was not computed. */
    @FunctionalInterface
    private interface Figure<T> {
        @Nullable Number of(T metrics);
    }

    /** Whether the value comes from {@link LayerMetrics}. */
    boolean readsLayerMetrics() {
        return layerValue != null;
    }

    /** Whether the value comes from {@link PairMetrics}. */
    boolean readsPairMetrics() {
        return pairValue != null;
    }

    /** Every figure of the analysis as a Tribuo metric map, in report order. */
    static Map<MetricID<Label>, Double> of(AnalysisReport report, @Nullable DataAnalysis data) {
        Map<MetricID<Label>, Double> m = new LinkedHashMap<>();
        for (LayerMetrics l : report.layers()) {
            putLayer(m, l.name(), "", l);
        }
        for (PairMetrics p : report.pairs()) {
            putPair(m, p.producerName(), p.consumerName(), "", p);
        }
        if (data != null) {
            m.put(EXAMPLES.forNetwork(), (double) data.examples());
            MarginComparison margin = data.margin();
            if (margin != null) {
                m.put(SVM_COSINE.forNetwork(), margin.cosine());
                m.put(NORMALISED_MARGIN.forNetwork(), margin.normalisedMargin());
                m.put(SVM_MARGIN.forNetwork(), margin.svmMargin());
                m.put(MARGIN_RATIO.forNetwork(), margin.marginRatio());
            }
            for (LayerActivation a : data.activations()) {
                m.put(STABLY_ACTIVE.forLayer(a.name()), (double) a.stablyActive().size());
                m.put(STABLY_DEAD.forLayer(a.name()), (double) a.stablyDead().size());
                m.put(UNSTABLE.forLayer(a.name()), (double) a.unstableCount());
            }
            StableSubmatrixMetrics stable = data.stable();
            if (stable != null) {
                for (StableSubmatrixMetrics.StableLayer sl : stable.layers()) {
                    LayerMetrics lm = sl.metrics();
                    if (lm != null) {
                        putLayer(m, report.layers().get(sl.layer()).name(), STABLE_PREFIX, lm);
                    }
                }
                for (StableSubmatrixMetrics.StablePair sp : stable.pairs()) {
                    PairMetrics pm = sp.metrics();
                    if (pm != null) {
                        putPair(m, report.layers().get(sp.from()).name(), report.layers().get(sp.to()).name(),
                                STABLE_PREFIX, pm);
                    }
                }
            }
            data.drift().forEach(d -> {
                String from = report.layers().get(d.from()).name();
                String to = report.layers().get(d.to()).name();
                m.put(CONSERVATION_DRIFT.forPair(from, to), d.drift());
                m.put(DIAGONAL_DRIFT.forPair(from, to), d.diagonalDrift());
                m.put(STABLE_DRIFT.forPair(from, to), d.stableDrift());
            });
        }
        return Collections.unmodifiableMap(m);
    }

    private static void putLayer(Map<MetricID<Label>, Double> m, String name, String prefix, LayerMetrics l) {
        for (InvarianceMetrics metric : values()) {
            if (metric.layerValue != null && metric.inMetricMap) {
                m.put(new MetricID<>(layerTarget(name), prefix + metric.key), orNaN(metric.valueOf(l)));
            }
        }
    }

    private static void putPair(Map<MetricID<Label>, Double> m, String from, String to, String prefix, PairMetrics p) {
        for (InvarianceMetrics metric : values()) {
            if (metric.pairValue != null && metric.inMetricMap) {
                m.put(new MetricID<>(pairTarget(from, to), prefix + metric.key), orNaN(metric.valueOf(p)));
            }
        }
    }
}
