package dev.invariance.analysis;

import dev.invariance.linalg.GramSvd;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.Activation;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.StreamedNetwork;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full-mode pairs read the weights their layers' spectra loaded and the Gram matrices they formed ({@link PairInputs}):
 * the copies are the numbers a pair would form itself, what is kept is let go when its last reader is done or when a
 * task's share needs its room, and the analysis's figures do not depend on what was kept. The engine's pool
 * ({@link AnalysisPool}) runs ready pairs before layers not yet started.
 */
class PairInputsTest {
    private static final int WIDTH = 520; // ≥ FullMatrixScores.SINGLE_MIN: the pairs take a single-precision path

    /**
     * Gaussian float32 layers 0..depth−1, the last one 3 × WIDTH, each feeding the next and, through a residual Add,
     * the one after (so most Gram matrices have two readers).
     */
    private static final class GaussianChain implements StreamedNetwork {
        private final int depth;

        GaussianChain(int depth) {
            this.depth = depth;
        }

        WeightMatrix weights(int i) {
            return Matrices.gaussianFloat32(i == depth - 1 ? 3 : WIDTH, WIDTH, 40 + i);
        }

        @Override
        public NetworkOutline outline() {
            List<LayerOutline> layers = new ArrayList<>();
            List<DataFlowEdge> edges = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                layers.add(new LayerOutline("layer" + i, "MatMul", i == depth - 1 ? 3 : WIDTH, WIDTH,
                        ElementType.FLOAT32, Activation.RELU, false, null, ""));
                if (i >= 1) {
                    edges.add(new DataFlowEdge(i - 1, i, List.of("Relu"), false));
                }
                if (i >= 2) {
                    edges.add(new DataFlowEdge(i - 2, i, List.of("Relu", "Add"), true));
                }
            }
            return new NetworkOutline("gaussian chain", layers, edges);
        }

        @Override
        public DenseLayer load(int index) {
            return new DenseLayer("layer" + index, "MatMul", weights(index), null, Activation.RELU,
                    ElementType.FLOAT32);
        }

