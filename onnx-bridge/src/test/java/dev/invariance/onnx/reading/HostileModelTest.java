package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.invariance.onnx.reading.HostileModels.conv;
import static dev.invariance.onnx.reading.HostileModels.dequantized;
import static dev.invariance.onnx.reading.HostileModels.halves;
import static dev.invariance.onnx.reading.HostileModels.integer;
import static dev.invariance.onnx.reading.HostileModels.integers;
import static dev.invariance.onnx.reading.HostileModels.ints;
import static dev.invariance.onnx.reading.HostileModels.squeezedWeight;
import static dev.invariance.onnx.reading.OnnxModels.external;
import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.matMul;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static dev.invariance.onnx.reading.UntrustedModelTest.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile models of issue 19 that the reader used to hang on, run out of memory on, or accept with a wrong
 * reading: each is read in bounded time, refused with one line, or read as ONNX defines it. Files that must be large
 * to show the problem are generated here ({@link HostileModels}); the small ones are also seeds of
 * {@link OnnxReaderFuzzTest}.
 */
class HostileModelTest {
    @TempDir
    Path dir;

    private static OnnxModel read(ModelProto m) {
        return OnnxModelReader.read("hostile.onnx", null, m.toByteArray());
    }

    private static void assertMentions(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(message.contains(f), "'" + f + "' in: " + message);
        }
    }

    // ------------------------------------------------------------------ time

    /**
     * W_{i+1} = Add(W_i, W_i) forty times (a 1 kB file): each constant is computed once, not 2⁴⁰ times, and the
     * weight is 2⁴⁰·W_0 (W_0 = I; Gemm with transB = 0 gives W = Bᵀ).
     */
    @Test
    void constantsReadTwiceByEachLevelAreComputedOnce() {
        NetworkDescription n = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (OnnxModel m = read(HostileModels.doublingConstants(40))) {
                return m.readAll();
            }
        });
        double p = Math.scalb(1.0, 40);
        assertEquals(WeightMatrix.fromRows(new double[] {p, 0}, new double[] {0, p}), n.layer(0).weights());
    }

    /**
     * The memoised evaluation hands a constant's values to the last of its readers to change in place, and a copy to
     * the others: W0 read by a Cast to float16 (which rounds 1 + 2⁻¹² to 1 and 4 + 2⁻¹⁰ to 4) and by the Add of both
     * gives W0 + fp16(W0) = [[2 + 2⁻¹², 4], [6, 8 + 2⁻¹⁰]] (then transposed by the Gemm), not 2·fp16(W0).
     */
    @Test
    void aConstantReadByTwoChainsIsLeftUnchangedByEither() {
        float a = 1 + 0x1p-12f;
        float d = 4 + 0x1p-10f;
        ModelProto m = model(ai.onnx.proto.OnnxMl.GraphProto.newBuilder().setName("shared").addInput(OnnxModels.value("x"))
                .addOutput(OnnxModels.value("y")).addInitializer(floats("W0", new long[] {2, 2}, a, 2, 3, d))
                .addNode(OnnxModels.node("Cast", "half", new String[] {"W0"}, new String[] {"C"},
                        integer("to", TensorPayload.FLOAT16)))
                .addNode(OnnxModels.node("Add", "sum", new String[] {"W0", "C"}, new String[] {"S"}))
                .addNode(OnnxModels.node("Gemm", "gemm", new String[] {"x", "S"}, new String[] {"y"})).build());
        try (OnnxModel model = read(m)) {
            WeightMatrix w = model.load(0).weights();
            assertEquals(java.util.Arrays.toString(new double[] {2 + 0x1p-12, 6, 4, 8 + 0x1p-10}),
                    java.util.Arrays.toString(w.toRowMajorArray()));
        }
    }

    /** A chain of a million nodes (a Gemm and 10⁶ Relus, 37 MB) is read in seconds: linear, not quadratic. */
    @Test
    void aMillionNodeGraphIsReadInBoundedTime() {
        byte[] bytes = HostileModels.reluChain(1_000_000).toByteArray();
        List<LayerOutline> layers = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            try (OnnxModel m = OnnxModelReader.read("relus.onnx", null, bytes)) {
                return m.outline().layers();
            }
        });
        assertEquals(1, layers.size());
        assertEquals(Activation.RELU, layers.get(0).activation());
    }

    // ------------------------------------------------------------------ memory

    /**
     * 5 MB of empty nodes (2.5 million) would need about 300 MB once parsed and indexed: at -Xmx256m the reader
     * refuses the file with one line naming the heap, before parsing it, instead of running out of memory; also when
     * the file's name does not end in .onnx (the command line then looks at its content to tell ONNX from Tribuo).
     */
    @Test
    void nodesBeyondTheHeapAreRefusedBeforeParsingWithTheHeapNeeded() throws Exception {
        ModelProto empty = HostileModels.emptyNodes(2_500_000);
        GraphCensus census = GraphCensus.of(empty.toByteArray(), 100);
        assertEquals(2_500_000, census.nodes());
        for (String name : List.of("empty-nodes.onnx", "empty-nodes.model")) {
            Path f = write(dir.resolve(name), empty);
            SmallHeapCli.Result r = SmallHeapCli.run("256m", 120, "analyze", f.toString());
            assertEquals(2, r.code(), r.err());
            assertEquals(1, r.errLines().size(), r.err());
            assertMentions(r.err(), f.toString(), "2500000 nodes", "of heap", "run with -Xmx");
            assertFalse(r.err().contains("OutOfMemoryError"), r.err());
        }
    }

    /**
     * Two 2800 × 2800 float32 layers at -Xmx256m (the model alone takes 63 MB of it), in both modes: they run (as
     * many at a time as the memory plan allows) or are refused with one line naming the heap, never an
     * OutOfMemoryError. Gaussian layers ran before; zero layers took the dense SVD (three double copies of W) that
     * did not fit.
     */
    @Test
    void layersNearTheHeapRunOrAreRefusedWithTheHeapNeeded() throws Exception {
        for (ModelProto model : List.of(HostileModels.gaussianMatMuls(2, 2800, 3), HostileModels.zeroMatMuls(2, 2800))) {
            Path f = write(dir.resolve("two-2800.onnx"), model);
            for (String mode : List.of("top-k", "full")) {
                SmallHeapCli.Result r = SmallHeapCli.run("256m", 300, "analyze", f.toString(), "--spectrum", mode);
                assertFalse(r.err().contains("OutOfMemoryError"), r.err());
                if (r.code() == 0) {
                    assertTrue(r.out().contains("W0") && r.out().contains("W1"), r.out());
                } else {
                    assertEquals(1, r.code(), r.err());
                    assertEquals(1, r.errLines().size(), r.err());
                    assertMentions(r.err(), "W0", "of heap", "run with -Xmx");
                }
            }
        }
    }

    /**
     * The memory plan's refusal: a 500 × 100000 float32 layer (200 MB of sparse external data) passes the reader's
     * check at -Xmx1g, but its full spectrum (LAPACK's copy of W in double and its 100000 × 500 factor: 800 MB more)
     * does not fit: it is refused before its weights are read, with one line naming the layer, the heap and top-k
     * mode, instead of ending in an OutOfMemoryError.
     */
    @Test
    void aLayerWhoseSpectrumDoesNotFitIsRefusedBeforeItsWeightsAreRead() throws Exception {
        long rows = 100_000;
        long columns = 500;
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("wide.data").toFile(), "rw")) {
            raf.setLength(rows * columns * 4);
        }
        Path f = write(dir.resolve("wide.onnx"), model(matMul(external("W", new long[] {rows, columns}, "wide.data", 0,
                rows * columns * 4))));
        SmallHeapCli.Result r = SmallHeapCli.run("1g", 120, "analyze", f.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertMentions(r.err(), "layer 'W' (500 x 100000 float32) needs about", "full spectrum", "run with -Xmx",
                "--spectrum top-k");
    }

    /**
     * A 6000 × 6000 float32 layer of zeros (sparse external data, 144 MB) in top-k mode at -Xmx1g: its spectrum is
     * known without the dense SVD (three copies of W in double: more than the heap) that used to be taken for zero
     * matrices.
     */
    @Test
    void aLargeZeroLayerNeedsNoDenseSvd() throws Exception {
        long n = 6000;
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("zero.data").toFile(), "rw")) {
            raf.setLength(n * n * 4);
        }
        Path f = write(dir.resolve("zero.onnx"), model(matMul(external("W", new long[] {n, n}, "zero.data", 0, n * n * 4))));
        SmallHeapCli.Result r = SmallHeapCli.run("1g", 300, "analyze", f.toString(), "--spectrum", "top-k");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("6000x6000"), r.out());
    }

    // ------------------------------------------------------------------ accepted but wrong

    @Test
    void convolutionGroupsThatDoNotDivideTheChannelsAreRefused() throws IOException {
        Path f = write(dir.resolve("group3.onnx"), conv(halves("K", 4, 2, 3, 3), integer("group", 3)));
        assertMentions(refusal(f), "Conv 'conv'", "group 3", "does not divide the 4 output channels");
        Path huge = write(dir.resolve("group-max.onnx"), conv(halves("K", 4, 2, 3, 3), integer("group", Integer.MAX_VALUE)));
        assertMentions(refusal(huge), "group 2147483647", "does not divide");
    }

    @Test
    void convolutionKernelsWithoutElementsAreRefused() throws IOException {
        Path f = write(dir.resolve("empty-kernel.onnx"), conv(halves("K", 4, 2, 0, 3)));
        assertMentions(refusal(f), "Conv 'conv'", "kernel with no elements", "[4, 2, 0, 3]");
        // dims whose product wraps around 2⁶⁴ (2³² · 2³² · 5) next to a 0: no elements either, never a [5 x 0] layer
        Path wrap = write(dir.resolve("wrapping-kernel.onnx"), conv(halves("K", 5, 1L << 32, 1L << 32, 0)));
        assertMentions(refusal(wrap), "kernel with no elements");
    }

    @Test
    void aKernelShapeOtherThanTheKernelsIsRefused() throws IOException {
        Path f = write(dir.resolve("kernel-shape.onnx"), conv(halves("K", 5, 1, 3), ints("kernel_shape", Integer.MAX_VALUE)));
        assertMentions(refusal(f), "kernel_shape [2147483647]", "[5, 1, 3]");
    }

    @Test
    void dequantizationWithAZeroPointOfAnotherTypeIsRefused() throws IOException {
        Path f = write(dir.resolve("dq-zero-type.onnx"), dequantized(
                integers("Wq", TensorPayload.INT8, new long[] {2, 3}, 1, -2, 3, -4, 5, -6),
                floats("scale", new long[] {}, 0.5f),
                integers("zero", TensorPayload.UINT8, new long[] {}, 3)));
        assertMentions(refusal(f), "DequantizeLinear 'dq'", "zero point of type UINT8", "x of type INT8");
    }

    @Test
    void dequantizationWithATwoDimensionalScaleIsRefused() throws IOException {
        Path f = write(dir.resolve("dq-2d-scale.onnx"), dequantized(
                integers("Wq", TensorPayload.INT8, new long[] {2, 3}, 1, -2, 3, -4, 5, -6),
                floats("scale", new long[] {2, 1}, 0.5f, 0.25f), null));
        assertMentions(refusal(f), "DequantizeLinear 'dq'", "scale of shape [2, 1]");
    }

    /**
     * Squeeze(axes = [1]) of a [4, 1, 1, 3] weight leaves [4, 1, 3]: MatMul with it is a batched product (ONNX
     * broadcasts it over 4 matrices of 1 × 3), not the 3 × 4 layer that squeezing every axis of size 1 gave. It is not
     * read as a dense layer, and a note says why.
     */
    @Test
    void squeezeRemovesOnlyTheAxesItIsGiven() {
        try (OnnxModel m = read(squeezedWeight(halves("W", 4, 1, 1, 3), 1))) {
            assertEquals(0, m.outline().layers().size());
            assertTrue(m.notes().stream().anyMatch(s -> s.contains("rank-3 constant 'W' [4, 1, 3]")), m.notes().toString());
        }
    }

    /** Squeeze(axes = [0]) of [1, 1, 4] is [1, 4]: MatMul(x, W) with it is a 4 × 1 layer (W = Bᵀ), not nothing. */
    @Test
    void squeezingOneAxisKeepsTheOtherAxesOfSizeOne() {
        try (OnnxModel m = read(squeezedWeight(floats("W", new long[] {1, 1, 4}, 1, 2, 3, 4), 0))) {
            DenseLayer layer = m.load(0);
            assertEquals(WeightMatrix.fromRows(new double[] {1}, new double[] {2}, new double[] {3}, new double[] {4}),
                    layer.weights());
        }
    }

    @Test
    void squeezingAnAxisOfAnotherSizeIsRefused() throws IOException {
        Path f = write(dir.resolve("squeeze-size.onnx"), squeezedWeight(halves("W", 4, 1, 3), 2));
        assertMentions(refusal(f), "Squeeze 'sq'", "cannot remove axes [2]", "[4, 1, 3]");
    }

    @Test
    void aNegativeDimensionIsRefusedNamingTheDeclaredShape() throws IOException {
        Path f = write(dir.resolve("negative.onnx"), HostileModels.declaredDims(-4, 3));
        assertMentions(refusal(f), "tensor 'W'", "negative dimension", "[-4, 3]");
    }

    /** The census counts the nodes of every body, nested at any depth, from the encoding alone. */
    @Test
    void theCensusCountsTheNodesOfNestedBodies() {
        GraphCensus c = GraphCensus.of(HostileModels.sharedWeightInNestedBodies().toByteArray(), 100);
        assertEquals(10, c.nodes()); // main: Gemm, If; two bodies: Gemm, If each; four bodies: Gemm each
        assertEquals(1 + 2 + 2 + 6, c.values()); // the initializer, the main graph's inputs and outputs, a body output each
    }

    // ------------------------------------------------------------------ names

    /**
     * One weight read by seven Gemms all called Gemm_0 (the main graph's and those of If bodies nested two deep):
     * seven layers with seven names, the first two as before ({@code Wdeep}, {@code Wdeep@Gemm_0}), the others
     * qualified by their body's path.
     */
    @Test
    void everyOccurrenceOfASharedWeightHasItsOwnName() {
        try (OnnxModel m = read(HostileModels.sharedWeightInNestedBodies())) {
            List<String> names = m.outline().layers().stream().map(LayerOutline::name).toList();
            assertEquals(7, names.size(), names.toString());
            Set<String> distinct = new HashSet<>(names);
            assertEquals(7, distinct.size(), names.toString());
            assertEquals("Wdeep", names.get(0));
            assertEquals("Wdeep@Gemm_0", names.get(1));
            assertTrue(names.contains("Wdeep@If_0/then_branch/If_0/else_branch/Gemm_0"), names.toString());
            List<String> bindings = m.bindings().stream().map(OnnxLayerBinding::layerName).toList();
            assertEquals(names, bindings);
        }
    }
}
