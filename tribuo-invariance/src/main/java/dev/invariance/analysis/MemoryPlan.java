package dev.invariance.analysis;

import dev.invariance.analysis.internal.HeapSize;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;

import java.util.List;
import java.util.Locale;

/**
 * What analysing a network will hold in the heap, counted from its outline before any weight is read, so that a
 * network that does not fit is refused with one line ({@link InsufficientMemoryException}) instead of ending in an
 * {@link OutOfMemoryError}, and one that fits runs as many layers at a time as the memory allows
 * ({@link LayerByLayer.MemoryGate}).
 * <ul>
 *   <li>In {@link SpectrumMode#TOP_K} mode a layer whose weight can be read a panel at a time from where it is stored
 *       ({@link dev.invariance.network.StreamedNetwork#hasPanels}) holds no copy of it: its task holds the Krylov
 *       basis and a few panels ({@link TruncatedSvd#streamedWorkingBytes}), whatever the layer's size.</li>
 *   <li>Each other layer's task holds, at its peak, the layer's weights (floats for float32 and narrower types, doubles
 *       for float64), what loading them takes besides (the reader's 4 MiB decoding block) and the workspace of the
 *       spectrum route {@link LayerSpectrum} takes for it ({@link LayerSpectrum#workingBytes}: LAPACK's copies and
 *       workspace as its workspace query states them, the Gram matrix, the Krylov basis).</li>
 *   <li>In {@link SpectrumMode#FULL} mode each edge with pair metrics then holds both layers' weights and the
 *       working memory of the full-matrix scores: of the single-precision path where it applies
 *       ({@link PairWorkingMemory#singlePrecisionBytes}), which is checked up front, and of the double-precision
 *       path ({@link PairWorkingMemory#doublePrecisionBytes}), checked up front when it is the only one and
 *       otherwise only when the single-precision path declines the pair ({@link #requirePairWithin}).</li>
 *   <li>Until the end, every layer's spectrum (its values and leading vectors) and its report entry are kept:
 *       {@link #retainedBytes()} counts what is certain (the values, the vectors top-k mode always keeps, one vector
 *       pair in full mode) and is reserved before any task runs; the further vectors full mode keeps for a layer of
 *       low relative rank ({@link #unplannedKeptBytes}) are counted as each layer ends.</li>
 * </ul>
 * The figures count arrays, not the JVM's own overhead: an analysis is refused when it would not fit most of the free
 * heap ({@link #FITTING_FRACTION}) even one task at a time, and tasks run side by side within a smaller part of it
 * ({@link #USABLE_FRACTION}); a task whose share is larger than that part runs alone.
 */
final class MemoryPlan {
    /**
     * The part of the free heap tasks share when they run side by side: the rest is headroom for the collector and
     * the JVM. A refusal suggests a heap whose part this is holds the analysis.
     */
    static final double USABLE_FRACTION = 0.75;
    /**
     * The part of the free heap one task may need at most: the rest is headroom for the JVM and for placing arrays of
     * hundreds of megabytes, which need contiguous heap regions. Measured: a 500 × 100000 float32 layer whose full
     * spectrum holds 988 MiB at its peak ran out of memory with 1000 MiB free; two 2800² layers whose pair scores hold
     * 159 MiB ran with 193 MiB free.
     */
    static final double FITTING_FRACTION = 0.9;
    /**
     * What the report keeps per layer besides its spectrum: the metrics record and its figures, the layer's entry in
     * the evaluation's metric map (a key and a boxed value per figure). Measured on a chain of 10⁵ 2 × 2 layers:
     * about 5 KB per layer with its edge.
     */
    static final long LAYER_REPORT_BYTES = 4L << 10;
    /** What the report keeps per edge: its record and its figures in the metric map. */
    static final long EDGE_REPORT_BYTES = 2L << 10;
    /**
     * The most of the heap's maximum that decoded panels of streamed layers may keep between passes. The cache costs
     * resident memory beyond its size (the collector commits more heap as the live set grows): measured on B8 with
     * -Xmx1g, peak RSS 544 MiB without a cache, 886 MiB with 0.2 of the heap (61 s against 69 s) and 1035 MiB with
     * 0.3 (59 s); 0.2 keeps a 1 GB heap's process under 1 GB.
     */
    static final double PANEL_CACHE_FRACTION = 0.2;
    /** The reader's decoding block: at most 4 MiB of floats, never more than the layer's own weights. */
    private static final long LOAD_BLOCK_BYTES = 4L << 20;

