package dev.invariance.analysis;

import dev.invariance.analysis.internal.HeapSize;
import dev.invariance.linalg.GramSvd;
import dev.invariance.linalg.LinearAlgebraBackend;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.Convolution;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.StreamedNetwork;
import dev.invariance.network.WeightMatrix;
import dev.invariance.network.WeightPanels;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongUnaryOperator;
import java.util.stream.IntStream;

/**
 * The analysis engine behind {@link WeightAnalyzer#analyze}: layer spectra in parallel under a memory budget, and the
 * edges' pair scores (in full mode each as soon as both its layers are done, reading the weights and Gram matrices
 * their spectra's tasks kept, {@link PairInputs}). Only a layer's {@link LayerSpectrum} (singular values and leading
 * vectors) outlives its task, besides what is kept for pairs still to run (within the budget, given back on demand),
 * so the weights held at any time are those of the tasks running and of their pairs.
 */
final class LayerByLayer {
    private LayerByLayer() {
    }

    /**
     * Analyses {@code network} with up to {@code threads} tasks at a time.
     *
     * @param freeHeap the heap still free, given the bytes the analysis needs at least (the memory plan's
     *                 {@link MemoryPlan#minimumBytes()}; {@link HeapSize#available})
     * @throws InsufficientMemoryException when the plan does not fit the free heap, or an allocation fails regardless
     */
    static AnalysisReport run(StreamedNetwork network, AnalysisOptions options, int threads, LongUnaryOperator freeHeap) {
        return run(network, options, threads, freeHeap, AnalysisProgress.NONE);
    }

