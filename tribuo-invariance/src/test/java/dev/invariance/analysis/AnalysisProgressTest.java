package dev.invariance.analysis;

import dev.invariance.network.NetworkDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analysis reports its progress through one callback: a start, then one update per layer and per edge, one call
 * at a time, every count rising monotonically up to totals taken from the network (not from the engine).
 */
class AnalysisProgressTest {

    @ParameterizedTest
    @EnumSource(SpectrumMode.class)
    void theListenerSeesEveryLayerAndEdgeOnceWithMonotoneCounts(SpectrumMode mode) {
        NetworkDescription network = GraphFixture.network();
        List<AnalysisStatus> seen = new ArrayList<>();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        // a lambda, as a Kotlin caller would pass one; it records whether two calls ever overlap
        WeightAnalyzer analyzer = WeightAnalyzer.create(AnalysisOptions.builder().spectrum(mode).build())
                .withProgress(status -> {
                    if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    seen.add(status);
                    Thread.onSpinWait();
                    inside.decrementAndGet();
                });
        AnalysisReport report = analyzer.analyze(network);

        int layers = GraphFixture.NAMES.length;
        int edges = GraphFixture.edges().size();
        long bytes = 0;
        for (int[] shape : GraphFixture.SHAPES) {
            bytes += 4L * shape[0] * shape[1]; // float32 weights
        }
        assertEquals(0, overlaps.get(), "calls never overlap");
        assertEquals(1 + layers + edges, seen.size(), "a start, then one update per layer and per edge");
        AnalysisStatus first = seen.get(0);
        assertEquals(new AnalysisStatus(0, layers, 0, edges, 0, bytes, first.elapsed()), first);
        for (int i = 1; i < seen.size(); i++) {
            AnalysisStatus before = seen.get(i - 1);
            AnalysisStatus now = seen.get(i);
            int steps = (now.layersDone() - before.layersDone()) + (now.pairsDone() - before.pairsDone());
            assertEquals(1, steps, "one layer or one edge more at update " + i);
            assertTrue(now.weightBytesDone() >= before.weightBytesDone(), "bytes never fall");
            assertTrue(now.weightBytesDone() > before.weightBytesDone() == now.layersDone() > before.layersDone(),
                    "bytes rise exactly with the layers");
            assertTrue(now.elapsed().compareTo(before.elapsed()) >= 0, "time never runs back");
            assertEquals(layers, now.layersTotal());
            assertEquals(edges, now.pairsTotal());
            assertEquals(bytes, now.weightBytesTotal());
        }
        AnalysisStatus last = seen.get(seen.size() - 1);
        assertTrue(last.isFinished());
        assertEquals(bytes, last.weightBytesDone());
        assertEquals(layers, report.layers().size());
    }

    @ParameterizedTest
    @EnumSource(SpectrumMode.class)
    void eachLayersBytesAreCountedOnceWhateverOrderTheLayersFinishIn(SpectrumMode mode) {
        Set<Long> increments = new HashSet<>();
        List<Long> done = new ArrayList<>();
        WeightAnalyzer.create(AnalysisOptions.builder().spectrum(mode).build())
                .withProgress(s -> done.add(s.weightBytesDone())).analyze(GraphFixture.network());
        for (int i = 1; i < done.size(); i++) {
            if (done.get(i) > done.get(i - 1)) {
                assertTrue(increments.add(done.get(i) - done.get(i - 1)), "each layer's size once");
            }
        }
        Set<Long> sizes = new HashSet<>();
        for (int[] shape : GraphFixture.SHAPES) {
            sizes.add(4L * shape[0] * shape[1]);
        }
        assertEquals(sizes, increments);
    }

    @Test
    void anAnalyzerWithoutAListenerIsUnchangedByOne() {
        AnalysisReport plain = WeightAnalyzer.create().analyze(GraphFixture.network());
        AnalysisReport watched = WeightAnalyzer.create().withProgress(s -> { }).analyze(GraphFixture.network());
        assertEquals(plain.layers(), watched.layers());
        assertEquals(plain.edges(), watched.edges());
    }
}