    private final List<LayerOutline> layers;
    private final List<DataFlowEdge> edges;
    private final AnalysisOptions options;
    /** Whether layer i's weight can be read as panels from storage (used in top-k mode). */
    private final boolean[] panels;
    /** Whether layer i's task reads its weight as panels (top-k mode, panels available, large enough for Lanczos). */
    private final boolean[] streamed;
    private final long[] layerBytes;
    private final long[] pairSingleBytes;
    private final long[] pairDoubleBytes;
    private final long retained;

    private MemoryPlan(NetworkOutline outline, AnalysisOptions options, TruncatedSvd solver, boolean[] panels) {
        this.layers = outline.layers();
        this.edges = outline.edges();
        this.options = options;
        this.panels = panels.clone();
        layerBytes = new long[layers.size()];
        streamed = new boolean[layers.size()];
        long kept = 0;
        for (int i = 0; i < layers.size(); i++) {
            LayerOutline o = layers.get(i);
            int m = o.outputWidth();
            int n = o.inputWidth();
            streamed[i] = options.getSpectrum() == SpectrumMode.TOP_K && panels[i] && Math.min(m, n) > 0
                    && solver.streams(m, n, LayerSpectrum.topK(m, n, options));
            layerBytes[i] = streamed[i] ? solver.streamedWorkingBytes(m, n, LayerSpectrum.topK(m, n, options))
                    : layerBytes(o, options, solver);
            kept += spectrumBytes(o, options) + LAYER_REPORT_BYTES;
        }
        pairSingleBytes = new long[edges.size()];
        pairDoubleBytes = new long[edges.size()];
        boolean full = options.getSpectrum() == SpectrumMode.FULL;
        for (int j = 0; j < edges.size(); j++) {
            DataFlowEdge e = edges.get(j);
            kept += EDGE_REPORT_BYTES;
            LayerOutline p = layers.get(e.producer());
            LayerOutline c = layers.get(e.consumer());
            if (!full || LayerByLayer.reasonWithoutMetrics(p, c, e) != null) {
                continue;
            }
            long stored = storageBytes(p) + storageBytes(c);
            int d = p.outputWidth();
            int n = p.inputWidth();
            int m = c.outputWidth();
            boolean floats = p.elementType() != ElementType.FLOAT64 && c.elementType() != ElementType.FLOAT64;
            long single = floats ? PairWorkingMemory.singlePrecisionBytes(d, n, m) : 0;
            long loading = loadBytes(p) + loadBytes(c);
            pairSingleBytes[j] = single == 0 ? 0 : stored + single + loading;
            pairDoubleBytes[j] = stored + PairWorkingMemory.doublePrecisionBytes(d, n, m) + loading;
        }
        this.retained = kept;
    }

    /** The plan of analysing {@code outline} with {@code options}, leading vectors by {@code solver}, all in memory. */
    static MemoryPlan of(NetworkOutline outline, AnalysisOptions options, TruncatedSvd solver) {
        return new MemoryPlan(outline, options, solver, new boolean[outline.layers().size()]);
    }

    /**
     * The plan of analysing {@code outline} with {@code options}, leading vectors by {@code solver}, where
     * {@code panels[i]} tells whether layer i's weight can be read a panel at a time from storage.
     */
    static MemoryPlan of(NetworkOutline outline, AnalysisOptions options, TruncatedSvd solver, boolean[] panels) {
        return new MemoryPlan(outline, options, solver, panels);
    }

    /**
     * The heap streamed layers may fill with decoded panels ({@link TruncatedSvd.Builder#panelCacheBytes}): what a
     * {@code budget} leaves after the retained results and {@code workers} of the largest task side by side, at most
     * {@link #PANEL_CACHE_FRACTION} of the heap's maximum; 0 when no layer is streamed. Taking it never makes a task
     * wait for another that would otherwise have run beside it.
     */
    long panelCacheBytes(long budget, int workers, long maxHeap) {
        boolean any = false;
        for (boolean s : streamed) {
            any |= s;
        }
        if (!any) {
            return 0;
        }
        long left = budget - retained - (long) workers * largestShare();
        return Math.max(0, Math.min(left, (long) (PANEL_CACHE_FRACTION * maxHeap)));
    }

    /** Whether layer {@code i}'s task reads its weight as panels from storage rather than loading it. */
    boolean streamed(int i) {
        return streamed[i];
    }

    /** Bytes layer {@code i}'s task holds at its peak: weights, loading and the spectrum's workspace. */
    long layerBytes(int i) {
        return layerBytes[i];
    }

