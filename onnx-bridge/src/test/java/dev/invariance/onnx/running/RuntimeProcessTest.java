package dev.invariance.onnx.running;

import dev.invariance.onnx.reading.OnnxModels;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.invariance.cli.InvarianceCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.invariance.onnx.reading.OnnxModels.external;
import static dev.invariance.onnx.reading.OnnxModels.floatValue;
import static dev.invariance.onnx.reading.OnnxModels.littleEndian;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code invariance analyze MODEL.onnx --data ...} as a separate process, for what only a process shows: its heap
 * limit, what it leaves in the temporary folder when it is killed, and what ONNX Runtime itself writes to standard
 * error (native code, around Java's streams).
 */
class RuntimeProcessTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/ort").toAbsolutePath();

    @TempDir
    Path dir;

    /** Exit code and the two streams of one process. */
    private record Ran(int code, String out, String err) {
    }

    private ProcessBuilder command(String heap, Path tmp, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap, "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                InvarianceCommand.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    private Ran run(String heap, String... args) throws Exception {
        Process p = command(heap, Files.createDirectories(dir.resolve("tmp")), args).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String out = drain(p.getInputStream());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finished within 300 s");
        return new Ran(p.exitValue(), out, err.join());
    }

    private static String drain(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void oneLine(Ran r) {
        assertEquals(2, r.code(), r.err());
        assertEquals("", r.out(), "nothing on stdout");
        assertEquals(1, r.err().strip().lines().count(), "one line on stderr, no trace, no log line of ONNX Runtime: "
                + r.err());
        assertTrue(r.err().startsWith("invariance analyze: error: "), r.err());
    }

    /** {@code rows} rows of mlp_bias's six features and labels, repeated from its CSV. */
    private Path mlpRows(int rows) throws IOException {
        List<String> lines = Files.readAllLines(FIXTURES.resolve("mlp_bias.csv"));
        Path csv = dir.resolve("many.csv");
        try (Writer w = Files.newBufferedWriter(csv)) {
            w.write(lines.get(0) + "\n");
            for (int i = 0; i < rows; i++) {
                w.write(lines.get(1 + i % (lines.size() - 1)) + "\n");
            }
        }
        return csv;
    }

    @Test
    void aSigtermDuringARunLeavesNothingInTheTemporaryFolder() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path csv = mlpRows(200_000);
        // --classes: the CSV is first opened by the data pass itself, after the ONNX Runtime session is open
        Process p = command("-Xmx256m", tmp, "analyze", FIXTURES.resolve("mlp_external.onnx").toString(), "--data",
                csv.toString(), "--label", "label", "--classes", "cat,dog,eel", "--batch-size", "1",
                "--no-label-evaluation").redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!readsFile(p, csv)) {
                assertTrue(p.isAlive(), "still running: " + Files.readString(dir.resolve("log")));
                assertTrue(System.nanoTime() < deadline, "the data pass started within 120 s");
                Thread.sleep(20);
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "left in the temporary folder");
        }
    }

    /** Whether the process has {@code file} open (Linux: a link under /proc/PID/fd). */
    private static boolean readsFile(Process p, Path file) throws IOException {
        Path fds = Path.of("/proc", Long.toString(p.pid()), "fd");
        try (Stream<Path> open = Files.list(fds)) {
            return open.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file.toAbsolutePath());
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            });
        } catch (IOException e) {
            return false; // the process is gone or not readable yet
        }
    }

    @Test
    void onnxRuntimesOwnLogStaysOffBeforeOurOneLineUnlessVerbose() throws Exception {
        // Reshape to a fixed [3, 2]: the two examples of the CSV hold 4 values, so ONNX Runtime fails while running
        // (and logs that failure itself, natively, to standard error)
        TensorProto shape = TensorProto.newBuilder().setName("shape").setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(2).addInt64Data(3).addInt64Data(2).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(floatValue("x", 2)).addOutput(floatValue("y", 2))
                .addInitializer(OnnxModels.floats("W", new long[] {2, 2}, 1, 2, 3, 4)).addInitializer(shape)
                .addNode(node("MatMul", "mm", new String[] {"x", "W"}, new String[] {"h"}))
                .addNode(node("Reshape", "bad", new String[] {"h", "shape"}, new String[] {"y"})).build();
        Path model = write(dir.resolve("reshape.onnx"), model(g));
        Path csv = Files.writeString(dir.resolve("d.csv"), "a,b,label\n1,2,x\n3,4,y\n");
        Ran r = run("-Xmx256m", "analyze", model.toString(), "--data", csv.toString(), "--label", "label");
        oneLine(r);
        assertTrue(r.err().contains(model + ": ONNX Runtime failed on examples 1-2"), r.err());

        r = run("-Xmx256m", "--verbose", "analyze", model.toString(), "--data", csv.toString(), "--label", "label");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().strip().lines().count() > 1, "ONNX Runtime's own lines with --verbose: " + r.err());
    }

    /**
     * Issue 20: ONNX Runtime's own warnings reach standard error only with {@code --verbose}. A graph that lists its
     * weight among its inputs makes ONNX Runtime warn ("Initializer W appears in graph inputs and will not be treated
     * as constant"): only {@code --verbose} shows that line. The image, token and two-output models of onnx/wild run
     * with nothing at all on standard error.
     */
    @Test
    void noWarningOfOnnxRuntimeReachesStandardErrorWithoutVerbose() throws Exception {
        ai.onnx.proto.OnnxMl.ValueInfoProto weightInput = ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("W")
                .setType(ai.onnx.proto.OnnxMl.TypeProto.newBuilder().setTensorType(
                        ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                                .setShape(ai.onnx.proto.OnnxMl.TensorShapeProto.newBuilder()
                                        .addDim(ai.onnx.proto.OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(2))
                                        .addDim(ai.onnx.proto.OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(2)))))
                .build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(floatValue("x", 2)).addInput(weightInput)
                .addOutput(floatValue("y", 2)).addInitializer(OnnxModels.floats("W", new long[] {2, 2}, 1, 2, 3, 4))
                .addNode(node("MatMul", "mm", new String[] {"x", "W"}, new String[] {"h"}))
                .addNode(node("Relu", "relu", new String[] {"h"}, new String[] {"y"})).build();
        Path model = write(dir.resolve("weight-as-input.onnx"), model(g));
        Path csv = Files.writeString(dir.resolve("d.csv"), "a,b,label\n1,2,x\n3,-4,y\n");
        Ran quiet = run("-Xmx256m", "analyze", model.toString(), "--data", csv.toString(), "--label", "label",
                "--no-label-evaluation");
        assertEquals(0, quiet.code(), quiet.err());
        assertEquals("", quiet.err());
        Ran verbose = run("-Xmx256m", "--verbose", "analyze", model.toString(), "--data", csv.toString(), "--label",
                "label", "--no-label-evaluation");
        assertEquals(0, verbose.code(), verbose.err());
        assertTrue(verbose.err().contains("Initializer W appears in graph inputs"), verbose.err());

        Path wild = Path.of("src/test/resources/onnx/wild").toAbsolutePath();
        for (List<String> args : List.of(
                List.of("data_image.onnx", "--data", "data_image"),
                List.of("data_tokens.onnx", "--data", "data_tokens.csv"),
                List.of("data_two_outputs.onnx", "--data", "data_two_outputs.csv", "--output", "logits"))) {
            List<String> command = new ArrayList<>(List.of("analyze", wild.resolve(args.get(0)).toString(), "--data",
                    wild.resolve(args.get(2)).toString(), "--label", "label"));
            command.addAll(args.subList(3, args.size()));
            Ran r = run("-Xmx256m", command.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            assertEquals("", r.err(), String.join(" ", args));
        }
    }

    @Test
    void aModelOnnxRuntimeCannotLoadIsOneLine() throws Exception {
        // a node ONNX Runtime has no kernel for, after a dense layer the reader finds
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(floatValue("x", 2)).addOutput(floatValue("y", 2))
                .addInitializer(OnnxModels.floats("W", new long[] {2, 2}, 1, 2, 3, 4))
                .addNode(node("MatMul", "mm", new String[] {"x", "W"}, new String[] {"h"}))
                .addNode(node("NoSuchOperator", "bad", new String[] {"h"}, new String[] {"y"})).build();
        Path model = write(dir.resolve("unknown.onnx"), model(g));
        Path csv = Files.writeString(dir.resolve("d.csv"), "a,b,label\n1,2,x\n3,4,y\n");
        Ran r = run("-Xmx256m", "analyze", model.toString(), "--data", csv.toString(), "--label", "label");
        oneLine(r);
        assertTrue(r.err().contains(model + ": ONNX Runtime cannot load the model ("), r.err());
    }

    @Test
    void aBatchOfTenToTheEightIsOneLineAtAQuarterGigabyteOfHeap() throws Exception {
        Ran r = run("-Xmx256m", "analyze", FIXTURES.resolve("mlp_bias.onnx").toString(), "--data",
                FIXTURES.resolve("mlp_bias.csv").toString(), "--label", "label", "--batch-size", "100000000");
        oneLine(r);
        assertTrue(r.err().contains("--batch-size 100000000: "), r.err());
    }

    @Test
    void anExampleLargerThanTheBatchBudgetIsOneLineBeforeTheDataAreRead() throws Exception {
        // 5,000,000 float inputs are 20 MB per example; a 64 MB heap allows 16 MB per batch
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(floatValue("x", 5_000_000))
                .addOutput(floatValue("y", 5_000_000))
                .addNode(node("Identity", "id", new String[] {"x"}, new String[] {"y"})).build();
        Path model = write(dir.resolve("wide-input.onnx"), model(g));
        Path csv = Files.writeString(dir.resolve("d.csv"), "a,label\n1,x\n2,y\n");
        Ran r = run("-Xmx64m", "analyze", model.toString(), "--data", csv.toString(), "--label", "label",
                "--no-label-evaluation");
        oneLine(r);
        assertTrue(r.err().contains(model + ": one example takes 20000000 bytes"), r.err());
    }

    /**
     * Eleven 1024 x 1024 float32 layers and a 1024 x 2 one in external data (44 MB) with a 64 MB heap: the weights are
     * analysed one layer at a time under {@code --data} as without it, ONNX Runtime's copy of them is not on the
     * heap, and what needs every layer in memory is skipped with a note.
     */
    @Test
    void aModelLargerThanTheHeapIsAnalysedWithData() throws Exception {
        int d = 1024;
        int layers = 12;
        Random rng = new Random(3);
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(floatValue("x", d))
                .addOutput(floatValue("h" + layers, 2));
        try (var out = Files.newOutputStream(dir.resolve("w.data"))) {
            long offset = 0;
            for (int l = 0; l < layers; l++) {
                int width = l == layers - 1 ? 2 : d;
                float[] w = new float[d * width];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (rng.nextGaussian() / Math.sqrt(d));
                }
                out.write(littleEndian(w));
                g.addInitializer(external("W" + l, new long[] {d, width}, "w.data", offset, 4L * w.length));
                offset += 4L * w.length;
                // a ReLU after the first layer: its activation pattern is observed
                g.addNode(node("MatMul", "mm" + l, new String[] {l == 0 ? "x" : "h" + l, "W" + l},
                        new String[] {(l == 0 ? "z" : "h") + (l + 1)}));
            }
        }
        g.addNode(node("Relu", "relu", new String[] {"z1"}, new String[] {"h1"}));
        Path model = write(dir.resolve("wide.onnx"), model(g.build()));
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < d; j++) {
            csv.append('x').append(j).append(',');
        }
        csv.append("label\n");
        for (int r = 0; r < 8; r++) {
            for (int j = 0; j < d; j++) {
                csv.append(String.format(Locale.ROOT, "%.3f,", rng.nextGaussian()));
            }
            csv.append(r % 2 == 0 ? "a" : "b").append('\n');
        }
        Path data = Files.writeString(dir.resolve("wide.csv"), csv);
        Ran r = run("-Xmx64m", "analyze", model.toString(), "--data", data.toString(), "--label", "label",
                "--no-label-evaluation", "--spectrum", "top-k", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("Error"), r.err());
        assertTrue(r.out().contains("\"W11\""), "every layer analysed: " + r.out());
        assertTrue(r.out().contains("\"examples\" : 8"), r.out());
        // the activation pattern is observed, and the stable submatrices are read layer by layer like the weights
        assertTrue(r.out().contains("\"stably_active\""), r.out());
        var stable = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).path("stable_submatrix");
        assertEquals(layers, stable.path("layers").size(), "one stable submatrix entry per layer: " + stable);
        assertEquals(d, stable.at("/layers/2/columns").asInt(-1), "layer 2 reads the linear layer 1: every column");
        assertEquals("", r.err().strip(), "no note: nothing was skipped");
    }

    /**
     * A linear single-output network over 600,000 rows with a 64 MB heap and no {@code LabelEvaluation}: the SVM
     * comparison would keep every row, so past its budget it is skipped with a note and memory stays bounded.
     */
    @Test
    void manyRowsWithoutTheLabelEvaluationDoNotOutgrowTheHeap() throws Exception {
        int d = 8;
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(floatValue("x", d)).addOutput(floatValue("y", 1))
                .addInitializer(OnnxModels.floats("w", new long[] {d, 1}, 1, -1, 2, -2, 0.5f, -0.5f, 1, 1))
                .addNode(node("MatMul", "mm", new String[] {"x", "w"}, new String[] {"y"})).build();
        Path model = write(dir.resolve("linear.onnx"), model(g));
        Path csv = dir.resolve("rows.csv");
        Random rng = new Random(5);
        try (Writer w = Files.newBufferedWriter(csv)) {
            w.write("a,b,c,d,e,f,g,h,label\n");
            for (int i = 0; i < 600_000; i++) {
                StringBuilder row = new StringBuilder();
                for (int j = 0; j < d; j++) {
                    row.append(rng.nextInt(100) - 50).append(',');
                }
                w.write(row.append(i % 2 == 0 ? "neg" : "pos").append('\n').toString());
            }
        }
        Ran r = run("-Xmx64m", "analyze", model.toString(), "--data", csv.toString(), "--label", "label",
                "--no-label-evaluation");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("600000 examples"), r.out());
        assertTrue(r.out().contains("SVM comparison: the SVM comparison keeps every example in memory"), r.out());
    }
}
