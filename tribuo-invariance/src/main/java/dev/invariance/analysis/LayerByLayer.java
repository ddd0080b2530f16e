package dev.invariance.analysis;

import dev.invariance.linalg.LinearAlgebraBackend;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.Convolution;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.StreamedNetwork;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The analysis engine behind {@link WeightAnalyzer#analyze}: layer spectra in parallel under a memory budget, then
 * the edges. Only a layer's {@link LayerSpectrum} (singular values and leading vectors) outlives its task, so the
 * weights held at any time are those of the tasks running.
 */
final class LayerByLayer {
    private LayerByLayer() {
    }

    static AnalysisReport run(StreamedNetwork network, AnalysisOptions options, int threads, long budgetBytes) {
        NetworkOutline outline = network.outline();
        List<LayerOutline> outlines = outline.layers();
        int depth = outlines.size();
        LayerSpectrum[] spectra = new LayerSpectrum[depth];
        LayerMetrics[] layers = new LayerMetrics[depth];
        MemoryGate gate = new MemoryGate(budgetBytes);
        int workers = Math.max(1, Math.min(threads, Math.max(depth, outline.edges().size())));
        // one task per processor already keeps them busy: the solver's products then stay on the task's thread
        TruncatedSvd solver = TruncatedSvd.builder().parallel(workers < threads).build();
        AtomicInteger names = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "invariance-analysis-" + names.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                int index = i;
                LayerOutline o = outlines.get(i);
                long need = layerBytes(o, options);
                tasks.add(pool.submit(() -> {
                    gate.acquire(need);
                    try {
                        DenseLayer layer = load(network, index, o);
                        LayerSpectrum s = LayerSpectrum.of(layer.weights(), layer.elementType(), options, solver);
                        spectra[index] = s;
                        layers[index] = LayerMetricsCalculator.compute(o.name(), o.op(), s, options, o.subgraph(),
                                o.convolution());
                    } finally {
                        gate.release(need);
                    }
                    return null;
                }));
            }
            awaitAll(tasks);
            tasks.clear();
            List<DataFlowEdge> edges = outline.edges();
            EdgeReport[] reports = new EdgeReport[edges.size()];
            boolean full = options.getSpectrum() == SpectrumMode.FULL;
            for (int j = 0; j < edges.size(); j++) {
                int index = j;
                DataFlowEdge e = edges.get(j);
                LayerOutline p = outlines.get(e.producer());
                LayerOutline c = outlines.get(e.consumer());
                String reason = reasonWithoutMetrics(p, c, e);
                if (reason != null) {
                    reports[j] = report(e, p, c, null, reason);
                } else if (!full) {
                    reports[j] = report(e, p, c, AlignmentMeasures.compute(e.producer(), e.consumer(), p.name(),
                            c.name(), e.viaResidual(), spectra[e.producer()], spectra[e.consumer()], null, null,
                            options), null);
                } else {
                    long stored = storageBytes(p) + storageBytes(c);
                    int d = p.outputWidth();
                    int n = p.inputWidth();
                    int m = c.outputWidth();
                    boolean floats = p.elementType() != ElementType.FLOAT64 && c.elementType() != ElementType.FLOAT64;
                    long singleNeed = floats ? AlignmentMeasures.singleWorkingBytes(d, n, m) : 0;
                    long doubleNeed = stored + AlignmentMeasures.workingBytes(d, n, m);
                    tasks.add(pool.submit(() -> {
                        // Float32 pairs first reserve what the single-precision path needs; only if that path does
                        // not apply or does not trust its figures is the (larger) double-precision share reserved,
                        // after releasing the first, so that no task waits while holding a share.
                        double[] scores = singleNeed == 0 ? null : withLayers(gate, stored + singleNeed, network, e, p, c,
                                (from, to) -> AlignmentMeasures.singlePrecisionScores(from, to, options, solver));
                        if (scores == null) {
                            scores = withLayers(gate, doubleNeed, network, e, p, c,
                                    (from, to) -> AlignmentMeasures.doublePrecisionScores(from, to, options));
                        }
                        reports[index] = report(e, p, c, AlignmentMeasures.compute(e.producer(), e.consumer(),
                                p.name(), c.name(), e.viaResidual(), spectra[e.producer()], spectra[e.consumer()],
                                scores, options), null);
                        return null;
                    }));
                }
            }
            awaitAll(tasks);
            List<PairMetrics> pairs = new ArrayList<>();
            for (EdgeReport r : reports) {
                if (r.metrics() != null) {
                    pairs.add(r.metrics());
                }
            }
            return new AnalysisReport(outline.source(), LinearAlgebraBackend.describe(), List.of(layers), pairs,
                    List.of(reports), options.getSpectrum(), outline.inputs(), outline.outputs(),
                    outline.boundaryEdges());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The full-matrix scores of a pair from both weight matrices (null when the path declines the pair). */
    @FunctionalInterface
    private interface PairScores {
        double @Nullable [] of(WeightMatrix from, WeightMatrix to);
    }

    /** Loads the edge's two layers under a memory share of {@code share} bytes and scores them. */
    private static double @Nullable [] withLayers(MemoryGate gate, long share, StreamedNetwork network, DataFlowEdge e,
                                                  LayerOutline p, LayerOutline c, PairScores scores)
            throws InterruptedException {
        gate.acquire(share);
        try {
            return scores.of(load(network, e.producer(), p).weights(), load(network, e.consumer(), c).weights());
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
     * whose rows or columns mix channels with kernel positions or cover one group only.
     */
    static @Nullable String reasonWithoutMetrics(LayerOutline p, LayerOutline c, DataFlowEdge e) {
        Convolution pc = p.convolution();
        if (pc != null && pc.transposed() && !(pc.isPointwise() && pc.groups() == 1)) {
            return "rows of " + p.name() + " (" + describe(pc) + ") mix output channels with kernel positions, "
                    + "so they are not the units " + c.name() + " reads";
        }
        Convolution cc = c.convolution();
        if (cc != null && !cc.isPointwise()) {
            return "columns of " + c.name() + " (" + describe(cc) + ") are input patches, not the output units of "
                    + p.name();
        }
        if (cc != null && cc.groups() != 1) {
            return "columns of " + c.name() + " (" + describe(cc) + ") cover one group's input channels, not all "
                    + "output units of " + p.name();
        }
        if (p.outputWidth() != c.inputWidth()) {
            return "d_out(" + p.name() + ")=" + p.outputWidth() + " but d_in(" + c.name() + ")=" + c.inputWidth()
                    + " (" + (e.ops().isEmpty() ? "direct" : "through " + String.join(", ", e.ops())) + ")";
        }
        return null;
    }

    private static String describe(Convolution c) {
        StringBuilder k = new StringBuilder();
        for (int s : c.kernelShape()) {
            k.append(k.length() == 0 ? "" : "x").append(s);
        }
        return (k.length() == 0 ? "" : k + " ") + (c.transposed() ? "transposed convolution" : "convolution")
                + (c.groups() != 1 ? ", groups=" + c.groups() : "");
    }

    private static DenseLayer load(StreamedNetwork network, int index, LayerOutline o) {
        DenseLayer layer = network.load(index);
        if (layer.outputWidth() != o.outputWidth() || layer.inputWidth() != o.inputWidth()) {
            throw new IllegalArgumentException("layer " + o.name() + " was announced as " + o.outputWidth() + " x "
                    + o.inputWidth() + " but loaded as " + layer.outputWidth() + " x " + layer.inputWidth());
        }
        return layer;
    }

    /** Bytes one stored entry takes (float32 and narrower types are held as floats). */
    private static long entryBytes(ElementType t) {
        return t == ElementType.FLOAT64 ? 8 : 4;
    }

    private static long storageBytes(LayerOutline o) {
        return (long) o.outputWidth() * o.inputWidth() * entryBytes(o.elementType());
    }

    /**
     * What analysing one layer holds at its peak: the weights, LAPACK's copy for the singular values (and a
     * Gram-operator copy for the Lanczos vectors), and the Krylov basis; for the Gram eigensolver of large float32
     * layers in full mode ({@link LayerSpectrum}) the weights, the r × r double Gram matrix, one 8 MiB panel and
     * the leading vectors.
     */
    static long layerBytes(LayerOutline o, AnalysisOptions options) {
        long entries = (long) o.outputWidth() * o.inputWidth();
        long r = Math.min(o.outputWidth(), o.inputWidth());
        if (LayerSpectrum.usesGramSvd(o.elementType(), (int) r, options)) {
            long vectors = 8L * options.getSubspaceRankLimit() * (o.outputWidth() + o.inputWidth());
            return entries * entryBytes(o.elementType()) + 8L * r * r + (8L << 20) + vectors + (1L << 20);
        }
        long copies = options.getSpectrum() == SpectrumMode.FULL ? 3 : 2;
        long small = Math.min(o.outputWidth(), o.inputWidth());
        long basis = 8L * Math.min(small, TruncatedSvd.DEFAULT_BASIS_LIMIT) * (o.outputWidth() + o.inputWidth());
        return entries * entryBytes(o.elementType()) * copies + basis + (1L << 20);
    }

    private static void awaitAll(List<Future<?>> tasks) {
        try {
            for (Future<?> f : tasks) {
                f.get();
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while analysing layers", e);
        }
    }

    /** A counting gate over bytes: tasks wait until their share fits the budget (a share above it waits for all). */
    static final class MemoryGate {
        private final long budget;
        private long used;

        MemoryGate(long budget) {
            this.budget = budget;
        }

        synchronized void acquire(long bytes) throws InterruptedException {
            long need = Math.min(bytes, budget);
            while (used + need > budget) {
                wait();
            }
            used += need;
        }

        synchronized void release(long bytes) {
            used -= Math.min(bytes, budget);
            notifyAll();
        }
    }
}
