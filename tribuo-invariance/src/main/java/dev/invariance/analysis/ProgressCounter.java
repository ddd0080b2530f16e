package dev.invariance.analysis;

import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.Quantization;

import java.time.Duration;

/**
 * The engine's side of {@link AnalysisProgress}: counts layers, pairs and weight bytes as the parallel tasks finish
 * and hands each new {@link AnalysisStatus} to the listener under one lock, so updates arrive one at a time and in
 * order whatever thread finished the work.
 */
final class ProgressCounter {
    private final AnalysisProgress listener;
    private final long start = System.nanoTime();
    private final int layersTotal;
    private final int pairsTotal;
    private final long bytesTotal;
    private int layersDone;
    private int pairsDone;
    private long bytesDone;

    /** Counts the analysis of {@code outline} and reports the start (nothing done yet). */
    ProgressCounter(NetworkOutline outline, AnalysisProgress listener) {
        this.listener = listener;
        this.layersTotal = outline.layers().size();
        this.pairsTotal = outline.edges().size();
        long bytes = 0;
        for (LayerOutline o : outline.layers()) {
            bytes += storedBytes(o);
        }
        this.bytesTotal = bytes;
        report();
    }

    /** Bytes {@code o}'s weights take as stored in the model: entries × the stored type's width. */
    static long storedBytes(LayerOutline o) {
        long entries = (long) o.outputWidth() * o.inputWidth();
        Quantization q = o.origin().quantization();
        if (q != null) {
            return (entries * q.bits() + 7) / 8;
        }
        return entries * switch (o.elementType()) {
            case FLOAT16, BFLOAT16 -> 2;
            case FLOAT32 -> 4;
            case FLOAT64 -> 8;
        };
    }

    /** One more layer done, whose weights were {@code o}. */
    synchronized void layerDone(LayerOutline o) {
        layersDone++;
        bytesDone += storedBytes(o);
        report();
    }

    /** One more edge reported. */
    synchronized void pairDone() {
        pairsDone++;
        report();
    }

    private void report() {
        listener.onProgress(new AnalysisStatus(layersDone, layersTotal, pairsDone, pairsTotal, bytesDone, bytesTotal,
                Duration.ofNanos(System.nanoTime() - start)));
    }
}
