package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.invariance.cli.InvarianceCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static dev.invariance.onnx.reading.OnnxModels.external;
import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.graphAttribute;
import static dev.invariance.onnx.reading.OnnxModels.matMul;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.value;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each kind of untrusted input the issue lists is refused by {@link OnnxModelReader} (or by loading the layer, for
 * values that are only seen when read) with an {@link InvalidModelException} whose one-line message names the file and
 * the cause, quickly and without allocating what the file declares; {@code invariance analyze FILE} then exits with
 * code 2, prints that line on stderr and nothing on stdout.
 */
public class UntrustedModelTest {
    @TempDir
    Path dir;

    /** Opens and loads every layer, as the analysis does; returns the refusal's message. */
    public static String refusal(Path file) {
        InvalidModelException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                assertThrows(InvalidModelException.class, () -> {
                    try (OnnxModel m = OnnxModelReader.open(file)) {
                        m.readAll();
                    }
                }));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(file.toString() + ": "), "names the file: " + msg);
        assertFalse(msg.contains("\n"), "one line: " + msg);
        // and through the command line: exit code 2, that one line on stderr, nothing on stdout
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> InvarianceCommand.run(
                new PrintWriter(out, true), new PrintWriter(err, true), "analyze", file.toString(), "--format", "json"));
        assertEquals(2, code, err.toString());
        assertEquals("", out.toString(), "nothing on stdout");
        assertEquals(1, err.toString().strip().lines().count(), "one line: " + err);
        assertTrue(err.toString().contains(msg), err.toString());
        return msg;
    }

    private static void assertMentions(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(message.contains(f), "'" + f + "' in: " + message);
        }
    }

    private Path valid2x3() throws IOException {
        return write(dir.resolve("valid.onnx"), model(matMul(floats("W", new long[] {2, 3}, 1, 2, 3, 4, 5, 6))));
    }

    @Test
    void emptyFile() throws IOException {
        Path f = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertMentions(refusal(f), "empty file");
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] whole = Files.readAllBytes(valid2x3());
        Path f = Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(whole, whole.length - 7));
        assertMentions(refusal(f), "not an ONNX model");
    }

    @Test
    void textFile() throws IOException {
        Path f = Files.writeString(dir.resolve("notes.onnx"), "layer sizes: 784-512-10\nthis is not a model\n");
        assertMentions(refusal(f), "not an ONNX model");
    }

    @Test
    void nonProtobufBytes() throws IOException {
        byte[] junk = new byte[512];
        Arrays.fill(junk, (byte) 0xff);
        Path f = Files.write(dir.resolve("junk.onnx"), junk);
        assertMentions(refusal(f), "not an ONNX model");
    }

    @Test
    void protobufWithoutAGraph() throws IOException {
        Path f = write(dir.resolve("nograph.onnx"), ModelProto.newBuilder().setIrVersion(8).build());
        assertMentions(refusal(f), "not an ONNX model", "no graph");
    }

    @Test
    void rawPayloadShorterThanTheDeclaredShape() throws IOException {
        TensorProto w = floats("W", new long[] {3, 3}, 1, 2, 3, 4, 5, 6);
        Path f = write(dir.resolve("short.onnx"), model(matMul(w)));
        assertMentions(refusal(f), "tensor 'W'", "[3, 3]", "raw_data holds 24 bytes, expected 36");
    }

    @Test
    void typedPayloadWithTheWrongCount() throws IOException {
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(TensorPayload.FLOAT).addDims(2).addDims(2)
                .addFloatData(1).addFloatData(2).addFloatData(3).build();
        Path f = write(dir.resolve("typed.onnx"), model(matMul(w)));
        assertMentions(refusal(f), "tensor 'W'", "holds 3 values");
    }

    @Test
    void shapeBeyondAnyArrayIsRefusedBeforeAllocating() throws IOException {
        TensorProto w = floats("W", new long[] {1L << 31, 1L << 31}, 1);
        Path f = write(dir.resolve("huge.onnx"), model(matMul(w)));
        assertMentions(refusal(f), "tensor 'W'", "too large to allocate");
    }

    @Test
    void shapeBeyondTheHeapIsRefusedBeforeAllocating() throws IOException {
        // 46000 x 46000 float32 = 8.5 GB of (sparse, never written) external data: consistent, but W as doubles would
        // not fit the test JVM's heap.
        long n = 46_000;
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("big.data").toFile(), "rw")) {
            raf.setLength(n * n * 4);
        }
        Path f = write(dir.resolve("big.onnx"), model(matMul(external("W", new long[] {n, n}, "big.data", 0, n * n * 4))));
        // opening it is fine (top-k mode reads it from the file a panel at a time); loading it onto the heap is not
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> {
            try (OnnxModel m = OnnxModelReader.open(f)) {
                m.readAll();
            }
        });
        assertMentions(e.getMessage(), f.toString(), "tensor 'W'", "too large to allocate");
        // the full spectrum, which needs a copy, is refused by the memory plan in one line suggesting top-k mode
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = InvarianceCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), "analyze",
                f.toString(), "--format", "json");
        assertEquals(1, code, err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertMentions(err.toString(), "layer 'W' (46000 x 46000 float32)", "run with -Xmx", "--spectrum top-k");
        assertEquals("", out.toString());
    }

    @Test
    void nanWeightsNameTheTensor() throws IOException {
        Path f = write(dir.resolve("nan.onnx"), model(matMul(floats("dense.weight", new long[] {1, 2}, 1, Float.NaN))));
        assertMentions(refusal(f), "tensor 'dense.weight'", "NaN");
    }

    @Test
    void infiniteWeightsNameTheTensor() throws IOException {
        Path f = write(dir.resolve("inf.onnx"),
                model(matMul(floats("dense.weight", new long[] {2, 1}, Float.NEGATIVE_INFINITY, 1))));
        assertMentions(refusal(f), "tensor 'dense.weight'", "infinite");
    }

    @Test
    void missingExternalData() throws IOException {
        Path f = write(dir.resolve("missing.onnx"), model(matMul(external("W", new long[] {2, 2}, "gone.data", 0, 16))));
        assertMentions(refusal(f), "'gone.data'", "tensor 'W'", "missing");
    }

    @Test
    void absoluteExternalLocation() throws IOException {
        Path outside = Files.write(dir.resolve("abs.data"), new byte[16]);
        Path f = write(dir.resolve("abs.onnx"),
                model(matMul(external("W", new long[] {2, 2}, outside.toAbsolutePath().toString(), 0, 16))));
        assertMentions(refusal(f), "tensor 'W'", "absolute");
    }

    @Test
    void externalLocationEscapingWithDotDot() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("model"));
        Files.write(dir.resolve("secret.data"), new byte[16]);
        Path f = write(sub.resolve("up.onnx"), model(matMul(external("W", new long[] {2, 2}, "../secret.data", 0, 16))));
        assertMentions(refusal(f), "tensor 'W'", "escapes the model's folder");
    }

    @Test
    void externalLocationEscapingThroughASymbolicLink() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("model"));
        Path secret = Files.write(dir.resolve("secret.data"), new byte[16]);
        Files.createSymbolicLink(sub.resolve("weights.data"), secret);
        Path f = write(sub.resolve("link.onnx"), model(matMul(external("W", new long[] {2, 2}, "weights.data", 0, 16))));
        assertMentions(refusal(f), "tensor 'W'", "outside the model's folder");
    }

    @Test
    void externalRangePastTheEndOfTheFile() throws IOException {
        Files.write(dir.resolve("short.data"), new byte[20]);
        Path f = write(dir.resolve("range.onnx"), model(matMul(external("W", new long[] {2, 2}, "short.data", 8, 16))));
        assertMentions(refusal(f), "tensor 'W'", "past its end");
    }

    @Test
    void externalLengthDisagreeingWithTheShape() throws IOException {
        Files.write(dir.resolve("w.data"), new byte[64]);
        Path f = write(dir.resolve("length.onnx"), model(matMul(external("W", new long[] {2, 2}, "w.data", 0, 32))));
        assertMentions(refusal(f), "tensor 'W'", "32 bytes long, expected 16");
    }

    @Test
    void unsupportedElementType() throws IOException {
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(TensorProto.DataType.COMPLEX64_VALUE)
                .addDims(2).addDims(2).setRawData(ByteString.copyFrom(new byte[32])).build();
        Path f = write(dir.resolve("complex.onnx"), model(matMul(w)));
        assertMentions(refusal(f), "tensor 'W'", "unsupported element type COMPLEX64");
    }

    @Test
    void cycleInTheGraph() throws IOException {
        TensorProto w = floats("W", new long[] {2, 2}, 1, 0, 0, 1);
        GraphProto g = GraphProto.newBuilder().setName("cycle").addInput(value("x")).addOutput(value("y"))
                .addInitializer(w)
                .addNode(node("MatMul", "a", new String[] {"b_out", "W"}, new String[] {"a_out"}))
                .addNode(node("Relu", "b", new String[] {"a_out"}, new String[] {"b_out"}))
                .addNode(node("Identity", "c", new String[] {"b_out"}, new String[] {"y"})).build();
        Path f = write(dir.resolve("cycle.onnx"), model(g));
        assertMentions(refusal(f), "cycle");
    }

    @Test
    void bodyReadingItsOwnControlFlowNodesOutput() throws IOException {
        GraphProto branch = GraphProto.newBuilder().setName("then").addOutput(value("t"))
                .addNode(node("Identity", "loop_back", new String[] {"if_out"}, new String[] {"t"})).build();
        GraphProto g = GraphProto.newBuilder().setName("self").addInput(value("cond")).addOutput(value("if_out"))
                .addNode(node("If", "If_0", new String[] {"cond"}, new String[] {"if_out"},
                        graphAttribute("then_branch", branch), graphAttribute("else_branch", branch))).build();
        Path f = write(dir.resolve("selfref.onnx"), model(g));
        assertMentions(refusal(f), "cycle", "If_0");
    }

    @Test
    void deeplyNestedBodies() throws IOException {
        GraphProto leaf = GraphProto.newBuilder().setName("leaf").addInput(value("x")).addOutput(value("x")).build();
        GraphProto inner = leaf;
        for (int i = 0; i < 40; i++) {
            inner = GraphProto.newBuilder().setName("level" + i).addInput(value("cond" + i)).addOutput(value("o" + i))
                    .addNode(node("If", "If_" + i, new String[] {"cond" + i}, new String[] {"o" + i},
                            graphAttribute("then_branch", inner), graphAttribute("else_branch", leaf))).build();
        }
        Path f = write(dir.resolve("deep.onnx"), model(inner));
        assertMentions(refusal(f), "nested");
    }

    @Test
    void bodiesNestedBeyondTheLimitButWithinProtobufsLimit() throws IOException {
        GraphProto leaf = GraphProto.newBuilder().setName("leaf").addInput(value("x")).addOutput(value("x")).build();
        GraphProto inner = leaf;
        for (int i = 0; i <= GraphIndex.MAX_DEPTH; i++) {
            inner = GraphProto.newBuilder().setName("level" + i).addInput(value("cond" + i)).addOutput(value("o" + i))
                    .addNode(node("If", "If_" + i, new String[] {"cond" + i}, new String[] {"o" + i},
                            graphAttribute("then_branch", inner), graphAttribute("else_branch", leaf))).build();
        }
        Path f = write(dir.resolve("deep17.onnx"), model(inner));
        assertMentions(refusal(f), "nested deeper than " + GraphIndex.MAX_DEPTH);
    }

    @Test
    void valueReadButNeverDefined() throws IOException {
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(value("x")).addOutput(value("y"))
                .addNode(node("MatMul", "mm", new String[] {"x", "nowhere"}, new String[] {"y"})).build();
        Path f = write(dir.resolve("undefined.onnx"), model(g));
        assertMentions(refusal(f), "'nowhere'", "no node, initializer or input defines");
    }

    @Test
    void missingFile() {
        assertMentions(refusal(dir.resolve("absent.onnx")), "no such file");
    }

    @Test
    void aModelWithoutDenseLayersIsNotAnErrorButANote() throws IOException {
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(value("x")).addOutput(value("y"))
                .addNode(node("Relu", "r", new String[] {"x"}, new String[] {"y"})).build();
        try (OnnxModel m = OnnxModelReader.open(write(dir.resolve("relu.onnx"), model(g)))) {
            assertEquals(0, m.readAll().depth());
            assertTrue(m.notes().get(0).startsWith("no dense layer"), m.notes().toString());
        }
    }

    @Test
    void externalDataIsReadFromItsRangeOnly() throws IOException {
        // The tensor sits at offset 8 between unrelated bytes; only its 16 bytes are read.
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(Float.NaN).putFloat(Float.NaN).putFloat(1).putFloat(2).putFloat(3).putFloat(4).putFloat(Float.NaN);
        Files.write(dir.resolve("w.data"), b.array());
        Path f = write(dir.resolve("range.onnx"), model(matMul(external("W", new long[] {2, 2}, "w.data", 8, 16))));
        try (OnnxModel m = OnnxModelReader.open(f)) {
            // B = [[1, 2], [3, 4]] stored; MatMul(X, B) gives W = Bᵀ
            assertEquals(dev.invariance.network.WeightMatrix.fromRows(new double[] {1, 3}, new double[] {2, 4}), m.load(0).weights());
        }
    }

    @Test
    void textIsNotMistakenForAModel() {
        byte[] text = "ir_version: 8\ngraph { node { op_type: \"MatMul\" } }\n".getBytes(StandardCharsets.UTF_8);
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> OnnxModelReader.read("t.onnx", null, text));
        assertTrue(e.getMessage().startsWith("t.onnx: "), e.getMessage());
    }
}