    /**
     * Analyses the layers of {@code all} that {@link AnalysisOptions#getLayers()} selects (every layer when it is
     * null), reporting to {@code progress} ({@link ProgressCounter}) as layers and edges are done.
     *
     * @throws IllegalArgumentException when the selection picks no layer or is too costly to match
     */
    static AnalysisReport run(StreamedNetwork all, AnalysisOptions options, int threads, LongUnaryOperator freeHeap,
                              AnalysisProgress progress) {
        LayerSelection selection = options.getLayers();
        StreamedNetwork network = SelectedLayers.of(all, selection);
        NetworkOutline outline = network.outline();
        List<LayerOutline> outlines = outline.layers();
        int depth = outlines.size();
        int workers = Math.max(1, Math.min(threads, Math.max(depth, outline.edges().size())));
        // one task per processor already keeps them busy: the solver's products then stay on the task's thread
        TruncatedSvd solver = TruncatedSvd.builder().parallel(workers < threads).build();
        boolean[] panels = new boolean[depth];
        for (int i = 0; i < depth; i++) {
            panels[i] = network.hasPanels(i);
        }
        MemoryPlan plan = MemoryPlan.of(outline, options, solver, panels);
        long free = freeHeap.applyAsLong(plan.minimumBytes());
        long maxHeap = HeapSize.max();
        plan.requireWithin(free, maxHeap);
        // tasks run side by side within 3/4 of the free heap; one whose share is larger runs alone
        MemoryGate gate = new MemoryGate((long) (MemoryPlan.USABLE_FRACTION * free));
        gate.keep(plan.retainedBytes());
        // the streamed layers keep decoded panels between passes in heap the gate never hands out
        long cache = plan.panelCacheBytes(gate.budget(), workers, maxHeap);
        gate.keep(cache);
        // A large streamed layer runs alone, its products split over the processors: the cache then holds one
        // layer's decoded panels (not one per worker), so that most passes after the first multiply cached floats
        // instead of decoding storage again (B8: the 4096 x 11008 layers fit whole in a 1 GB heap's cache). Its values
        // are iterated to the solver's default tolerance, 1e-7, a tenth of the 1e-6 the report promises, as for layers
        // held in memory (TruncatedSvd's accuracy note: iterated to 1e-6, 2 of B7's 192 layers missed the promise).
        TruncatedSvd streamedSolver = TruncatedSvd.builder().parallel(threads > 1).panelCacheBytes(cache).build();
        // small streamed layers run side by side instead (runsBeside), each with its products on its own thread and
        // the same results (B7's 1600-wide layers: a lone one left a processor idle a third of the time)
        TruncatedSvd besideSolver = streamedSolver.sequential();
        ProgressCounter counter = new ProgressCounter(outline, progress);
        LayerSpectrum[] spectra = new LayerSpectrum[depth];
        LayerMetrics[] layers = new LayerMetrics[depth];
        List<DataFlowEdge> edges = outline.edges();
        EdgeReport[] reports = new EdgeReport[edges.size()];
        boolean full = options.getSpectrum() == SpectrumMode.FULL;
        @Nullable String[] reasons = new String[edges.size()];
        boolean[] scored = new boolean[edges.size()];
        for (int j = 0; j < edges.size(); j++) {
            DataFlowEdge e = edges.get(j);
            reasons[j] = reasonWithoutMetrics(outlines.get(e.producer()), outlines.get(e.consumer()), e);
            scored[j] = full && reasons[j] == null;
        }
        // Full mode: the pairs read their layers' weights and Gram matrices, kept from the spectra's tasks while they
        // fit beside the running shares (PairInputs); layers then run in network order and each pair as soon as both
        // its layers are done, so what is kept is read and let go soon after. Otherwise the largest layers go first.
        PairInputs inputs = PairInputs.plan(outline, plan, scored, gate);
        boolean sharing = !inputs.isEmpty();
        int[] order = sharing ? IntStream.range(0, depth).toArray() : largestFirst(outlines);
        try (AnalysisPool pool = new AnalysisPool(workers)) {
            List<CompletableFuture<Void>> layerTasks = new ArrayList<>();
            @SuppressWarnings("unchecked")
            CompletableFuture<Void>[] layerDone = new CompletableFuture[depth];
            for (int rank = 0; rank < depth; rank++) {
                int index = order[rank];
                LayerOutline o = outlines.get(index);
                boolean streams = plan.streamed(index);
                boolean alone = streams && !runsBeside(o, options, streamedSolver, workers, cache);
                // a share of the whole budget runs when nothing else does, and holds the others back meanwhile
                long need = alone ? Math.max(plan.layerBytes(index), gate.budget()) : plan.layerBytes(index);
                GramSvd.GramCopy copy = sharing ? inputs.copyFor(index) : null;
                layerDone[index] = pool.run(edges.size() + (long) rank, () -> {
                    DenseLayer[] weights = new DenseLayer[1];
                    gate.acquire(need);
                    try {
                        LayerSpectrum s;
                        if (streams) {
                            s = streamed(network, index, o, options, alone ? streamedSolver : besideSolver);
                        } else {
                            weights[0] = load(network, index, o);
                            s = LayerSpectrum.of(weights[0].weights(), weights[0].elementType(), options, solver,
                                    copy);
                        }
                        spectra[index] = s;
                        layers[index] = LayerMetricsCalculator.compute(o.name(), o.op(), s, options, o.subgraph(),
                                o.convolution(), o.origin());
                        gate.keep(plan.unplannedKeptBytes(o, s));
                        counter.layerDone(o);
                    } catch (OutOfMemoryError e) {
                        throw plan.ranOutOfMemory("layer '" + o.name() + "'", need, maxHeap);
                    } finally {
                        gate.release(need);
                    }
                    if (sharing && weights[0] != null) {
                        inputs.offerWeights(index, weights[0]); // counted anew, now that the share is released
                    }
                });
                layerTasks.add(layerDone[index]);
            }
            List<CompletableFuture<Void>> pairTasks = new ArrayList<>();
            for (int j = 0; j < edges.size(); j++) {
                if (!scored[j]) {
                    continue;
                }
                int index = j;
                DataFlowEdge e = edges.get(j);
                LayerOutline p = outlines.get(e.producer());
                LayerOutline c = outlines.get(e.consumer());
                long singleNeed = plan.pairSingleBytes(j);
                long doubleNeed = plan.pairDoubleBytes(j);
                pairTasks.add(pool.runAfter(j, () -> {
                    // Float32 pairs first reserve what the single-precision path needs; only if that path does
                    // not apply or does not trust its figures is the (larger) double-precision share reserved,
                    // after releasing the first, so that no task waits while holding a share.
                    String work = "the pair scores of '" + p.name() + "' feeding '" + c.name() + "'";
                    double[] scores;
                    try {
                        scores = singleNeed == 0 ? null : withLayers(gate, singleNeed, network, inputs, e, p, c,
                                (from, to) -> FullMatrixScores.singlePrecision(from, to, options, solver,
                                        inputs.sourceFor(e.producer(), from, e.consumer(), to)),
                                plan, work, maxHeap);
                        if (scores == null) {
                            plan.requirePairWithin(index, gate.kept(), free, maxHeap);
                            scores = withLayers(gate, doubleNeed, network, inputs, e, p, c,
                                    (from, to) -> FullMatrixScores.doublePrecision(from, to, options),
                                    plan, work + " in double precision", maxHeap);
                        }
                    } finally {
                        inputs.done(index);
                    }
                    reports[index] = report(e, p, c, AlignmentMeasures.compute(e.producer(), e.consumer(),
                            p.name(), c.name(), e.viaResidual(), spectra[e.producer()], spectra[e.consumer()],
                            scores, options), null);
                    counter.pairDone();
                }, layerDone[e.producer()], layerDone[e.consumer()]));
            }
            AnalysisPool.awaitAll(layerTasks);
            for (int j = 0; j < edges.size(); j++) {
                if (scored[j]) {
                    continue;
                }
                DataFlowEdge e = edges.get(j);
                LayerOutline p = outlines.get(e.producer());
                LayerOutline c = outlines.get(e.consumer());
                reports[j] = reasons[j] != null ? report(e, p, c, null, reasons[j])
                        : report(e, p, c, AlignmentMeasures.compute(e.producer(), e.consumer(), p.name(), c.name(),
                        e.viaResidual(), spectra[e.producer()], spectra[e.consumer()], null, null, options), null);
                counter.pairDone();
            }
            AnalysisPool.awaitAll(pairTasks);
            List<PairMetrics> pairs = new ArrayList<>();
            for (EdgeReport r : reports) {
                if (r.metrics() != null) {
                    pairs.add(r.metrics());
                }
            }
            return new AnalysisReport(outline.source(), LinearAlgebraBackend.describe(), List.of(layers), pairs,
                    List.of(reports), options.getSpectrum(), outline.inputs(), outline.outputs(),
                    outline.boundaryEdges(), selection == null ? null : selection.getPattern());
        }
    }

