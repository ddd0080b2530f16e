package dev.invariance.analysis;

import dev.invariance.linalg.MatrixOps;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.StreamedNetwork;
import dev.invariance.network.WeightMatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * Computes the low-rank and alignment metrics of science.md section 2 for every layer and every data-flow edge of a
 * {@link NetworkDescription} or a {@link StreamedNetwork} (all matrices {@code W} are d_out × d_in). Stateless apart from its
 * options; thread-safe. {@code WeightAnalyzer.create().analyze(network)}.
 */
public final class WeightAnalyzer {
    private final AnalysisOptions options;

    private WeightAnalyzer(AnalysisOptions options) {
        this.options = options;
    }

    /** An analyzer with {@link AnalysisOptions#defaults()}. */
    public static WeightAnalyzer create() {
        return new WeightAnalyzer(AnalysisOptions.defaults());
    }

    /** An analyzer with the given options. */
    public static WeightAnalyzer create(AnalysisOptions options) {
        return new WeightAnalyzer(options);
    }

    /** The options in use. */
    public AnalysisOptions getOptions() {
        return options;
    }

    /**
     * Per-layer metrics of every dense layer and, for every data-flow edge, its pair metrics or the reason it has
     * none (see {@link EdgeReport}). The same computation as {@link #analyze(StreamedNetwork)} on
     * {@link NetworkDescription#asStream()}.
     */
    public AnalysisReport analyze(NetworkDescription network) {
        try (StreamedNetwork stream = network.asStream()) {
            return analyze(stream);
        }
    }

    /**
     * Analyses a network layer by layer, for models larger than memory: each layer is loaded, its spectrum computed
     * (all singular values or the leading ones, {@link AnalysisOptions#getSpectrum()}), and only its singular
     * values and leading singular vectors are kept; layers are independent, so up to one per available processor
     * is analysed at a time, as many as fit a memory budget of 3/4 of the heap still free ({@link MemoryPlan}: the
     * weights, the workspace of each layer's spectrum route, the results kept; an analysis that would not fit the
     * free heap even one task at a time is refused before it starts). Then each edge whose
     * vectors live in the same space gets its pair metrics; in {@link SpectrumMode#FULL} mode the scores that need
     * both full matrices (weighted alignment, commutator, balancedness) reload the two layers of the edge, one
     * edge per budget share at a time. The stream is not closed. With a multi-threaded BLAS (OpenBLAS) the parallel
     * layers oversubscribe the cores; run analyses with {@code OPENBLAS_NUM_THREADS=1} ({@code bin/invariance analyze}
     * does), which measured twice as fast on two cores.
     *
     * @throws InsufficientMemoryException when the analysis would not fit in the heap even one layer at a time
     *                                     (before any weight is read; one line naming the layer and the heap it needs)
     * @throws RuntimeException            whatever {@link StreamedNetwork#load} throws for invalid weights, unchanged
     */
    public AnalysisReport analyze(StreamedNetwork network) {
        return LayerByLayer.run(network, options, Runtime.getRuntime().availableProcessors(), HeapSize::available);
    }

    /** The metrics of a single matrix (d_out × d_in) stored in {@code layer}'s element type. */
    public LayerMetrics analyzeLayer(DenseLayer layer) {
        return LayerMetricsCalculator.compute(layer.name(), layer.op(),
                LayerSpectrum.of(layer.weights(), layer.elementType(), options), options);
    }

    /** The pair metrics of {@code from} (d × ·) feeding {@code to} (· × d), as if directly connected. */
    public PairMetrics analyzePair(DenseLayer from, DenseLayer to) {
        return AlignmentMeasures.compute(0, 1, from.name(), to.name(), false,
                LayerSpectrum.of(from.weights(), from.elementType(), options),
                LayerSpectrum.of(to.weights(), to.elementType(), options), from.weights(), to.weights(), options);
    }

    /**
     * Every layer and pair metric on the stably active submatrices (science.md 2.11) given the data
     * {@code inputs} (N × d_0, rows are examples): layer i uses {@code W_i[S_i, S_{i−1}]}, pair (from, to) uses
     * {@code W_from[S_from, S_{from−1}]} and {@code W_to[:, S_from]}; empty sets give null ("not applicable").
     */
    public StableSubmatrixMetrics analyzeStableSubmatrices(NetworkDescription network, WeightMatrix inputs) {
        return analyzeStableSubmatrices(network, ActivationPatterns.of(network, inputs));
    }