    /** Bytes edge {@code j}'s single-precision pair scores hold at their peak (0 when that path does not apply). */
    long pairSingleBytes(int j) {
        return pairSingleBytes[j];
    }

    /** Bytes edge {@code j}'s double-precision pair scores hold at their peak (0 outside full mode). */
    long pairDoubleBytes(int j) {
        return pairDoubleBytes[j];
    }

    /** Bytes kept until the analysis ends: every layer's spectrum and report entry, every edge's. */
    long retainedBytes() {
        return retained;
    }

    /** The largest share any one task holds first. */
    long largestShare() {
        long most = 0;
        for (long b : layerBytes) {
            most = Math.max(most, b);
        }
        for (int j = 0; j < edges.size(); j++) {
            most = Math.max(most, firstPairBytes(j));
        }
        return most;
    }

    /** The share of the path edge {@code j}'s pair scores try first: single precision where it applies. */
    private long firstPairBytes(int j) {
        return pairSingleBytes[j] > 0 ? pairSingleBytes[j] : pairDoubleBytes[j];
    }

    /** The most bytes the analysis needs at once when its tasks run one at a time. */
    long minimumBytes() {
        return retained + largestShare();
    }

    /**
     * Checks that the analysis fits {@code budget} bytes with its tasks run one at a time.
     *
     * @param budget  the heap still free (of which {@link #FITTING_FRACTION} may be used)
     * @param maxHeap the heap's maximum size, for the {@code -Xmx} the message suggests
     * @throws InsufficientMemoryException naming the layer (or edge) that does not fit, the memory it needs and a
     *                                     heap size that holds it; in full mode also what top-k mode would need
     */
    void requireWithin(long budget, long maxHeap) {
        if (minimumBytes() <= FITTING_FRACTION * budget) {
            return;
        }
        long need = minimumBytes();
        String what;
        int worst = worstLayer();
        boolean layerWorst = worst >= 0 && layerBytes[worst] == largestShare();
        String task = layerWorst ? "layer '" + layers.get(worst).name() + "' (" + shape(layers.get(worst)) + ")"
                : pairScores(worstPair());
        if (retained > largestShare()) {
            what = "the results of " + layers.size() + " layers and " + edges.size() + " edges need about "
                    + HeapSize.describe(retained) + " of heap, and the largest task, " + task + ", "
                    + HeapSize.describe(largestShare()) + " more";
        } else if (layerWorst) {
            what = task + " needs about " + HeapSize.describe(largestShare()) + " of heap for its "
                    + (options.getSpectrum() == SpectrumMode.FULL ? "full" : "top-k") + " spectrum";
        } else {
            what = task + " need about " + HeapSize.describe(largestShare()) + " of heap";
        }
        if (retained > (1L << 20) && retained <= largestShare()) {
            what += " beside the " + HeapSize.describe(retained) + " kept for the results of " + layers.size()
                    + " layers";
        }
        long heap = heapFor(need, budget, maxHeap);
        String advice = "; run with " + HeapSize.maxHeapOption(heap) + " or more";
        if (options.getSpectrum() == SpectrumMode.FULL) {
            MemoryPlan topK = new MemoryPlan(new NetworkOutline("", layers, edges), topK(options),
                    TruncatedSvd.withDefaults(), panels);
            advice += topK.minimumBytes() < need ? ", or with the top-k spectrum (--spectrum top-k: about "
                    + HeapSize.describe(heapFor(topK.minimumBytes(), budget, maxHeap)) + " of heap)" : "";
        }
        throw new InsufficientMemoryException(what + ", more than the " + HeapSize.describe(budget)
                + " this JVM has free" + advice, heap);
    }

    /**
     * Checks, when the single-precision pair scores of edge {@code j} declined, that the double-precision ones fit
     * beside the {@code kept} bytes results hold by now.
     *
     * @throws InsufficientMemoryException naming the pair, the memory it needs and a heap size that holds it
     */
    void requirePairWithin(int j, long kept, long budget, long maxHeap) {
        long need = kept + pairDoubleBytes[j];
        if (need <= FITTING_FRACTION * budget) {
            return;
        }
        long heap = heapFor(need, budget, maxHeap);
        throw new InsufficientMemoryException(pairScores(j) + " in double precision (single precision loses them to "
                + "cancellation) need about " + HeapSize.describe(pairDoubleBytes[j]) + " of heap beside the "
                + HeapSize.describe(kept) + " kept for results, more than the " + HeapSize.describe(budget)
                + " this JVM has free; run with " + HeapSize.maxHeapOption(heap)
                + " or more, or with the top-k spectrum (--spectrum top-k), which has no full-matrix pair scores",
                heap);
    }

