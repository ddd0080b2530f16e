package dev.invariance.analysis;

import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.Activation;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.StreamedNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory plan of the analysis engine ({@link MemoryPlan}): what it counts for each spectrum route, and that an
 * analysis that does not fit is refused with one line before any weight is read.
 */
class MemoryPlanTest {
    private static final long MB = 1L << 20;
    private static final long GB = 1L << 30;

    private static LayerOutline layer(String name, int rows, int columns, ElementType type) {
        return new LayerOutline(name, "MatMul", rows, columns, type, Activation.LINEAR, false, null, "");
    }

    /** A network of the given layers whose weights must never be read. */
    private static StreamedNetwork unreadable(List<LayerOutline> layers, List<DataFlowEdge> edges) {
        return new StreamedNetwork() {
            @Override
            public NetworkOutline outline() {
                return new NetworkOutline("planned", layers, edges);
            }

            @Override
            public DenseLayer load(int index) {
                throw new AssertionError("layer " + index + " was read although the analysis does not fit");
            }

            @Override
            public void close() {
            }
        };
    }

    private static AnalysisOptions mode(SpectrumMode m) {
        return AnalysisOptions.builder().spectrum(m).build();
    }

    @Test
    void aLayerWhoseFullSpectrumDoesNotFitIsRefusedBeforeItIsRead() {
        StreamedNetwork big = unreadable(List.of(layer("W", 19_000, 19_000, ElementType.FLOAT32)), List.of());
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> LayerByLayer.run(big, mode(SpectrumMode.FULL), 2, need -> 2 * GB));
        String m = e.getMessage();
        assertTrue(m.startsWith("layer 'W' (19000 x 19000 float32) needs about"), m);
        assertTrue(m.contains("full spectrum") && m.contains("more than the 2048 MB this JVM has free"), m);
        assertTrue(m.contains("run with -Xmx") && m.contains("--spectrum top-k"), m);
        assertFalse(m.contains("\n"), m);
        assertTrue(e.getNeededHeapBytes() > 19_000L * 19_000 * 4, "at least the weights: " + e.getNeededHeapBytes());
    }

    @Test
    void aLayerWhoseTopKSpectrumFitsRunsWhereItsFullSpectrumIsRefused() {
        List<LayerOutline> layers = List.of(layer("W", 19_000, 19_000, ElementType.FLOAT32));
        TruncatedSvd solver = TruncatedSvd.withDefaults();
        long full = MemoryPlan.of(new NetworkOutline("", layers, List.of()), mode(SpectrumMode.FULL), solver).minimumBytes();
        long topK = MemoryPlan.of(new NetworkOutline("", layers, List.of()), mode(SpectrumMode.TOP_K), solver).minimumBytes();
        long weights = 19_000L * 19_000 * 4;
        // full: the weights and at least a float copy of them for LAPACK (or the r × r double Gram matrix)
        assertTrue(full >= 2 * weights, full + " bytes planned for full mode");
        // top-k: the weights and a Krylov basis of 1216 float vectors of 19000 (92 MB), a few hundred MB at most
        assertTrue(topK >= weights + 1216L * 19_000 * 4 && topK < weights + 512 * MB, topK + " bytes for top-k");
    }

    /**
     * A layer of 500 × 100000 takes the dense SVD in full mode (min(m, n) < 512): LAPACK's double copy of W (400 MB)
     * and its 100000 × 500 factor (400 MB) are counted.
     */
    @Test
    void theDenseRouteCountsLapacksCopyAndFactors() {
        long bytes = LayerSpectrum.workingBytes(500, 100_000, ElementType.FLOAT32, mode(SpectrumMode.FULL),
                TruncatedSvd.withDefaults());
        assertTrue(bytes >= 8L * 500 * 100_000 + 8L * 500 * 100_500, bytes + " bytes");
    }

    @Test
    void theResultsOfManyLayersAreCountedBeforeTheyRun() {
        List<LayerOutline> layers = new java.util.ArrayList<>();
        List<DataFlowEdge> edges = new java.util.ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            layers.add(layer("W" + i, 2, 2, ElementType.FLOAT32));
            if (i > 0) {
                edges.add(new DataFlowEdge(i - 1, i, List.of(), false));
            }
        }
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> LayerByLayer.run(unreadable(layers, edges), mode(SpectrumMode.TOP_K), 2, need -> 256 * MB));
        assertTrue(e.getMessage().startsWith("the results of 100000 layers and 99999 edges need about"), e.getMessage());
    }

    @Test
    void sharesRunSideBySideOnlyWithinTheBudgetLessWhatIsKept() throws InterruptedException {
        LayerByLayer.MemoryGate gate = new LayerByLayer.MemoryGate(100);
        gate.keep(30);
        gate.acquire(50);
        Thread second = new Thread(() -> {
            try {
                gate.acquire(30);
                gate.release(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        second.start();
        second.join(200);
        assertTrue(second.isAlive(), "30 kept + 50 running + 30 more exceed 100: the second share waits");
        gate.release(50);
        second.join(5000);
        assertFalse(second.isAlive(), "alone it runs");
        assertEquals(30, gate.kept());
    }

    /**
     * In top-k mode a layer read as panels holds no copy of its weights: a 4096 × 128,256 float16 layer (2 GB as
     * floats) plans under 250 MB (the Krylov basis and refinement, a few panels, the products A·V kept for the
     * refinement: 4 bytes × 128,256 × 192), while the same layer loaded plans
     * its float copy; in full mode panels do not apply.
     */
    @Test
    void aLayerReadAsPanelsPlansTheBasisNotTheWeights() {
        NetworkOutline outline = new NetworkOutline("planned", List.of(layer("lm_head", 128_256, 4096,
                ElementType.FLOAT16)), List.of());
        TruncatedSvd solver = TruncatedSvd.withDefaults();
        boolean[] panels = {true};
        MemoryPlan streamed = MemoryPlan.of(outline, mode(SpectrumMode.TOP_K), solver, panels);
        MemoryPlan loaded = MemoryPlan.of(outline, mode(SpectrumMode.TOP_K), solver, new boolean[1]);
        long copy = 4L * 128_256 * 4096;
        assertTrue(streamed.streamed(0));
        assertTrue(streamed.layerBytes(0) < 250 * MB, "streamed: " + streamed.layerBytes(0));
        assertFalse(loaded.streamed(0));
        assertTrue(loaded.layerBytes(0) >= copy, "loaded: " + loaded.layerBytes(0));
        assertFalse(MemoryPlan.of(outline, mode(SpectrumMode.FULL), solver, panels).streamed(0));
        // 512 MB of heap holds it read as panels, and refuses it loaded with one line naming the heap it needs
        streamed.requireWithin(450 * MB, 512 * MB);
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> loaded.requireWithin(450 * MB, 512 * MB));
        assertTrue(e.getMessage().contains("lm_head") && e.getMessage().contains("-Xmx"), e.getMessage());
    }

    /**
     * The panel cache takes what the budget leaves after the retained results and the workers' largest shares, at
     * most 20 % of the heap's maximum, and nothing without a streamed layer.
     */
    @Test
    void thePanelCacheTakesWhatIsLeftUpToAShareOfALargeHeap() {
        NetworkOutline outline = new NetworkOutline("planned", List.of(layer("gate", 11_008, 4096,
                ElementType.FLOAT16)), List.of());
        TruncatedSvd solver = TruncatedSvd.withDefaults();
        MemoryPlan streamed = MemoryPlan.of(outline, mode(SpectrumMode.TOP_K), solver, new boolean[] {true});
        long gib = 1024 * MB;
        assertEquals((long) (0.2 * gib), streamed.panelCacheBytes(750 * MB, 2, gib), "20 % of 1 GiB");
        assertEquals((long) (0.2 * 4 * gib), streamed.panelCacheBytes(3 * gib, 2, 4 * gib), "20 % of 4 GiB");
        long left = 1500 * MB - streamed.retainedBytes() - 2 * streamed.largestShare();
        assertEquals(left, streamed.panelCacheBytes(1500 * MB, 2, 8 * gib), "what the budget leaves");
        assertEquals(0, streamed.panelCacheBytes(streamed.retainedBytes(), 2, 8 * gib), "nothing left");
        MemoryPlan loaded = MemoryPlan.of(outline, mode(SpectrumMode.TOP_K), solver, new boolean[1]);
        assertEquals(0, loaded.panelCacheBytes(3 * gib, 2, 4 * gib), "no streamed layer");
    }

    /** The engine starts the largest layers first (d_out·d_in), ties in network order, so no large layer runs last. */
    @Test
    void layersAreStartedLargestFirst() {
        List<LayerOutline> layers = List.of(layer("q", 64, 64, ElementType.FLOAT32),
                layer("gate", 172, 64, ElementType.FLOAT32), layer("k", 64, 64, ElementType.FLOAT32),
                layer("lm_head", 500, 64, ElementType.FLOAT32));
        assertArrayEquals(new int[] {3, 1, 0, 2}, LayerByLayer.largestFirst(layers));
    }
}
