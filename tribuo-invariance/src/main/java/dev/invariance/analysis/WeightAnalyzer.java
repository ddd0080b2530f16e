package dev.invariance.analysis;

import dev.invariance.analysis.internal.HeapSize;
import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.StreamedNetwork;
import dev.invariance.network.WeightMatrix;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * Computes the low-rank and alignment metrics of science.md section 2 for every layer and every data-flow edge of a
 * {@link NetworkDescription} or a {@link StreamedNetwork} (all matrices {@code W} are d_out × d_in). Immutable (its options
 * and its {@link #withProgress progress listener}); thread-safe. {@code WeightAnalyzer.create().analyze(network)}.
 */
public final class WeightAnalyzer {
    private final AnalysisOptions options;
    private final AnalysisProgress progress;

    private WeightAnalyzer(AnalysisOptions options, AnalysisProgress progress) {
        this.options = options;
        this.progress = progress;
    }

    /** An analyzer with {@link AnalysisOptions#defaults()}. */
    public static WeightAnalyzer create() {
        return create(AnalysisOptions.defaults());
    }

    /** An analyzer with the given options. */
    public static WeightAnalyzer create(AnalysisOptions options) {
        return new WeightAnalyzer(options, AnalysisProgress.NONE);
    }

    /**
     * The same analyzer reporting the progress of each {@link #analyze} call to {@code progress} (last, so Kotlin
     * can pass a trailing lambda: {@code analyzer.withProgress { println("${it.layersDone}/${it.layersTotal}") }}).
     * The evaluators that run the analyzer ({@code InvarianceEvaluator}, {@code OnnxAnalysis},
     * {@code OnnxDataAnalyzer}) report through it too. The per-matrix methods ({@link #analyzeLayer},
     * {@link #analyzePair}, the stable submatrices) do not report.
     */
    public WeightAnalyzer withProgress(AnalysisProgress progress) {
        return new WeightAnalyzer(options, java.util.Objects.requireNonNull(progress, "progress"));
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
     * <p>With a {@link AnalysisOptions#getLayers() layer selection}, only the selected layers are loaded and analysed,
     * renumbered from 0 in their order, and only the edges between two selected layers are reported (with the graph's
     * boundary edges into or out of selected layers); the report names the pattern
     * ({@link AnalysisReport#layerPattern()}). Progress goes to the analyzer's {@link #withProgress listener}.
     *
     * @throws IllegalArgumentException    when the layer selection picks no layer or is too costly to match (one
     *                                     line naming the pattern, before any weight is read)
     * @throws InsufficientMemoryException when the analysis would not fit in the heap even one layer at a time
     *                                     (before any weight is read; one line naming the layer and the heap it needs)
     * @throws RuntimeException            whatever {@link StreamedNetwork#load} throws for invalid weights, unchanged
     */
    public AnalysisReport analyze(StreamedNetwork network) {
        return LayerByLayer.run(network, options, Runtime.getRuntime().availableProcessors(), HeapSize::available,
                progress);
    }

    /**
     * Heap an r × c stable submatrix takes with its spectrum: the double copy and the workspace of its spectrum route,
     * by the estimate the analysis engine's memory plan uses ({@link LayerSpectrum#workingBytes}).
     */
    private long submatrixBytes(int r, int c, dev.invariance.network.ElementType type) {
        return 8L * r * c + LayerSpectrum.workingBytes(r, c, type, options, TruncatedSvd.withDefaults());
    }

    /**
     * Null when {@code bytes} fit 3/4 of the heap still free, else the one-line reason a stable submatrix's metrics
     * are not computed (they are computed in memory, unlike the streamed full layers).
     */
    private static @Nullable String tooLarge(String what, long bytes) {
        long budget = HeapSize.available(bytes) / 4 * 3;
        if (bytes <= budget) {
            return null;
        }
        return what + " needs about " + (bytes >> 20) + " MB, more than the " + (budget >> 20)
                + " MB this heap leaves (a larger -Xmx computes it)";
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
     * Every layer and pair metric on the stably active submatrices (science.md 2.11, {@link StableSubmatrixMetrics})
     * given the data {@code inputs} (N × d_0, rows are examples) of a chain that can be run in memory
     * ({@link NetworkDescription#residualLayers()}): layer i uses {@code W_i[S_i, C_i]}, edge (from, to) uses
     * {@code W_from[S_from, C_from]} and {@code W_to[:, S_from]}; empty or undefined sets give null with a reason.
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
        try (StreamedNetwork stream = network.asStream()) {
            return analyzeStableSubmatrices(stream, acts);
        }
    }

    /**
     * The same metrics on a network read layer by layer (a model larger than memory): only the layers whose
     * submatrices are computed are loaded, one at a time (two for an edge), and dropped after use. The stream is not
     * closed.
     *
     * @throws IllegalArgumentException if there is not one pattern per layer or a pattern's widths do not match
     */
    public StableSubmatrixMetrics analyzeStableSubmatrices(StreamedNetwork network, List<LayerActivation> acts) {
        NetworkOutline outline = network.outline();
        List<LayerOutline> outlines = outline.layers();
        if (acts.size() != outlines.size()) {
            throw new IllegalArgumentException(acts.size() + " activation patterns for a network of " + outlines.size()
                    + " layers");
        }
        for (int i = 0; i < acts.size(); i++) {
            LayerActivation a = acts.get(i);
            if (a.layer() != i) {
                throw new IllegalArgumentException("activation pattern " + i + " is for layer " + a.layer());
            }
            int d = outlines.get(i).outputWidth();
            if (a.stablyActive().size() + a.stablyDead().size() + a.unstableCount() != d) {
                throw new IllegalArgumentException("activation pattern of layer " + a.name() + " covers "
                        + (a.stablyActive().size() + a.stablyDead().size() + a.unstableCount()) + " units, the layer has " + d);
            }
        }
        StableColumns stableColumns = new StableColumns(outline, acts);
        List<StableColumns.Result> columns = new ArrayList<>(outlines.size());
        List<StableSubmatrixMetrics.StableLayer> layers = new ArrayList<>();
        for (int i = 0; i < outlines.size(); i++) {
            LayerOutline layer = outlines.get(i);
            List<Integer> rows = acts.get(i).stablyActive();
            StableColumns.Result cols = stableColumns.of(i);
            columns.add(cols);
            List<Integer> c = cols.columns();
            String reason = cols.reason(); // null exactly when the columns are defined
            LayerMetrics m = null;
            if (c != null) {
                if (rows.isEmpty()) {
                    reason = "no unit of " + layer.name() + " is stably active";
                } else if (c.isEmpty()) {
                    reason = "no column of " + layer.name() + " reads a value linear on the data";
                } else {
                    reason = tooLarge(layer.name() + "[S,S]",
                            submatrixBytes(rows.size(), c.size(), layer.elementType()));
                }
                if (reason == null) {
                    m = analyzeMatrix(layer.name() + "[S,S]", layer.op(),
                            MatrixOps.submatrix(network.load(i).weights(), rows, c), layer.elementType());
                }
            }
            layers.add(new StableSubmatrixMetrics.StableLayer(i, rows, c, m, reason));
        }
        List<StableSubmatrixMetrics.StablePair> pairs = new ArrayList<>();
        for (DataFlowEdge p : outline.edges()) {
            pairs.add(stablePair(network, p, acts.get(p.producer()).stablyActive(), columns.get(p.producer())));
        }
        return new StableSubmatrixMetrics(acts, layers, pairs);
    }

    /**
     * {@code W_from[S', C_from]} feeding {@code W_to[:, cols(S')]}, S' the stably active units of the producer that
     * reach one column each of the consumer (all of S_from on an identity edge).
     */
    private StableSubmatrixMetrics.StablePair stablePair(StreamedNetwork network, DataFlowEdge p,
                                                         List<Integer> active, StableColumns.Result before) {
        LayerOutline from = network.outline().layers().get(p.producer());
        LayerOutline to = network.outline().layers().get(p.consumer());
        List<Integer> units = new ArrayList<>();
        List<Integer> cols = new ArrayList<>();
        List<Integer> fromColumns = before.columns();
        String reason = before.reason(); // null exactly when fromColumns is defined
        for (int u : active) {
            List<Integer> c = reason != null ? List.of() : p.units().columns(List.of(u), from.outputWidth(), to.inputWidth());
            if (c == null) {
                reason = "the units of " + from.name() + " reach " + to.name() + " " + p.units().describe();
            } else if (c.size() > 1) {
                reason = "each unit of " + from.name() + " reaches " + c.size() + " columns of " + to.name()
                        + " (" + p.units().describe() + "): the two sides share no space";
            } else if (c.size() == 1) {
                units.add(u);
                cols.add(c.get(0));
            }
        }
        PairMetrics m = null;
        if (reason == null && fromColumns != null) {
            if (units.isEmpty()) {
                reason = "no stably active unit of " + from.name() + " reaches " + to.name();
            } else if (fromColumns.isEmpty()) {
                reason = "no column of " + from.name() + " reads a value linear on the data";
            } else {
                int d = units.size();
                int n = fromColumns.size();
                int o = to.outputWidth();
                reason = tooLarge(from.name() + "[S,S] -> " + to.name() + "[:,S]",
                        submatrixBytes(d, n, from.elementType()) + submatrixBytes(o, d, from.elementType())
                                + PairWorkingMemory.doublePrecisionBytes(d, n, o));
            }
            if (reason == null) {
                WeightMatrix wf = MatrixOps.submatrix(network.load(p.producer()).weights(), units, fromColumns);
                WeightMatrix wt = MatrixOps.submatrix(network.load(p.consumer()).weights(),
                        MatrixOps.range(to.outputWidth()), cols);
                m = analyzeMatrices(p.producer(), p.consumer(), from.name() + "[S,S]", to.name() + "[:,S]",
                        p.viaResidual(), wf, wt, from.elementType());
            }
        }
        return new StableSubmatrixMetrics.StablePair(p.producer(), p.consumer(), p.viaResidual(), m, reason);
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