        @Override
        public void close() {
        }
    }

    /** The inputs of a full-mode analysis of {@code outline}'s {@code scored} pairs under {@code gate}. */
    private static PairInputs plan(NetworkOutline outline, boolean[] scored, LayerByLayer.MemoryGate gate) {
        return PairInputs.plan(outline, MemoryPlan.of(outline, AnalysisOptions.defaults(),
                TruncatedSvd.withDefaults()), scored, gate);
    }

    private static boolean[] all(int edges) {
        boolean[] scored = new boolean[edges];
        Arrays.fill(scored, true);
        return scored;
    }

    @Test
    void aPairReadsTheCopyItsLayersSpectrumFormedAndTheOtherReaderTheCopyAPairFormed() {
        GaussianChain chain = new GaussianChain(3); // edges 0→1, 1→2, 0→2
        NetworkOutline outline = chain.outline();
        LayerByLayer.MemoryGate gate = new LayerByLayer.MemoryGate(64L << 20);
        PairInputs grams = plan(outline, all(outline.edges().size()), gate);
        assertFalse(grams.isEmpty());
        WeightMatrix w0 = chain.weights(0);
        WeightMatrix w1 = chain.weights(1);
        WeightMatrix w2 = chain.weights(2);
        // layer 0 is read only as W Wᵀ (A of 0→1 and 0→2): its square spectrum forms that side
        assertTrue(grams.copyFor(0).prefersRows());
        // layer 1 is read on both sides (B of 0→1, A of 1→2): the spectrum keeps its default side, Wᵀ W
        assertFalse(grams.copyFor(1).prefersRows());
        GramSvd.factor(w0, grams.copyFor(0));
        PairGramSource first = grams.sourceFor(0, w0, 1, w1);
        PairGramSource residual = grams.sourceFor(0, w0, 2, w2);
        float[] a = first.gram(true, true);
        assertSame(a, residual.gram(true, true), "both pairs read the spectrum's copy");
        assertArrayEquals(GramSvd.roundedGram(w0, true), a, "the same numbers a pair forms itself");
        // layer 2 (3 × 520) forms W Wᵀ (3 × 3) for its spectrum; the pairs read Wᵀ W: the first pair forms it
        // and keeps it for the second
        PairGramSource last = grams.sourceFor(1, w1, 2, w2);
        float[] b = last.gram(false, false);
        assertSame(b, residual.gram(false, false));
        assertArrayEquals(GramSvd.roundedGram(w2, false), b);
        for (int j = 0; j < outline.edges().size(); j++) {
            grams.done(j);
        }
        assertTrue(gate.tryKeep(64L << 20), "every kept copy was handed back to the gate");
    }

    @Test
    void aShareThatNeedsTheRoomOfKeptCopiesMakesThemGoAndTheyAreFormedAgain() throws InterruptedException {
        GaussianChain chain = new GaussianChain(3);
        NetworkOutline outline = chain.outline();
        long budget = 8L << 20;
        LayerByLayer.MemoryGate gate = new LayerByLayer.MemoryGate(budget);
        PairInputs grams = plan(outline, all(outline.edges().size()), gate);
        WeightMatrix w0 = chain.weights(0);
        GramSvd.factor(w0, grams.copyFor(0)); // 520² floats, about 1 MiB, kept
        float[] kept = grams.sourceFor(0, w0, 1, chain.weights(1)).gram(true, true);
        assertSame(kept, grams.sourceFor(0, w0, 2, chain.weights(2)).gram(true, true));
        gate.acquire(budget - (1L << 20)); // does not fit beside the copy: the copy goes, the share does not wait
        float[] formed = grams.sourceFor(0, w0, 2, chain.weights(2)).gram(true, true);
        assertNotSame(kept, formed);
        assertArrayEquals(kept, formed);
        gate.release(budget - (1L << 20));
    }

    @Test
    void nothingIsKeptForPairsThatNoSinglePrecisionPathReads() {
        GaussianChain chain = new GaussianChain(3);
        NetworkOutline outline = chain.outline();
        LayerByLayer.MemoryGate gate = new LayerByLayer.MemoryGate(64L << 20);
        assertTrue(plan(outline, new boolean[outline.edges().size()], gate).isEmpty());
    }

    @Test
    void theWeightsASpectrumLoadedAreReadByItsPairsAndGoFirstWhenRoomIsNeeded() throws InterruptedException {
        GaussianChain chain = new GaussianChain(3); // layer 1 is read by the pairs 0→1 and 1→2
        NetworkOutline outline = chain.outline();
        long budget = 8L << 20;
        LayerByLayer.MemoryGate gate = new LayerByLayer.MemoryGate(budget);
        PairInputs inputs = plan(outline, all(outline.edges().size()), gate);
        DenseLayer layer = chain.load(1); // 520² floats, about 1 MiB
        inputs.offerWeights(1, layer);
        AtomicBoolean loaded = new AtomicBoolean();
        assertSame(layer, inputs.weights(1, () -> {
            loaded.set(true);
            return chain.load(1);
        }));
        assertFalse(loaded.get(), "kept weights are not loaded again");
        GramSvd.factor(chain.weights(0), inputs.copyFor(0)); // layer 0's W Wᵀ, also about 1 MiB, kept after
        // a share that needs one input's room takes the weights, the older and cheaper to get again
        gate.acquire(budget - (3L << 19));
        assertNotSame(layer, inputs.weights(1, () -> chain.load(1)));
        float[] kept = inputs.sourceFor(0, chain.weights(0), 1, chain.weights(1)).gram(true, true);
        assertSame(kept, inputs.sourceFor(0, chain.weights(0), 2, chain.weights(2)).gram(true, true));
        gate.release(budget - (3L << 19));
        for (int j = 0; j < outline.edges().size(); j++) {
            inputs.done(j);
        }
        assertTrue(gate.tryKeep(budget), "every kept input was handed back to the gate");
    }

    /**
     * A full-mode analysis with the copies kept (a roomy heap) and one where the gate has little room besides its
     * shares give the same figures to the last bit, and both are the figures of each pair computed alone from its
     * two matrices.
     */
    @Test
    void theFiguresDoNotDependOnWhatWasKept() {
        GaussianChain chain = new GaussianChain(5);
        AnalysisOptions options = AnalysisOptions.defaults();
        AnalysisReport roomy = LayerByLayer.run(chain, options, 2, min -> 4L << 30);
        long minimum = MemoryPlan.of(chain.outline(), options, TruncatedSvd.withDefaults())
                .minimumBytes();
        AnalysisReport tight = LayerByLayer.run(chain, options, 2,
                min -> (long) (minimum / MemoryPlan.FITTING_FRACTION) + 1);
        assertEquals(7, roomy.pairs().size());
        for (int j = 0; j < roomy.pairs().size(); j++) {
            PairMetrics x = roomy.pairs().get(j);
            PairMetrics y = tight.pairs().get(j);
            assertEquals(x, y);
            double[] alone = FullMatrixScores.singlePrecision(chain.weights(x.producer()),
                    chain.weights(x.consumer()), options);
            assertNotNull(alone, "the single-precision path answers for Gaussian pairs");
            assertEquals(alone[1], x.commutatorScore(), 0.0, x.toString());
            assertEquals(alone[2], x.balancedness(), 0.0, x.toString());
        }
    }

    @Test
    void readyTasksRunByRankAndATaskAfterAFailedOneFailsWithItsCause() throws Exception {
        try (AnalysisPool pool = new AnalysisPool(1)) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            List<Long> ran = new ArrayList<>();
            CompletableFuture<Void> blocker = pool.run(0, () -> {
                started.countDown();
                assertTrue(go.await(10, TimeUnit.SECONDS));
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            List<CompletableFuture<Void>> tasks = new ArrayList<>();
            for (long rank : new long[] {7, 2, 5}) {
                tasks.add(pool.run(rank, () -> {
                    synchronized (ran) {
                        ran.add(rank);
                    }
                }));
            }
            go.countDown();
            tasks.add(blocker);
            AnalysisPool.awaitAll(tasks);
            assertEquals(List.of(2L, 5L, 7L), ran);

            IllegalStateException cause = new IllegalStateException("layer 3 could not be read");
            CompletableFuture<Void> failed = pool.run(1, () -> {
                throw cause;
            });
            AtomicBoolean afterRan = new AtomicBoolean();
            CompletableFuture<Void> after = pool.runAfter(0, () -> afterRan.set(true), failed,
                    CompletableFuture.completedFuture(null));
            ExecutionException e = assertThrows(ExecutionException.class, after::get);
            assertSame(cause, e.getCause());
            assertFalse(afterRan.get());
            assertSame(cause, assertThrows(IllegalStateException.class, () -> AnalysisPool.awaitAll(List.of(after))));
        }
    }
}