    /** The full-matrix scores of a pair from both weight matrices (null when the path declines the pair). */
    @FunctionalInterface
    private interface PairScores {
        double @Nullable [] of(WeightMatrix from, WeightMatrix to);
    }

    /**
     * Takes the edge's two layers (kept by {@code inputs}, else loaded) under a memory share of {@code share} bytes and
     * scores them; running out of memory is reported as {@code work} needing more heap
     * ({@link MemoryPlan#ranOutOfMemory}).
     */
    private static double @Nullable [] withLayers(MemoryGate gate, long share, StreamedNetwork network,
                                                  PairInputs inputs, DataFlowEdge e, LayerOutline p, LayerOutline c,
                                                  PairScores scores, MemoryPlan plan, String work, long maxHeap)
            throws InterruptedException {
        gate.acquire(share);
        try {
            WeightMatrix from = inputs.weights(e.producer(), () -> load(network, e.producer(), p)).weights();
            WeightMatrix to = inputs.weights(e.consumer(), () -> load(network, e.consumer(), c)).weights();
            return scores.of(from, to);
        } catch (OutOfMemoryError oom) {
            throw plan.ranOutOfMemory(work, share, maxHeap);
        } finally {
            gate.release(share);
        }
    }

    private static EdgeReport report(DataFlowEdge e, LayerOutline p, LayerOutline c, @Nullable PairMetrics metrics,
                                     @Nullable String reason) {
        return new EdgeReport(e.producer(), e.consumer(), p.name(), c.name(), e.ops(), e.viaResidual(), metrics,
                reason, e.units());
    }

