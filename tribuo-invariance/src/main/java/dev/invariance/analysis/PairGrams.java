package dev.invariance.analysis;

import dev.invariance.linalg.GramSvd;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The float32 Gram matrices W Wᵀ and Wᵀ W that a full-mode analysis's single-precision pair scores read
 * ({@link PairGramSource}), shared between a layer's spectrum and its pairs. The spectrum of a large float32 layer
 * forms one of them in double anyway ({@link GramSvd}); rounded to float32 it is kept here until every pair that
 * reads it is done, so that no pair forms it again (on B7, a GPT-2-XL-shaped stack, each such matrix is read by two
 * pairs besides the spectrum: forming it again took a third of the native-code time in full mode). A matrix a pair
 * forms itself (no spectrum formed that side) is kept for the other pairs that read it.
 *
 * <p>Memory: a matrix is kept only while the memory gate has room for it beside the tasks running
 * ({@link LayerByLayer.MemoryGate#tryKeep}); its bytes are handed back when its last reader is done, or earlier when
 * a task's share needs them ({@link #evict}). A pair that does not find its matrix here forms it as the spectrum would
 * (in double, then rounded) within its own share, so neither the memory plan nor the figures depend on what was
 * kept.
 *
 * <p>Thread-safe.
 */
final class PairGrams {
    private final LayerByLayer.MemoryGate gate;
    /** Readers still to come, by {@link #key}. */
    private final Map<Integer, Integer> readers = new HashMap<>();
    /** The kept matrices, oldest first. */
    private final Map<Integer, float[]> kept = new LinkedHashMap<>();

    private PairGrams(LayerByLayer.MemoryGate gate) {
        this.gate = gate;
    }

    /**
     * The Gram matrices the pairs of {@code outline} that {@code scored} marks would read on a single-precision path
     * ({@link FullMatrixScores#singleGramPath}, {@link FullMatrixScores#singleLowRankPath}; float32 or narrower
     * layers), kept under {@code gate} while they fit beside the tasks' shares (the gate lets go of them, {@link
     * #evict}, when a share needs their room).
     */
    static PairGrams plan(NetworkOutline outline, boolean[] scored, LayerByLayer.MemoryGate gate) {
        PairGrams grams = new PairGrams(gate);
        List<DataFlowEdge> edges = outline.edges();
        for (int j = 0; j < edges.size(); j++) {
            if (!scored[j]) {
                continue;
            }
            DataFlowEdge e = edges.get(j);
            boolean producerRows = producerRows(outline, e);
            if (reads(outline, e)) {
                grams.readers.merge(key(e.producer(), producerRows), 1, Integer::sum);
                grams.readers.merge(key(e.consumer(), !producerRows), 1, Integer::sum);
            }
        }
        if (!grams.readers.isEmpty()) {
            gate.shareWith(grams::evict);
        }
        return grams;
    }

    /** Whether any pair reads a matrix from here. */
    synchronized boolean isEmpty() {
        return readers.isEmpty();
    }

    /**
     * What layer {@code layer}'s spectrum shows its Gram matrix to ({@link GramSvd#factor(WeightMatrix,
     * GramSvd.GramCopy)}): a square layer forms the side pairs read, and the copy is kept when a pair reads it.
     */
    GramSvd.GramCopy copyFor(int layer) {
        return new GramSvd.GramCopy() {
            @Override
            public boolean prefersRows() {
                synchronized (PairGrams.this) {
                    return readers.containsKey(key(layer, true)) && !readers.containsKey(key(layer, false));
                }
            }

            @Override
            public void offer(boolean rows, double[] upper, int size) {
                keep(layer, rows, size, () -> GramSvd.rounded(upper, size), 0);
            }
        };
    }

    /**
     * The source of the pair from {@code producer} ({@code from}'s weights) to {@code consumer} ({@code to}'s):
     * kept matrices, else formed from the weights (and kept for the pairs still to read them).
     */
    PairGramSource sourceFor(int producer, WeightMatrix from, int consumer, WeightMatrix to) {
        return (isProducer, rows) -> {
            int layer = isProducer ? producer : consumer;
            WeightMatrix w = isProducer ? from : to;
            float[] g = kept(layer, rows);
            if (g != null) {
                return g;
            }
            int size = rows ? w.getRows() : w.getColumns();
            float[][] formed = new float[1][];
            // this pair is one of the readers: keep the matrix only for others still to come
            keep(layer, rows, size, () -> formed[0] = GramSvd.roundedGram(w, rows), 1);
            return formed[0] != null ? formed[0] : GramSvd.roundedGram(w, rows);
        };
    }

    /** The pair from {@code producer} to {@code consumer} ({@code edge}) is done with its matrices. */
    void done(NetworkOutline outline, DataFlowEdge edge) {
        if (!reads(outline, edge)) {
            return;
        }
        boolean producerRows = producerRows(outline, edge);
        release(key(edge.producer(), producerRows));
        release(key(edge.consumer(), !producerRows));
    }

    private synchronized float @Nullable [] kept(int layer, boolean rows) {
        return kept.get(key(layer, rows));
    }

    /** Keeps the matrix {@code form} makes when more than {@code self} readers are still to come and it fits. */
    private void keep(int layer, boolean rows, int size, Supplier<float[]> form, int self) {
        int key = key(layer, rows);
        long bytes = 4L * size * size;
        synchronized (this) {
            if (readers.getOrDefault(key, 0) <= self || kept.containsKey(key)) {
                return;
            }
        }
        // the gate is never called while this object's lock is held: the gate calls evict under its own lock
        if (!gate.tryKeep(bytes)) {
            return;
        }
        float[] g;
        try {
            g = form.get();
        } catch (RuntimeException | OutOfMemoryError e) {
            gate.unkeep(bytes);
            throw e;
        }
        boolean stored;
        synchronized (this) {
            stored = readers.getOrDefault(key, 0) > 0 && !kept.containsKey(key);
            if (stored) {
                kept.put(key, g);
            }
        }
        if (!stored) {
            gate.unkeep(bytes);
        }
    }

    /**
     * Lets go of kept matrices, oldest first, until at least {@code needed} bytes are freed or none is left; returns
     * the bytes freed. Called by the gate ({@link LayerByLayer.MemoryGate#acquire}) when a task's share does not fit
     * beside them: a matrix let go is formed again by the pairs still to read it, within their own shares.
     */
    synchronized long evict(long needed) {
        long freed = 0;
        Iterator<float[]> oldest = kept.values().iterator();
        while (freed < needed && oldest.hasNext()) {
            freed += 4L * oldest.next().length;
            oldest.remove();
        }
        return freed;
    }

    private void release(int key) {
        float[] dropped = null;
        synchronized (this) {
            Integer left = readers.get(key);
            if (left == null) {
                return;
            }
            if (left > 1) {
                readers.put(key, left - 1);
                return;
            }
            readers.remove(key);
            dropped = kept.remove(key);
        }
        if (dropped != null) {
            gate.unkeep(4L * dropped.length); // outside this object's lock, as in keep
        }
    }

    /** Whether the edge's pair would read Gram matrices here (its widths take a single-precision path). */
    private static boolean reads(NetworkOutline outline, DataFlowEdge e) {
        LayerOutline p = outline.layers().get(e.producer());
        LayerOutline c = outline.layers().get(e.consumer());
        if (p.elementType() == ElementType.FLOAT64 || c.elementType() == ElementType.FLOAT64) {
            return false;
        }
        int d = p.outputWidth();
        int n = p.inputWidth();
        int m = c.outputWidth();
        return FullMatrixScores.singleGramPath(d, n, m) || FullMatrixScores.singleLowRankPath(d, n, m);
    }

    /**
     * Which side of the producer the pair reads: W_from W_fromᵀ on the Gram path (A), W_fromᵀ W_from on the low-rank
     * path (S_f); the consumer's is the other (B = W_toᵀ W_to, resp. S_t = W_to W_toᵀ).
     */
    private static boolean producerRows(NetworkOutline outline, DataFlowEdge e) {
        LayerOutline p = outline.layers().get(e.producer());
        return FullMatrixScores.gramPath(p.outputWidth(), p.inputWidth(),
                outline.layers().get(e.consumer()).outputWidth());
    }

    private static int key(int layer, boolean rows) {
        return 2 * layer + (rows ? 1 : 0);
    }
}