    private String pairScores(int j) {
        DataFlowEdge e = edges.get(j);
        LayerOutline p = layers.get(e.producer());
        LayerOutline c = layers.get(e.consumer());
        return "the pair scores of '" + p.name() + "' (" + shape(p) + ") feeding '" + c.name() + "' (" + shape(c) + ")";
    }

    /**
     * The failure to report when an allocation failed although the plan said it fits: one line naming the work and
     * a heap larger by its planned share.
     */
    InsufficientMemoryException ranOutOfMemory(String work, long share, long maxHeap) {
        long heap = maxHeap + share;
        return new InsufficientMemoryException(work + " ran out of memory (planned: about " + HeapSize.describe(share)
                + " of heap); run with " + HeapSize.maxHeapOption(heap) + " or more", heap);
    }

    /**
     * A heap size whose free part holds {@code need} with the headroom of {@link #USABLE_FRACTION}, given that
     * {@code free} bytes of this heap ({@code maxHeap}) are free now.
     */
    private static long heapFor(long need, long free, long maxHeap) {
        return maxHeap - free + (long) Math.ceil(need / USABLE_FRACTION);
    }

    private int worstLayer() {
        int worst = -1;
        for (int i = 0; i < layerBytes.length; i++) {
            if (worst < 0 || layerBytes[i] > layerBytes[worst]) {
                worst = i;
            }
        }
        return worst;
    }

    private int worstPair() {
        int worst = 0;
        for (int j = 0; j < edges.size(); j++) {
            if (firstPairBytes(j) > firstPairBytes(worst)) {
                worst = j;
            }
        }
        return worst;
    }

    private static String shape(LayerOutline o) {
        return o.outputWidth() + " x " + o.inputWidth() + " " + o.elementType().name().toLowerCase(Locale.ROOT);
    }

    private static AnalysisOptions topK(AnalysisOptions o) {
        return AnalysisOptions.builder().topK(o.getTopK()).allSingularValues(o.isAllSingularValues())
                .fastTopKThreshold(o.getFastTopKThreshold()).subspaceRankLimit(o.getSubspaceRankLimit())
                .matchedRankTolerance(o.getMatchedRankTolerance()).spectrum(SpectrumMode.TOP_K).build();
    }

    /** Bytes one stored entry takes (float32 and narrower types are held as floats). */
    static long entryBytes(ElementType t) {
        return t == ElementType.FLOAT64 ? 8 : 4;
    }

    /** Bytes the layer's weights take in memory. */
    static long storageBytes(LayerOutline o) {
        return (long) o.outputWidth() * o.inputWidth() * entryBytes(o.elementType());
    }

    /** What loading a layer holds besides its weights: the reader's decoding block. */
    private static long loadBytes(LayerOutline o) {
        return Math.min(LOAD_BLOCK_BYTES, storageBytes(o));
    }

    private static long layerBytes(LayerOutline o, AnalysisOptions options, TruncatedSvd solver) {
        return storageBytes(o) + Math.max(loadBytes(o),
                LayerSpectrum.workingBytes(o.outputWidth(), o.inputWidth(), o.elementType(), options, solver));
    }

    /**
     * What a layer's spectrum keeps for certain: its values (all of them in full mode) and its leading vector pairs
     * (k of them in top-k mode, at least one in full mode).
     */
    private static long spectrumBytes(LayerOutline o, AnalysisOptions options) {
        long r = Math.min(o.outputWidth(), o.inputWidth());
        long sides = (long) o.outputWidth() + o.inputWidth();
        if (options.getSpectrum() == SpectrumMode.TOP_K) {
            long k = Math.min(r, Math.max(2, options.getTopK()));
            return 8L * k + 8L * k * sides;
        }
        return 8L * r + 8L * Math.min(r, 1) * sides;
    }

    /** What a computed spectrum keeps beyond {@link #spectrumBytes}: the further leading vectors of full mode. */
    long unplannedKeptBytes(LayerOutline o, LayerSpectrum s) {
        long planned = spectrumBytes(o, options);
        long actual = 8L * s.values.length + 8L * s.vectorCount() * ((long) o.outputWidth() + o.inputWidth());
        return Math.max(0, actual - planned);
    }
}
