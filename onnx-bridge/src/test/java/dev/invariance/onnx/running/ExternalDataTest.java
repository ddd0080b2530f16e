package dev.invariance.onnx.running;

import dev.invariance.onnx.reading.OnnxModelReader;
import dev.invariance.onnx.reading.OnnxModels;
import dev.invariance.onnx.reading.UntrustedModelTest;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.cli.InvarianceCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.invariance.onnx.reading.OnnxModels.external;
import static dev.invariance.onnx.reading.OnnxModels.floatValue;
import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.littleEndian;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * External data is located and checked once, when the model is opened, for every tensor the model stores, not only
 * for the weights the analysis reads: a tensor that is not a weight (the scale of a {@code Mul}, a {@code Constant}'s
 * value, an initializer inside a control-flow body) stored outside the model's folder is refused with one line
 * with or without {@code --data}, so neither the reader nor ONNX Runtime ever reads it; stored inside, ONNX Runtime
 * runs on exactly the checked bytes.
 */
class ExternalDataTest {
    @TempDir
    Path dir;

    /** W for {@code MatMul(x, W)} (x · W, stored as given), then scaled by S and shifted by C. */
    private static final float[] W = {1, -1, 2, 0.5f};
    private static final float[] S = {3, -2};
    private static final float[] C = {0.25f, 0.5f};