    /**
     * Why the edge has no pair metrics, or null when it has them: u₁ of the producer lives in R^{d_out(producer)}
     * (its rows are output units, or output channels of a convolution kernel) and v₁ of the consumer in
     * R^{d_in(consumer)}; they are comparable only when the widths agree and neither side is a convolution kernel
     * whose rows or columns are something else. A {@code Conv} kernel {@code out × (in/g·k…)} has a row per output
     * channel, and columns that are input patches (a kernel larger than 1) or one group's input channels. A
     * {@code ConvTranspose} kernel {@code (out/g·k…) × in} has a column per input channel, and rows that are output
     * channels at kernel positions (a kernel larger than 1); with g groups its column blocks are the groups' maps
     * side by side on shared rows, so its singular vectors are not those of the block-diagonal map the layer applies.
     */
    static @Nullable String reasonWithoutMetrics(LayerOutline p, LayerOutline c, DataFlowEdge e) {
        Convolution pc = p.convolution();
        if (pc != null && pc.transposed() && pc.groups() != 1) {
            return sharedRows(p.name(), pc);
        }
        if (pc != null && pc.transposed() && !pc.isPointwise()) {
            return "rows of " + p.name() + " (" + describe(pc) + ") mix output channels with kernel positions, "
                    + "so they are not the units " + c.name() + " reads";
        }
        Convolution cc = c.convolution();
        if (cc != null && cc.transposed() && cc.groups() != 1) {
            return sharedRows(c.name(), cc);
        }
        // a ConvTranspose with one group reads its input channels in its columns, as a dense layer: no reason here
        if (cc != null && !cc.transposed() && !cc.isPointwise()) {
            return "columns of " + c.name() + " (" + describe(cc) + ") are input patches, not the output units of "
                    + p.name();
        }
        if (cc != null && !cc.transposed() && cc.groups() != 1) {
            return "columns of " + c.name() + " (" + describe(cc) + ") cover one group's input channels, not all "
                    + "output units of " + p.name();
        }
        if (p.outputWidth() != c.inputWidth()) {
            return "d_out(" + p.name() + ")=" + p.outputWidth() + " but d_in(" + c.name() + ")=" + c.inputWidth()
                    + " (" + (e.ops().isEmpty() ? "direct" : "through " + String.join(", ", e.ops())) + ")";
        }
        return null;
    }

    /** The reason for a grouped {@code ConvTranspose} on either side of an edge. */
    private static String sharedRows(String name, Convolution c) {
        return "W of " + name + " (" + describe(c) + ") sets its " + c.groups() + " groups' maps side by side on shared"
                + " rows, so its singular vectors are not those of the map it applies";
    }

    private static String describe(Convolution c) {
        StringBuilder k = new StringBuilder();
        for (int s : c.kernelShape()) {
            k.append(k.length() == 0 ? "" : "x").append(s);
        }
        return (k.length() == 0 ? "" : k + " ") + (c.transposed() ? "transposed convolution" : "convolution")
                + (c.groups() != 1 ? ", groups=" + c.groups() : "");
    }

    /**
     * Whether a streamed layer runs beside the others, its products on its own thread, rather than alone with them
     * split over the processors: when one such layer per worker fits the panel cache whole, so that running side by
     * side costs no decoding; a lone small layer would leave a processor idle during the serial work between passes.
     */
    private static boolean runsBeside(LayerOutline o, AnalysisOptions options, TruncatedSvd solver, int workers,
                                      long cache) {
        int k = LayerSpectrum.topK(o.outputWidth(), o.inputWidth(), options);
        return workers > 1 && cache > 0
                && (long) workers * solver.wholeCacheBytes(o.outputWidth(), o.inputWidth(), k) <= cache;
    }