    /**
     * The same metrics from activation patterns observed elsewhere (for example by running an ONNX model with ONNX
     * Runtime, which also serves graphs the in-memory forward pass cannot run): one {@link LayerActivation} per
     * layer, in layer order, a linear layer with every unit stably active.
     *
     * @throws IllegalArgumentException if there is not one pattern per layer or a pattern's widths do not match
     */
    public StableSubmatrixMetrics analyzeStableSubmatrices(NetworkDescription network, List<LayerActivation> acts) {
        if (acts.size() != network.depth()) {
            throw new IllegalArgumentException(acts.size() + " activation patterns for a network of " + network.depth()
                    + " layers");
        }
        for (int i = 0; i < acts.size(); i++) {
            LayerActivation a = acts.get(i);
            if (a.layer() != i) {
                throw new IllegalArgumentException("activation pattern " + i + " is for layer " + a.layer());
            }
            int d = network.layer(i).outputWidth();
            if (a.stablyActive().size() + a.stablyDead().size() + a.unstableCount() != d) {
                throw new IllegalArgumentException("activation pattern of layer " + a.name() + " covers "
                        + (a.stablyActive().size() + a.stablyDead().size() + a.unstableCount()) + " units, the layer has " + d);
            }
        }
        List<StableSubmatrixMetrics.StableLayer> layers = new ArrayList<>();
        for (int i = 0; i < network.depth(); i++) {
            DenseLayer layer = network.layer(i);
            List<Integer> rows = acts.get(i).stablyActive();
            List<Integer> cols = stableInputs(network, acts, i);
            LayerMetrics m = rows.isEmpty() || cols.isEmpty() ? null
                    : analyzeMatrix(layer.name() + "[S,S]", layer.op(), MatrixOps.submatrix(layer.weights(), rows, cols),
                    layer.elementType());
            layers.add(new StableSubmatrixMetrics.StableLayer(i, rows, cols, m));
        }
        List<StableSubmatrixMetrics.StablePair> pairs = new ArrayList<>();
        for (DataFlowEdge p : network.edges()) {
            DenseLayer from = network.layer(p.producer());
            DenseLayer to = network.layer(p.consumer());
            List<Integer> before = stableInputs(network, acts, p.producer());
            List<Integer> s = acts.get(p.producer()).stablyActive();
            PairMetrics m = null;
            // the pair's vectors must live in one space: not across a Flatten / Slice (widths differ)
            if (!s.isEmpty() && !before.isEmpty() && from.outputWidth() == to.inputWidth()) {
                m = analyzeMatrices(p.producer(), p.consumer(), from.name() + "[S,S]", to.name() + "[:,S]", p.viaResidual(),
                        MatrixOps.submatrix(from.weights(), s, before),
                        MatrixOps.submatrix(to.weights(), MatrixOps.range(to.outputWidth()), s), from.elementType());
            }
            pairs.add(new StableSubmatrixMetrics.StablePair(p.producer(), p.consumer(), m));
        }
        return new StableSubmatrixMetrics(acts, layers, pairs);
    }

    /**
     * The columns of W_i that read stably active units of the layer before (S_{i−1}; every input for i = 0). When
     * layer i reads k·d_out(i − 1) values (a {@code Flatten} of the previous layer applied at k positions, units
     * fastest), unit j at position p is column p·d + j; widths that are not a multiple give no columns.
     */
    private static List<Integer> stableInputs(NetworkDescription network, List<LayerActivation> acts, int i) {
        DenseLayer layer = network.layer(i);
        if (i == 0) {
            return MatrixOps.range(layer.inputWidth());
        }
        return unitColumns(acts.get(i - 1).stablyActive(), network.layer(i - 1).outputWidth(), layer.inputWidth());
    }

    private static List<Integer> unitColumns(List<Integer> units, int producerWidth, int consumerInputs) {
        if (consumerInputs == producerWidth) {
            return units;
        }
        if (producerWidth == 0 || consumerInputs % producerWidth != 0) {
            return List.of();
        }
        List<Integer> cols = new ArrayList<>();
        for (int p = 0; p < consumerInputs / producerWidth; p++) {
            for (int j : units) {
                cols.add(p * producerWidth + j);
            }
        }
        return cols;
    }

    /** Metrics of a bare matrix, named {@code name}. */
    LayerMetrics analyzeMatrix(String name, String op, WeightMatrix w, dev.invariance.network.ElementType type) {
        return LayerMetricsCalculator.compute(name, op, LayerSpectrum.of(w, type, options), options);
    }

    PairMetrics analyzeMatrices(int from, int to, String fromName, String toName, boolean viaResidual,
                                WeightMatrix wf, WeightMatrix wt, dev.invariance.network.ElementType type) {
        return AlignmentMeasures.compute(from, to, fromName, toName, viaResidual, LayerSpectrum.of(wf, type, options),
                LayerSpectrum.of(wt, type, options), wf, wt, options);
    }
}
