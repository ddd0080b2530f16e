package dev.invariance.analysis;

import dev.invariance.linalg.GramSvd;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
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
 * What a full-mode analysis's pair scores read of their two layers, kept between the tasks that need it: each layer's
 * weights, loaded by its spectrum's task, and the float32 Gram matrices W Wᵀ and Wᵀ W that the single-precision pair
 * scores read ({@link PairGramSource}). The spectrum of a large float32 layer forms one of those in double anyway
 * ({@link GramSvd}); rounded to float32 it is kept here until every pair that reads it is done, so that no pair forms
 * it again (on B7, a GPT-2-XL-shaped stack, each such matrix is read by two pairs besides the spectrum: forming it
 * again took a third of the native-code time in full mode), and the weights are not read and decoded again for each
 * pair. A matrix a pair forms itself (no spectrum formed that side) is kept for the other pairs that read it.
 *
 * <p>Memory: an input is kept only while the memory gate has room for it beside the tasks running
 * ({@link LayerByLayer.MemoryGate#tryKeep}); its bytes are handed back when its last reader is done, or earlier when
 * a task's share needs them ({@link #evict}: weights first, then Gram matrices, oldest first). A pair that does not
 * find an input here loads or forms it as the spectrum would (Gram matrices in double, then rounded) within its own
 * share, so neither the memory plan nor the figures depend on what was kept.
 *
 * <p>Thread-safe.
 */
final class PairInputs {
    /** What is kept, and the bytes the gate counts for it. */
    private record Kept(Object value, long bytes) {
    }

    private final LayerByLayer.MemoryGate gate;
    private final List<LayerOutline> layers;
    /** The keys each edge's pair reads (none for an edge without pair scores). */
    private final int[][] edgeKeys;
    /** Readers still to come, by {@link #gramKey} or {@link #weightsKey}. */
    private final Map<Integer, Integer> readers = new HashMap<>();
    /** The kept inputs by key, oldest first. */
    private final Map<Integer, Kept> kept = new LinkedHashMap<>();

    private PairInputs(LayerByLayer.MemoryGate gate, List<LayerOutline> layers, int edges) {
        this.gate = gate;
        this.layers = layers;
        this.edgeKeys = new int[edges][];
    }

    /**
     * The inputs the pairs of {@code outline} that {@code scored} marks read: both layers' weights and, for a pair
     * that {@code plan} gives a single-precision share ({@link MemoryPlan#pairSingleBytes}), the Gram matrices that
     * path reads; kept under {@code gate} while they fit beside the tasks' shares (the gate lets go of them,
     * {@link #evict}, when a share needs their room).
     */
    static PairInputs plan(NetworkOutline outline, MemoryPlan plan, boolean[] scored, LayerByLayer.MemoryGate gate) {
        List<DataFlowEdge> edges = outline.edges();
        PairInputs inputs = new PairInputs(gate, outline.layers(), edges.size());
        for (int j = 0; j < edges.size(); j++) {
            inputs.edgeKeys[j] = scored[j] ? inputs.keys(edges.get(j), plan.pairSingleBytes(j) > 0) : new int[0];
            for (int key : inputs.edgeKeys[j]) {
                inputs.readers.merge(key, 1, Integer::sum);
            }
        }
        if (!inputs.readers.isEmpty()) {
            gate.shareWith(inputs::evict);
        }
        return inputs;
    }

    /** Whether any pair reads an input from here. */
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
                synchronized (PairInputs.this) {
                    return readers.containsKey(gramKey(layer, true)) && !readers.containsKey(gramKey(layer, false));
                }
            }

            @Override
            public void offer(boolean rows, double[] upper, int size) {
                keep(gramKey(layer, rows), 4L * size * size, () -> GramSvd.roundedFromUpper(upper, size), 0);
            }
        };
    }

    /** Keeps layer {@code layer}'s weights, loaded by its spectrum's task, for the pairs that read them. */
    void offerWeights(int layer, DenseLayer weights) {
        keep(weightsKey(layer), MemoryPlan.storageBytes(layers.get(layer)), () -> weights, 0);
    }

    /** Layer {@code layer}'s weights: kept ones, else {@code load}ed (and kept for the pairs still to read them). */
    DenseLayer weights(int layer, Supplier<DenseLayer> load) {
        DenseLayer w = (DenseLayer) keptValue(weightsKey(layer));
        if (w != null) {
            return w;
        }
        DenseLayer[] loaded = new DenseLayer[1];
        // this pair is one of the readers: keep the weights only for others still to come
        keep(weightsKey(layer), MemoryPlan.storageBytes(layers.get(layer)), () -> loaded[0] = load.get(), 1);
        return loaded[0] != null ? loaded[0] : load.get();
    }

    /**
     * The Gram matrices of the pair from {@code producer} ({@code from}'s weights) to {@code consumer} ({@code to}'s):
     * kept ones, else formed from the weights (and kept for the pairs still to read them).
     */
    PairGramSource sourceFor(int producer, WeightMatrix from, int consumer, WeightMatrix to) {
        return (isProducer, rows) -> {
            int layer = isProducer ? producer : consumer;
            WeightMatrix w = isProducer ? from : to;
            int key = gramKey(layer, rows);
            float[] g = (float[]) keptValue(key);
            if (g != null) {
                return g;
            }
            int size = rows ? w.getRows() : w.getColumns();
            float[][] formed = new float[1][];
            keep(key, 4L * size * size, () -> formed[0] = GramSvd.roundedGram(w, rows), 1);
            return formed[0] != null ? formed[0] : GramSvd.roundedGram(w, rows);
        };
    }

    /** The pair of edge {@code j} (its index in the outline) is done with its inputs. */
    void done(int j) {
        for (int key : edgeKeys[j]) {
            release(key);
        }
    }

    /**
     * Lets go of kept inputs, weights before Gram matrices (reading them again costs less than forming a Gram
     * matrix), oldest first, until at least {@code needed} bytes are freed or none is left; returns the bytes freed.
     * Called by the gate ({@link LayerByLayer.MemoryGate#acquire}) when a task's share does not fit beside them: an
     * input let go is loaded or formed again by the pairs still to read it, within their own shares.
     */
    synchronized long evict(long needed) {
        long freed = 0;
        for (boolean weightsFirst : new boolean[] {true, false}) {
            Iterator<Map.Entry<Integer, Kept>> oldest = kept.entrySet().iterator();
            while (freed < needed && oldest.hasNext()) {
                Map.Entry<Integer, Kept> e = oldest.next();
                if (isWeightsKey(e.getKey()) == weightsFirst) {
                    freed += e.getValue().bytes();
                    oldest.remove();
                }
            }
        }
        return freed;
    }

    private synchronized @Nullable Object keptValue(int key) {
        Kept k = kept.get(key);
        return k == null ? null : k.value();
    }

    /**
     * Keeps what {@code make} returns under {@code key} when more than {@code self} readers are still to come and its
     * {@code bytes} fit the gate; {@code make} runs only then.
     */
    private void keep(int key, long bytes, Supplier<?> make, int self) {
        synchronized (this) {
            if (readers.getOrDefault(key, 0) <= self || kept.containsKey(key)) {
                return;
            }
        }
        // the gate is never called while this object's lock is held: the gate calls evict under its own lock
        if (!gate.tryKeep(bytes)) {
            return;
        }
        Object value;
        try {
            value = make.get();
        } catch (RuntimeException | OutOfMemoryError e) {
            gate.unkeep(bytes);
            throw e;
        }
        boolean stored;
        synchronized (this) {
            stored = readers.getOrDefault(key, 0) > 0 && !kept.containsKey(key);
            if (stored) {
                kept.put(key, new Kept(value, bytes));
            }
        }
        if (!stored) {
            gate.unkeep(bytes);
        }
    }

    private void release(int key) {
        Kept dropped;
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
            gate.unkeep(dropped.bytes()); // outside this object's lock, as in keep
        }
    }

    /**
     * The inputs the pair of {@code e} reads: both layers' weights and, on a single-precision path ({@code single}),
     * W_from W_fromᵀ and W_toᵀ W_to (Gram path: A, B) or W_fromᵀ W_from and W_to W_toᵀ (low-rank path: S_f, S_t).
     */
    private int[] keys(DataFlowEdge e, boolean single) {
        int[] weights = {weightsKey(e.producer()), weightsKey(e.consumer())};
        if (!single) {
            return weights;
        }
        LayerOutline p = layers.get(e.producer());
        boolean producerRows = FullMatrixScores.gramPath(p.outputWidth(), p.inputWidth(),
                layers.get(e.consumer()).outputWidth());
        return new int[] {weights[0], weights[1], gramKey(e.producer(), producerRows),
                gramKey(e.consumer(), !producerRows)};
    }

    private static int gramKey(int layer, boolean rows) {
        return 3 * layer + (rows ? 1 : 0);
    }

    private static int weightsKey(int layer) {
        return 3 * layer + 2;
    }

    private static boolean isWeightsKey(int key) {
        return key % 3 == 2;
    }
}