    /**
     * The layers' indices, largest first (by d_out·d_in, ties in network order): the pool starts the longest tasks
     * first, so that the last layers to finish are small ones and every processor stays busy to the end (a large
     * layer left for last runs alone on one processor; on B8, the 4096 × 32,000 lm_head came last in network order).
     * The results do not depend on the order.
     */
    static int[] largestFirst(List<LayerOutline> outlines) {
        return IntStream.range(0, outlines.size()).boxed()
                .sorted(Comparator.comparingLong((Integer i) -> -(long) outlines.get(i).outputWidth()
                        * outlines.get(i).inputWidth()).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The layer's top-k spectrum from its weight read a panel at a time from storage. */
    private static LayerSpectrum streamed(StreamedNetwork network, int index, LayerOutline o, AnalysisOptions options,
                                          TruncatedSvd solver) {
        try (WeightPanels panels = network.panels(index)) {
            if (panels.outputWidth() != o.outputWidth() || panels.inputWidth() != o.inputWidth()) {
                throw new IllegalArgumentException("layer " + o.name() + " was announced as " + o.outputWidth()
                        + " x " + o.inputWidth() + " but its panels are " + panels.outputWidth() + " x "
                        + panels.inputWidth());
            }
            return LayerSpectrum.of(panels, options, solver);
        }
    }

    private static DenseLayer load(StreamedNetwork network, int index, LayerOutline o) {
        DenseLayer layer = network.load(index);
        if (layer.outputWidth() != o.outputWidth() || layer.inputWidth() != o.inputWidth()) {
            throw new IllegalArgumentException("layer " + o.name() + " was announced as " + o.outputWidth() + " x "
                    + o.inputWidth() + " but loaded as " + layer.outputWidth() + " x " + layer.inputWidth());
        }
        return layer;
    }

    /**
     * A counting gate over bytes: a task's share waits until it fits the budget beside the shares running and the
     * bytes kept for good ({@link #keep}: results that outlive their task); a task runs alone when nothing else runs,
     * whatever its share, so the gate never waits forever (the memory plan refuses beforehand what cannot fit). Bytes
     * kept for a while ({@link #tryKeep}: inputs shared between tasks, {@link PairInputs}) give way to a share that
     * needs their room before it waits.
     */
    static final class MemoryGate {
        private final long budget;
        private long running;
        private long kept;
        /** Bytes held for a while by {@link #tryKeep} (copies shared between tasks), until {@link #unkeep}. */
        private long shared;
        private @Nullable LongUnaryOperator evictor;

        MemoryGate(long budget) {
            this.budget = budget;
        }

        /** The bytes the gate shares out. */
        long budget() {
            return budget;
        }

        synchronized void acquire(long bytes) throws InterruptedException {
            while (kept + shared + running + bytes > budget) {
                // copies shared between tasks give way first (they can be formed again); then the share waits
                // for running tasks, or runs alone when none is left
                long freed = shared > 0 && evictor != null ? evictor.applyAsLong(kept + shared + running + bytes
                        - budget) : 0;
                shared -= freed;
                if (freed > 0) {
                    continue;
                }
                if (running == 0) {
                    break;
                }
                wait();
            }
            running += bytes;
        }

        synchronized void release(long bytes) {
            running -= bytes;
            notifyAll();
        }

        /** Counts {@code bytes} as held until the end (they narrow what later shares may use). */
        synchronized void keep(long bytes) {
            kept += bytes;
        }

        /** The bytes counted as held until the end so far. */
        synchronized long kept() {
            return kept;
        }

        /**
         * Counts {@code bytes} as held until {@link #unkeep}, or until a share needs them back (the function given to
         * {@link #shareWith} then lets go of them), if they fit beside everything held and running; returns whether
         * they were counted.
         */
        synchronized boolean tryKeep(long bytes) {
            if (kept + shared + running + bytes > budget) {
                return false;
            }
            shared += bytes;
            return true;
        }

        /**
         * Names who holds the bytes counted by {@link #tryKeep}: {@code evictor} lets go of at least the bytes asked
         * (or of all it holds) and returns how many it let go of. It is called with this gate's lock held, so it
         * must not call the gate.
         */
        synchronized void shareWith(LongUnaryOperator evictor) {
            this.evictor = evictor;
        }

        /** Hands back {@code bytes} counted by {@link #tryKeep}. */
        synchronized void unkeep(long bytes) {
            shared -= bytes;
            notifyAll();
        }
    }
}
