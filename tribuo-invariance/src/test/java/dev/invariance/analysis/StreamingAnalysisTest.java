package dev.invariance.analysis;

import dev.invariance.network.Activation;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.StreamedNetwork;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layer-by-layer analysis of a {@link StreamedNetwork}: same figures as in memory, never all layers held. */
class StreamingAnalysisTest {

    /**
     * A residual chain whose float32 layers are generated on each {@link #load} (fresh arrays every time, as a file
     * reader would produce them): real input that exists only while the analyzer holds it.
     */
    static class GeneratedNetwork implements StreamedNetwork {
        final int depth;
        final int width;
        final AtomicInteger loads = new AtomicInteger();

        GeneratedNetwork(int depth, int width) {
            this.depth = depth;
            this.width = width;
        }

        DenseLayer generate(int i) {
            int rows = i == depth - 1 ? 3 : width;
            return new DenseLayer("block" + i + ".weight", "MatMul", GraphFixture.matrix(rows, width, 11 + i), null,
                    i == depth - 1 ? Activation.LINEAR : Activation.RELU, ElementType.FLOAT32);
        }

        List<DataFlowEdge> edges() {
            List<DataFlowEdge> e = new ArrayList<>();
            for (int i = 1; i < depth; i++) {
                e.add(new DataFlowEdge(i - 1, i, List.of("Relu"), false));
                if (i >= 2) {
                    e.add(new DataFlowEdge(i - 2, i, List.of("Relu", "Add"), true));
                }
            }
            return e;
        }

        @Override
        public NetworkOutline outline() {
            List<LayerOutline> o = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                o.add(new LayerOutline("block" + i + ".weight", "MatMul", i == depth - 1 ? 3 : width, width,
                        ElementType.FLOAT32, i == depth - 1 ? Activation.LINEAR : Activation.RELU, false, null, ""));
            }
            return new NetworkOutline("generated", o, edges());
        }

        @Override
        public DenseLayer load(int index) {
            loads.incrementAndGet();
            DenseLayer layer = generate(index);
            return layer;
        }

        @Override
        public void close() {
        }

