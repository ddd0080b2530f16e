package dev.invariance.linalg;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap set aside for keeping a streamed layer's panels decoded to float32 between the passes of its block Lanczos
 * run ({@link PanelGramOperator}): the first pass decodes each panel from storage (float16 by table, int8
 * dequantised, ...) as always, and writes the panels that fit this cache into it; the later passes multiply the
 * cached panels directly instead of decoding them again. Decoding costs as much as the products themselves on
 * 16-bit weights (about 0.6 ns a value on this project's machine, against 0.8 ns for a pass's two thin products),
 * and a layer takes about ten passes, so a cached panel saves nearly half of its cost. The values multiplied are the
 * same floats either way: the spectrum does not depend on how much was cached.
 *
 * <p>The memory is a pool of slabs of {@value #SLAB_FLOATS} floats (just under 8 MiB), allocated
 * as first needed, up to the cache's size, and reused from layer to layer, so that caching does not churn the
 * collector or grow the committed heap beyond the cache. A layer leases what is free when its run starts, never
 * waiting (a layer that gets no slab decodes every pass, as without a cache), and returns it when its run ends.
 * Thread-safe.
 */
final class PanelCache {
    /** Floats per slab: 8 MiB less room for the array header, so that a slab fills whole G1 regions (1 to 8 MiB). */
    static final int SLAB_FLOATS = (1 << 21) - 64;

    /**
     * Panel buffers kept for reuse at most: one per processor, as many as are in use at once (the parts of one streamed
     * layer split over the processors, or one per small streamed layer running beside others), which their working
     * memory counts.
     */
    private static final int KEPT_BUFFERS = Runtime.getRuntime().availableProcessors();

    private final int slabs;
    private final ArrayDeque<float[]> idle = new ArrayDeque<>();
    private final ArrayDeque<float[]> buffers = new ArrayDeque<>();
    private int allocated;
    private int leased;

    /** A cache of at most {@code bytes} (rounded down to whole slabs; 0 caches nothing). */
    PanelCache(long bytes) {
        this.slabs = (int) Math.min(Integer.MAX_VALUE, Math.max(0, bytes) / (4L * SLAB_FLOATS));
    }

    /** How many slabs this cache may hold in all. */
    int capacitySlabs() {
        return slabs;
    }

    /**
     * Up to {@code wanted} slabs, as many as are free now (possibly none); give them back with {@link #release}.
     */
    synchronized List<float[]> lease(int wanted) {
        int count = Math.max(0, Math.min(wanted, slabs - leased));
        List<float[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] slab = idle.poll();
            if (slab == null) {
                slab = new float[SLAB_FLOATS];
                allocated++;
            }
            out.add(slab);
        }
        leased += count;
        return out;
    }

    /** Returns slabs leased from this cache; they are kept for the next lease. */
    synchronized void release(List<float[]> lease) {
        for (float[] slab : lease) {
            idle.push(slab);
        }
        leased -= lease.size();
    }

    /**
     * A panel buffer of at least {@code floats} floats (its contents undefined): one given back earlier, or a new one.
     * Panel buffers are about 1 MiB, "humongous" in a small G1 heap, where allocating one per layer would start a
     * concurrent collection cycle per layer; they are part of each layer task's working memory, not of the cache.
     */
    synchronized float[] borrow(int floats) {
        for (java.util.Iterator<float[]> it = buffers.iterator(); it.hasNext(); ) {
            float[] buffer = it.next();
            if (buffer.length >= floats) {
                it.remove();
                return buffer;
            }
        }
        return new float[floats];
    }

    /** Returns a buffer from {@link #borrow} for the next layer (up to a few are kept; the rest are let go). */
    synchronized void giveBack(float[] buffer) {
        if (buffers.size() < KEPT_BUFFERS) {
            buffers.push(buffer);
        }
    }

    /** Panel buffers given back and kept for the next {@link #borrow}. */
    synchronized int keptBuffers() {
        return buffers.size();
    }

    /** Slabs allocated so far (never more than the capacity). */
    synchronized int allocatedSlabs() {
        return allocated;
    }
}