    /**
     * {@code y = (x · W) * S - C}: W an inline weight; S an initializer that is not a weight; C a {@code Constant}
     * node's value. S and C as given (external or not).
     */
    private static GraphProto scaled(TensorProto s, TensorProto c) {
        NodeProto constant = NodeProto.newBuilder().setOpType("Constant").setName("c").addOutput("C")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(c)).build();
        return GraphProto.newBuilder().setName("g").addInput(floatValue("x", 2)).addOutput(floatValue("y", 2))
                .addInitializer(floats("W", new long[] {2, 2}, W)).addInitializer(s)
                .addNode(node("MatMul", "mm", new String[] {"x", "W"}, new String[] {"h"}))
                .addNode(node("Mul", "scale", new String[] {"h", "S"}, new String[] {"m"}))
                .addNode(constant)
                .addNode(node("Sub", "shift", new String[] {"m", "C"}, new String[] {"y"})).build();
    }

    private Path csv() throws IOException {
        return Files.writeString(dir.resolve("data.csv"), "f0,f1,label\n1,0,a\n0,1,b\n0.5,-2,a\n-1,3,b\n2,2,a\n");
    }

    /** What the model computes for row (x0, x1): (x · W) * S - C. */
    private static double[] expected(double x0, double x1) {
        double[] y = new double[2];
        for (int j = 0; j < 2; j++) {
            y[j] = (x0 * W[j] + x1 * W[2 + j]) * S[j] - C[j];
        }
        return y;
    }

    /** The CLI's exit code and standard error for {@code analyze FILE [--data ...]}; stdout must stay empty on errors. */
    private static String[] cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = InvarianceCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    private void assertRefusedWithAndWithoutData(Path model, String... fragments) throws IOException {
        String message = UntrustedModelTest.refusal(model);
        for (String f : fragments) {
            assertTrue(message.contains(f), "'" + f + "' in: " + message);
        }
        String[] r = cli("analyze", model.toString(), "--data", csv().toString(), "--label", "label");
        assertEquals("2", r[0], r[2]);
        assertEquals("", r[1], "nothing on stdout");
        assertEquals(1, r[2].strip().lines().count(), "one line: " + r[2]);
        assertTrue(r[2].contains(message), r[2]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"absolute", "dotdot", "link"})
    void aScaleThatIsNotAWeightStoredOutsideTheFolderIsRefused(String how) throws IOException {
        Path folder = Files.createDirectory(dir.resolve("model"));
        Path secret = Files.write(dir.resolve("secret.data"), littleEndian(5, 7));
        String location = switch (how) {
            case "absolute" -> secret.toAbsolutePath().toString();
            case "dotdot" -> "../secret.data";
            default -> {
                Files.createSymbolicLink(folder.resolve("s.data"), secret);
                yield "s.data";
            }
        };
        Path model = write(folder.resolve("scaled.onnx"), model(scaled(external("S", new long[] {2}, location, 0, 8),
                floats("C", new long[] {2}, C))));
        assertRefusedWithAndWithoutData(model, "tensor 'S'", how.equals("absolute") ? "absolute"
                : how.equals("dotdot") ? "escapes the model's folder" : "outside the model's folder");
    }

    @Test
    void aConstantsValueStoredOutsideTheFolderIsRefused() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("model"));
        Files.write(dir.resolve("secret.data"), littleEndian(5, 7));
        Path model = write(folder.resolve("constant.onnx"), model(scaled(floats("S", new long[] {2}, S),
                external("C", new long[] {2}, "../secret.data", 0, 8))));
        assertRefusedWithAndWithoutData(model, "tensor 'C'", "escapes the model's folder");
    }

    @Test
    void anInitializerOfAControlFlowBodyStoredOutsideTheFolderIsRefused() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("model"));
        Path secret = Files.write(dir.resolve("secret.data"), littleEndian(5, 7));
        Files.createSymbolicLink(folder.resolve("b.data"), secret);
        GraphProto branch = GraphProto.newBuilder().setName("branch").addOutput(OnnxModels.value("B"))
                .addInitializer(external("B0", new long[] {2}, "b.data", 0, 8))
                .addNode(node("Identity", "id", new String[] {"B0"}, new String[] {"B"})).build();
        TensorProto condition = TensorProto.newBuilder().setName("cond").setDataType(TensorProto.DataType.BOOL_VALUE)
                .addInt32Data(1).build();
        GraphProto g = scaled(floats("S", new long[] {2}, S), floats("C", new long[] {2}, C)).toBuilder()
                .addInitializer(condition)
                .addNode(node("If", "if", new String[] {"cond"}, new String[] {"unused"},
                        OnnxModels.graphAttribute("then_branch", branch), OnnxModels.graphAttribute("else_branch", branch)))
                .build();
        Path model = write(folder.resolve("body.onnx"), model(g));
        assertRefusedWithAndWithoutData(model, "tensor 'B0'", "outside the model's folder");
    }

    @Test
    void aRangePastTheEndOfItsFileIsRefusedForATensorThatIsNotAWeight() throws IOException {
        Files.write(dir.resolve("s.data"), littleEndian(5, 7));
        Path model = write(dir.resolve("range.onnx"), model(scaled(external("S", new long[] {2}, "s.data", 4, -1),
                floats("C", new long[] {2}, C))));
        assertRefusedWithAndWithoutData(model, "tensor 'S'", "past its end");
    }

    @Test
    void aWeightOnnxRuntimeFoldsAndAShapeItInfersFromRunFromTheirCheckedFiles() throws IOException {
        // y = Reshape((x · Aᵀ) · B, [-1, 2]) with A, B (k x 2, 128 KiB each) and the shape in one external file:
        // ONNX Runtime constant-folds Transpose(A), so it must read A itself, and its shape inference reads the shape
        int k = 16_384;
        float[] a = new float[2 * k];
        float[] b = new float[2 * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = i % 3 - 1;
            b[i] = (i * 7) % 5 - 2;
        }
        java.nio.ByteBuffer shape = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(-1).putLong(2);
        Path folder = Files.createDirectory(dir.resolve("model"));
        try (var out = Files.newOutputStream(folder.resolve("values.data"))) {
            out.write(littleEndian(a));
            out.write(littleEndian(b));
            out.write(shape.array());
        }
        TensorProto shapeTensor = external("shape", new long[] {2}, "values.data", 16L * k, 16).toBuilder()
                .setDataType(TensorProto.DataType.INT64_VALUE).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(floatValue("x", 2)).addOutput(floatValue("y", 2))
                .addInitializer(external("A", new long[] {k, 2}, "values.data", 0, 8L * k))
                .addInitializer(external("B", new long[] {k, 2}, "values.data", 8L * k, 8L * k))
                .addInitializer(shapeTensor)
                .addNode(node("Transpose", "t", new String[] {"A"}, new String[] {"At"}))
                .addNode(node("MatMul", "mm0", new String[] {"x", "At"}, new String[] {"h"}))
                .addNode(node("MatMul", "mm1", new String[] {"h", "B"}, new String[] {"z"}))
                .addNode(node("Reshape", "r", new String[] {"z", "shape"}, new String[] {"y"})).build();
        Path model = write(folder.resolve("folded.onnx"), model(g));
        OnnxDataEvaluation r = OnnxDataAnalyzer.create(WeightAnalyzer.create(), OnnxDataOptions.defaults())
                .analyze(OnnxModelReader.open(model), csv(), "label", note -> { });
        double[][] rows = {{1, 0}, {0, 1}, {0.5, -2}, {-1, 3}, {2, 2}};
        List<Prediction<Label>> predictions = r.evaluation().getPredictions();
        for (int n = 0; n < rows.length; n++) {
            double[] y = new double[2];
            for (int i = 0; i < k; i++) {
                double h = rows[n][0] * a[2 * i] + rows[n][1] * a[2 * i + 1];
                y[0] += h * b[2 * i];
                y[1] += h * b[2 * i + 1];
            }
            // small integers and halves: every product and partial sum is exact in float32
            assertEquals(y[0], predictions.get(n).getOutputScores().get("a").getScore(), 0.0, "row " + n);
            assertEquals(y[1], predictions.get(n).getOutputScores().get("b").getScore(), 0.0, "row " + n);
        }
    }

    @Test
    void tensorsThatAreNotWeightsRunFromTheirCheckedFiles() throws IOException {
        // S (an initializer of the main graph) and C (a Constant's value) in one data file beside the model, the
        // model opened from another working directory than its folder: ONNX Runtime must use exactly these bytes
        Path folder = Files.createDirectory(dir.resolve("model"));
        byte[] s = littleEndian(S);
        byte[] c = littleEndian(C);
        byte[] both = new byte[64 + c.length];
        System.arraycopy(s, 0, both, 0, s.length);
        System.arraycopy(c, 0, both, 64, c.length);
        Files.write(folder.resolve("values.data"), both);
        Path model = write(folder.resolve("scaled.onnx"), model(scaled(external("S", new long[] {2}, "values.data", 0, 8),
                external("C", new long[] {2}, "values.data", 64, 8))));
        OnnxDataEvaluation r = OnnxDataAnalyzer.create(WeightAnalyzer.create(), OnnxDataOptions.defaults())
                .analyze(OnnxModelReader.open(model), csv(), "label", note -> { });
        List<Prediction<Label>> predictions = r.evaluation().getPredictions();
        double[][] rows = {{1, 0}, {0, 1}, {0.5, -2}, {-1, 3}, {2, 2}};
        assertEquals(rows.length, predictions.size());
        for (int i = 0; i < rows.length; i++) {
            double[] y = expected(rows[i][0], rows[i][1]);
            Prediction<Label> p = predictions.get(i);
            // float32 arithmetic on values exact in binary: the scores equal the double computation to float rounding
            assertEquals(y[0], p.getOutputScores().get("a").getScore(), 1e-6 * (1 + Math.abs(y[0])), "row " + i);
            assertEquals(y[1], p.getOutputScores().get("b").getScore(), 1e-6 * (1 + Math.abs(y[1])), "row " + i);
        }
        assertFalse(r.evaluation().getLabelEvaluation() == null);
    }
}