        NetworkDescription inMemory() {
            List<DenseLayer> layers = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                layers.add(generate(i));
            }
            return NetworkDescription.graph("generated", layers, edges());
        }
    }

    private static void same(@Nullable Double x, @Nullable Double y, double rel, String what) {
        if (x == null || y == null) {
            assertEquals(x, y, what + ": computed on one side only");
        } else if (Double.isNaN(x)) {
            assertTrue(Double.isNaN(y), what + ": " + y + " where NaN was expected");
        } else {
            assertEquals(x, y, rel * Math.max(1.0, Math.abs(x)), what);
        }
    }

    private static void sameFigures(AnalysisReport a, AnalysisReport b) {
        assertEquals(a.layers().size(), b.layers().size());
        for (int i = 0; i < a.layers().size(); i++) {
            LayerMetrics x = a.layers().get(i);
            LayerMetrics y = b.layers().get(i);
            assertEquals(x.name(), y.name());
            same(x.spectralNorm(), y.spectralNorm(), 1e-12, x.name());
            same(x.frobeniusNorm(), y.frobeniusNorm(), 1e-12, x.name());
            same(x.effectiveRank(), y.effectiveRank(), 1e-12, x.name());
            assertEquals(x.numericalRank(), y.numericalRank(), x.name());
        }
        assertEquals(a.edges().size(), b.edges().size());
        for (int j = 0; j < a.pairs().size(); j++) {
            PairMetrics x = a.pairs().get(j);
            PairMetrics y = b.pairs().get(j);
            assertEquals(x.producer(), y.producer());
            assertEquals(x.consumer(), y.consumer());
            same(x.adjacentAlignment(), y.adjacentAlignment(), 1e-10, x.toString());
            same(x.commutatorScore(), y.commutatorScore(), 1e-12, x.toString());
            same(x.balancedness(), y.balancedness(), 1e-12, x.toString());
            same(x.weightedAlignment(), y.weightedAlignment(), 1e-12, x.toString());
        }
    }

    @Test
    void streamedAnalysisGivesTheInMemoryFigures() {
        GeneratedNetwork g = new GeneratedNetwork(6, 64);
        AnalysisReport streamed = WeightAnalyzer.create().analyze(g);
        AnalysisReport memory = WeightAnalyzer.create().analyze(g.inMemory());
        sameFigures(memory, streamed);
        // the pairs read the weights their layers' tasks kept (PairInputs), which the heap has room for here
        assertEquals(6, g.loads.get(), "one load per layer");
        // pairs: 5 direct + 4 residual, all 64-wide except the last layer's, which reads 64 too
        assertEquals(9, streamed.pairs().size());
    }

    @Test
    void streamedFiguresMatchTheFixtureGraphInBothModes() {
        NetworkDescription n = GraphFixture.network();
        for (SpectrumMode mode : SpectrumMode.values()) {
            WeightAnalyzer a = WeightAnalyzer.create(AnalysisOptions.builder().spectrum(mode).build());
            StreamedNetwork fresh = new StreamedNetwork() {
                @Override
                public NetworkOutline outline() {
                    return n.outline();
                }

                @Override
                public DenseLayer load(int index) {
                    return GraphFixture.layer(index);
                }

                @Override
                public void close() {
                }
            };
            sameFigures(a.analyze(n), a.analyze(fresh));
        }
    }

    /**
     * A large float32 pair that is nearly aligned and balanced (T ≈ Fᵀ up to a 1e-5 perturbation, d = 600 ≥ the
     * single-precision threshold, Gram path) is first tried in single precision, which refuses it (c and the
     * balancedness cancel there), and is then recomputed in double under its own memory share: the
     * streamed figures are the exact ones of the independent double-precision d × d products of
     * {@link ReferencePairScores#commutator} and {@link ReferencePairScores#balancedness}.
     */
    @Test
    void refusedSinglePrecisionPairIsComputedInDouble() {
        int d = 600;
        int n = 300;
        int m = 400;
        java.util.Random r = new java.util.Random(5);
        float[] f = new float[d * n];
        float[] t = new float[m * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < n; j++) {
                f[i * n + j] = (float) r.nextGaussian();
            }
        }
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < d; i++) {
                // rows of T: the columns of F (j < n), then small extra rows
                double base = j < n ? f[i * n + j] : 1e-3 * r.nextGaussian();
                t[j * d + i] = (float) (base * (1 + 1e-5 * r.nextGaussian()));
            }
        }
        dev.invariance.network.WeightMatrix wf = dev.invariance.network.WeightMatrix.fromRowMajor(d, n, f);
        dev.invariance.network.WeightMatrix wt = dev.invariance.network.WeightMatrix.fromRowMajor(m, d, t);
        assertTrue(FullMatrixScores.useSinglePath(wf, wt));
        assertEquals(null, FullMatrixScores.singlePrecision(wf, wt, AnalysisOptions.defaults()));
        List<LayerOutline> outlines = List.of(
                new LayerOutline("from", "MatMul", d, n, ElementType.FLOAT32, Activation.LINEAR, false, null, ""),
                new LayerOutline("to", "MatMul", m, d, ElementType.FLOAT32, Activation.LINEAR, false, null, ""));
        AtomicInteger loads = new AtomicInteger();
        StreamedNetwork pair = new StreamedNetwork() {
            @Override
            public NetworkOutline outline() {
                return new NetworkOutline("pair", outlines, List.of(new DataFlowEdge(0, 1, List.of(), false)));
            }

            @Override
            public DenseLayer load(int index) {
                loads.incrementAndGet();
                return new DenseLayer(index == 0 ? "from" : "to", "MatMul", index == 0 ? wf : wt, null,
                        Activation.LINEAR, ElementType.FLOAT32);
            }

            @Override
            public void close() {
            }
        };
        PairMetrics p = WeightAnalyzer.create().analyze(pair).pairs().get(0);
        double c = ReferencePairScores.commutator(wf, wt);
        double bal = ReferencePairScores.balancedness(wf, wt);
        assertTrue(c < 1e-3, "nearly aligned: c = " + c);
        assertEquals(c, p.commutatorScore(), 1e-6 * c);
        assertEquals(bal, p.balancedness(), 1e-9 * bal);
        assertEquals(2, loads.get(), "each layer once: the single try and the double one read the kept weights");
    }

    /**
     * 100 generated layers of 512 × 512 float32 (100 MiB of weights) analysed in a JVM with a 64 MiB heap: it
     * completes because each layer is dropped after use. The same network built in memory does not fit that heap
     * (the control run must die of OutOfMemoryError), so the test fails if the analyzer held every layer.
     */
    @Test
    void analysesMoreWeightsThanTheHeapHolds() throws Exception {
        assertTrue(100L * 512 * 512 * 4 > 64L << 20);
        ProbeResult streamed = runProbe("stream");
        assertEquals(0, streamed.exit, streamed.output);
        assertTrue(streamed.output.contains("layers=100 pairs=99 "), streamed.output);
        ProbeResult control = runProbe("memory");
        assertTrue(control.exit != 0 && control.output.contains("OutOfMemoryError"), control.output);
    }

    private record ProbeResult(int exit, String output) {
    }

    private static ProbeResult runProbe(String mode) throws Exception {
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(launcher, "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                HeapProbe.class.getName(), mode).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new ProbeResult(p.waitFor(), out);
    }

    /** The probe's entry point: {@code stream} analyses the generated network layer by layer, {@code memory} builds it first. */
    static final class HeapProbe {
        public static void main(String[] args) {
            GeneratedNetwork g = new GeneratedNetwork(100, 512) {
                @Override
                List<DataFlowEdge> edges() {
                    List<DataFlowEdge> e = new ArrayList<>();
                    for (int i = 1; i < depth; i++) {
                        e.add(new DataFlowEdge(i - 1, i, List.of("Relu"), false));
                    }
                    return e;
                }
            };
            AnalysisReport r = args[0].equals("memory") ? WeightAnalyzer.create().analyze(g.inMemory())
                    : WeightAnalyzer.create().analyze(g);
            System.out.println("layers=" + r.layers().size() + " pairs=" + r.pairs().size() + " max heap="
                    + Runtime.getRuntime().maxMemory());
        }
    }

    @Test
    void aLayerThatDisagreesWithItsOutlineIsRefused() {
        GeneratedNetwork g = new GeneratedNetwork(3, 16) {
            @Override
            public DenseLayer load(int index) {
                return index == 1 ? new DenseLayer("block1.weight", "MatMul", GraphFixture.matrix(16, 15, 1), null,
                        Activation.RELU, ElementType.FLOAT32) : super.load(index);
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightAnalyzer.create().analyze(g));
        assertEquals("layer block1.weight was announced as 16 x 16 but loaded as 16 x 15", e.getMessage());
    }

    @Test
    void memoryGateLetsAnOversizedShareThroughAlone() throws InterruptedException {
        LayerByLayer.MemoryGate gate = new LayerByLayer.MemoryGate(100);
        gate.acquire(500);
        Thread t = new Thread(() -> {
            try {
                gate.acquire(10);
                gate.release(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        t.join(200);
        assertTrue(t.isAlive(), "a second share waits while the oversized one holds the whole budget");
        gate.release(500);
        t.join(5000);
        assertTrue(!t.isAlive());
    }
}
