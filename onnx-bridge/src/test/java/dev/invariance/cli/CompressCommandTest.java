package dev.invariance.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.compression.RankChoice;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.network.Activation;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code invariance compress}: compressed fixtures (make_compress_fixtures.py) run in ONNX Runtime within the bound
 * the truncation implies, ranks by energy equal numpy's, Conv and QDQ layers compress and run, {@code --max-drop}
 * keeps its budget, bad input is refused in one line with nothing written.
 */
class CompressCommandTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/compress");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private JsonNode compressJson(String... args) throws IOException {
        String[] all = Stream.concat(Stream.of("compress"), Stream.concat(Stream.of(args),
                Stream.of("--format", "json", "--quiet"))).toArray(String[]::new);
        CliRun.Result r = CliRun.invariance(all);
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out());
    }

    private static JsonNode reference() throws IOException {
        return JSON.readTree(FIXTURES.resolve("reference.json").toFile());
    }

    /** The outputs of {@code model} on {@code rows} (each of {@code width} features): one float[] per row. */
    private static float[][] run(Path model, float[][] rows) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int width = rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        try (OrtSession s = env.createSession(model.toString());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(flat), new long[]{rows.length, width});
             OrtSession.Result out = s.run(Map.of(s.getInputNames().iterator().next(), x))) {
            return (float[][]) out.get(0).getValue();
        }
    }

    private static float[][] inputs(JsonNode ref) {
        JsonNode xs = ref.get("inputs");
        float[][] rows = new float[xs.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new float[xs.get(i).size()];
            for (int j = 0; j < rows[i].length; j++) {
                rows[i][j] = (float) xs.get(i).get(j).asDouble();
            }
        }
        return rows;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    private static double sigma(JsonNode ref, String layer, int j) {
        return ref.get("layers").get(layer).get("singular_values").get(j).asDouble();
    }

    @Test
    void rankTwoLinearNetworkStaysWithinTheTruncationBound() throws Exception {
        Path out = dir.resolve("small.onnx");
        JsonNode j = compressJson(FIXTURES.resolve("linear.onnx").toString(), "--output", out.toString(), "--rank", "2");
        JsonNode ref = reference();
        // y = W2 (W1 x + b1) + b2 and y_r = W2r (W1r x + b1) + b2, so
        // ‖y − y_r‖ ≤ ‖W2 W1 − W2r W1r‖ ‖x‖ + ‖W2 − W2r‖ ‖b1‖ ≤ (σ3(W2) σ1(W1) + σ1(W2) σ3(W1)) ‖x‖ + σ3(W2) ‖b1‖
        double s3w1 = sigma(ref, "W1", 2);
        double s3w2 = sigma(ref, "W2", 2);
        double gain = s3w2 * sigma(ref, "W1", 0) + sigma(ref, "W2", 0) * s3w1;
        float[][] x = inputs(ref);
        float[][] before = run(FIXTURES.resolve("linear.onnx"), x);
        float[][] after = run(out, x);
        double largest = 0;
        for (int i = 0; i < x.length; i++) {
            float[] d = new float[before[i].length];
            for (int k = 0; k < d.length; k++) {
                d[k] = before[i][k] - after[i][k];
            }
            // float32 products and the factors' rounding: a few ulps of the outputs' scale (|y| < 100 here)
            double bound = gain * norm(x[i]) + s3w2 * ref.get("b1_norm").asDouble() + 1e-4;
            assertTrue(norm(d) <= bound, "row " + i + ": " + norm(d) + " > " + bound);
            largest = Math.max(largest, norm(d));
        }
        assertTrue(largest > 1e-3, "the truncation changed the outputs (" + largest + ")");
        for (JsonNode l : j.get("layers")) {
            assertEquals(2, l.get("rank").asInt());
            double expected = sigma(ref, l.get("name").asText(), 2);
            assertEquals(expected, l.get("error").asDouble(), 1e-6 * sigma(ref, l.get("name").asText(), 0));
        }
        assertEquals(10 * 12 + 10 + 4 * 10 + 4, j.get("parameters_before").asLong());
        assertEquals(2 * 22 + 10 + 2 * 14 + 4, j.get("parameters_after").asLong());
        assertEquals(120 + 40, j.get("multiply_adds_before").asLong());
        assertEquals(44 + 28, j.get("multiply_adds_after").asLong());
        Map<String, String> meta = metadata(out);
        assertEquals(j.get("source_sha256").asText(), meta.get("invariance.compression.source_sha256"));
        assertEquals("rank 2", meta.get("invariance.compression.settings"));
        assertTrue(meta.get("invariance.compression.layers").contains("\"name\":\"W1\",\"rank\":2"));
    }

    @Test
    void energyRanksEqualNumpys() throws Exception {
        JsonNode ref = reference();
        for (JsonNode e : ref.get("energies")) {
            Path out = dir.resolve("energy-" + e.asText() + ".onnx");
            JsonNode j = compressJson(FIXTURES.resolve("linear.onnx").toString(), "--output", out.toString(),
                    "--energy", e.asText());
            for (JsonNode l : j.get("layers")) {
                int expected = ref.get("layers").get(l.get("name").asText()).get("energy_ranks").get(e.asText()).asInt();
                assertEquals(expected, l.get("rank").asInt(), l.get("name").asText() + " at energy " + e.asText());
                assertEquals(expected > 0, l.get("factored").asBoolean());
            }
            run(out, inputs(ref)); // and the model runs
        }
    }

    @Test
    void externalDataStaysExternalInTheOutputsOwnFile() throws Exception {
        Path out = dir.resolve("small.onnx");
        compressJson(FIXTURES.resolve("linear_external.onnx").toString(), "--output", out.toString(), "--rank", "2");
        assertTrue(Files.isRegularFile(dir.resolve("small.onnx.data")));
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(out));
        for (TensorProto t : m.getGraph().getInitializerList()) {
            assertEquals(TensorProto.DataLocation.EXTERNAL, t.getDataLocation(), t.getName());
            assertEquals("small.onnx.data", t.getExternalData(0).getValue(), t.getName());
        }
        float[][] x = inputs(reference());
        float[][] a = run(FIXTURES.resolve("linear.onnx"), x);
        float[][] b = run(dir.resolve("small.onnx"), x);
        Path inline = dir.resolve("inline.onnx");
        compressJson(FIXTURES.resolve("linear.onnx").toString(), "--output", inline.toString(), "--rank", "2");
        float[][] c = run(inline, x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(a[i].length, b[i].length);
            for (int k = 0; k < b[i].length; k++) {
                assertEquals(c[i][k], b[i][k], 1e-6, "external and inline compressions agree");
            }
        }
    }

    @Test
    void convolutionCompressesIntoTwoConvolutionsAndRuns() throws Exception {
        Path out = dir.resolve("conv-small.onnx");
        JsonNode j = compressJson(FIXTURES.resolve("conv.onnx").toString(), "--output", out.toString(), "--rank",
                "2", "--layers", "^(?!.*weight).*|0\\.weight");
        JsonNode conv = null;
        for (JsonNode l : j.get("layers")) {
            if (l.get("operator").asText().equals("Conv")) {
                conv = l;
            }
        }
        assertTrue(conv != null && conv.get("rank").asInt() == 2, j.toString());
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(out));
        long convs = m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).count();
        assertEquals(2, convs);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = new float[2 * 3 * 6 * 6];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        try (OrtSession s = env.createSession(out.toString());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{2, 3, 6, 6});
             OrtSession.Result r = s.run(Map.of("x", t))) {
            assertEquals(3, ((float[][]) r.get(0).getValue())[0].length);
        }
    }

    /**
     * One Conv y = conv(x, K) + b with W_mat = K as c_out × (c_in·k·k): at each output position p the truncation
     * changes y by (W_mat − W_r) patch_p, so ‖y − y_r‖_F ≤ σ_{r+1}(W_mat)·‖P‖_F with P the patches (im2col, built here
     * from the inputs, stride 2, pad 1); and y_r equals numpy's conv(x, W_r) + b.
     */
    @Test
    void convolutionStaysWithinItsPatchBoundAndMatchesNumpysTruncation() throws Exception {
        JsonNode ref = JSON.readTree(FIXTURES.resolve("conv_single.json").toFile());
        int r = ref.get("rank").asInt();
        Path source = FIXTURES.resolve("conv_single.onnx");
        Path out = dir.resolve("conv-single-small.onnx");
        JsonNode j = compressJson(source.toString(), "--output", out.toString(), "--rank", Integer.toString(r));
        double sigmaNext = ref.get("singular_values").get(r).asDouble();
        assertEquals(r, j.get("layers").get(0).get("rank").asInt());
        assertEquals(sigmaNext, j.get("layers").get(0).get("error").asDouble(), 1e-9 * sigmaNext);
        JsonNode xs = ref.get("inputs");
        int n = xs.size();
        float[] x = new float[n * 3 * 7 * 7];
        for (int e = 0; e < n; e++) {
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 7; h++) {
                    for (int w = 0; w < 7; w++) {
                        x[((e * 3 + c) * 7 + h) * 7 + w] = (float) xs.get(e).get(c).get(h).get(w).asDouble();
                    }
                }
            }
        }
        float[][][][] original = runConv(source, x, n);
        float[][][][] truncated = runConv(out, x, n);
        double patches = 0;
        double moved = 0;
        JsonNode expected = ref.get("truncated_outputs");
        for (int e = 0; e < n; e++) {
            for (int i = 0; i < 4; i++) {
                for (int k = 0; k < 4; k++) {
                    for (int c = 0; c < 3; c++) {
                        for (int a = 0; a < 3; a++) {
                            for (int b = 0; b < 3; b++) {
                                int h = 2 * i + a - 1;
                                int w = 2 * k + b - 1;
                                double v = h < 0 || w < 0 || h >= 7 || w >= 7 ? 0 : x[((e * 3 + c) * 7 + h) * 7 + w];
                                patches += v * v;
                            }
                        }
                    }
                    for (int o = 0; o < 8; o++) {
                        double d = original[e][o][i][k] - truncated[e][o][i][k];
                        moved += d * d;
                        double y = expected.get(e).get(o).get(i).get(k).asDouble();
                        assertEquals(y, truncated[e][o][i][k], 1e-4 * Math.max(1, Math.abs(y)), e + "," + o);
                    }
                }
            }
        }
        double bound = sigmaNext * Math.sqrt(patches);
        assertTrue(Math.sqrt(moved) <= bound * (1 + 1e-5), Math.sqrt(moved) + " > " + bound);
        assertTrue(Math.sqrt(moved) > 0.1 * bound, "the bound is not vacuous here: " + Math.sqrt(moved) + " vs " + bound);
    }

    private static float[][][][] runConv(Path model, float[] x, int n) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{n, 3, 7, 7});
             OrtSession.Result r = s.run(Map.of("x", t))) {
            return (float[][][][]) r.get(0).getValue();
        }
    }

    private Path trainedTribuoModel() throws IOException {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(60, 12, 0.0, 4));
        DeepNetModel model = DeepNetTrainer.builder().hidden(10).activation(Activation.RELU).learningRate(0.1)
                .steps(300).build().train(data);
        Path file = dir.resolve("model.tribuo");
        model.serializeToFile(file);
        return file;
    }

    @Test
    void tribuoModelIsExportedThenCompressedAndTheExportRemoved() throws Exception {
        Path model = trainedTribuoModel();
        Path out = dir.resolve("from-tribuo.onnx");
        JsonNode j = compressJson(model.toString(), "--output", out.toString(), "--rank", "2");
        assertEquals(model.toString(), j.get("tribuo_model").asText());
        assertEquals(2, j.get("layers").get(0).get("rank").asInt(), "the 10 x 12 layer factored at rank 2");
        float[][] x = new float[3][12];
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 12; k++) {
                x[i][k] = (float) Math.sin(5 * i + k);
            }
        }
        assertEquals(2, run(out, x)[0].length, "two class probabilities");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(".compress")).toList(),
                    "the temporary export is removed");
        }
    }

    @Test
    void compressedDeepNetModelIsReadByAnalyze() throws Exception {
        DeepNetModel model = DeepNetModel.deserializeFromFile(trainedTribuoModel());
        Path small = dir.resolve("small.tribuo");
        model.compress(RankChoice.fixedRank(2)).serializeToFile(small);
        CliRun.Result r = CliRun.invariance("analyze", small.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode layers = JSON.readTree(r.out()).path("layers");
        assertEquals(List.of("layer-0-R", "layer-0-L", "layer-1"),
                List.of(layers.get(0).path("name").asText(), layers.get(1).path("name").asText(),
                        layers.get(2).path("name").asText()));
        assertEquals(2, layers.get(0).path("shape").get(0).asInt(), "R is 2 x 12");
    }

    @Test
    void quantisedLayerIsRequantisedPerChannelAndRuns() throws Exception {
        Path out = dir.resolve("qdq-small.onnx");
        JsonNode j = compressJson(FIXTURES.resolve("qdq.onnx").toString(), "--output", out.toString(), "--rank", "3");
        assertEquals(3, j.get("layers").get(0).get("rank").asInt());
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals(2, m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("DequantizeLinear"))
                .count());
        assertFalse(m.getGraph().getInitializerList().stream().anyMatch(t -> t.getName().equals("Wq")),
                "the original quantised weight is dropped");
        for (TensorProto t : m.getGraph().getInitializerList()) {
            if (t.getName().endsWith("_quantized")) {
                assertEquals(TensorProto.DataType.INT8.getNumber(), t.getDataType());
            }
        }
        float[][] x = new float[4][16];
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < 16; k++) {
                x[i][k] = (float) Math.cos(3 * i + k);
            }
        }
        assertEquals(12, run(out, x)[0].length);
        try (OnnxModel model = OnnxModelReader.open(out)) {
            assertEquals(2, model.outline().layers().size(), "the reader sees the two factors");
        }
    }

    @Test
    void maxDropKeepsTheAccuracyWithinItsBudget() throws Exception {
        Path out = dir.resolve("mlp-small.onnx");
        JsonNode j = compressJson(FIXTURES.resolve("mlp.onnx").toString(), "--output", out.toString(),
                "--max-drop", "5", "--data", FIXTURES.resolve("mlp.csv").toString(), "--label", "label");
        JsonNode e = j.get("evaluation");
        double original = e.get("original").get("accuracy").asDouble();
        double compressed = e.get("compressed").get("accuracy").asDouble();
        assertEquals(1.0, original, 1e-12, "the labels are the model's own predictions");
        assertTrue(compressed >= original - 0.05 - 1e-12, compressed + " vs " + original);
        assertEquals(compressed, e.get("agreement").asDouble(), 1e-12, "labels are the original's predictions");
        assertTrue(j.get("parameters_after").asLong() < j.get("parameters_before").asLong(), j.toString());
        assertTrue(j.get("max_drop").get("trials").size() > 0);
        for (JsonNode t : j.get("max_drop").get("trials")) {
            assertEquals(t.get("accuracy").asDouble() >= original - 0.05 - 1e-12, t.get("accepted").asBoolean());
        }
        assertEquals(400, e.get("examples").asInt());
    }

    @Test
    void reportShowsSizesEvaluationsLayersAndTheTrialsPlot() throws Exception {
        Path page = dir.resolve("compress.html");
        compressJson(FIXTURES.resolve("mlp.onnx").toString(), "--output", dir.resolve("r.onnx").toString(),
                "--max-drop", "5", "--data", FIXTURES.resolve("mlp.csv").toString(), "--label", "label",
                "--report", page.toString());
        String html = Files.readString(page);
        for (String s : List.of("parameters", "file bytes", "multiply-adds per example", "agreement",
                "Layers (W d_out", "Models tried under the accuracy budget", "data:image/png;base64,",
                "Models tried, in order", "max-drop 5.0")) {
            assertTrue(html.contains(s), s);
        }
        Path plain = dir.resolve("plain.html");
        compressJson(FIXTURES.resolve("linear.onnx").toString(), "--output", dir.resolve("p.onnx").toString(),
                "--rank", "2", "--report", plain.toString());
        String text = Files.readString(plain);
        assertTrue(text.contains("W1") && !text.contains("Models tried"), "no data, no trials: sizes and layers only");
        CliRun.Result r = CliRun.invariance("compress", FIXTURES.resolve("linear.onnx").toString(), "--output",
                dir.resolve("q.onnx").toString(), "--rank", "2", "--report", dir.resolve("no/such/r.html").toString());
        assertEquals(2, r.code(), r.err());
        assertFalse(Files.exists(dir.resolve("q.onnx")), "refused before compressing");
    }

    @Test
    void jsonHasTheDocumentedKeys() throws Exception {
        JsonNode j = compressJson(FIXTURES.resolve("mlp.onnx").toString(), "--output",
                dir.resolve("s.onnx").toString(), "--energy", "0.9", "--data", FIXTURES.resolve("mlp.csv").toString(),
                "--label", "label");
        for (String k : List.of("source", "output", "tribuo_model", "source_sha256", "settings", "parameters_before",
                "parameters_after", "file_bytes_before", "file_bytes_after", "multiply_adds_before",
                "multiply_adds_after", "layers", "evaluation", "max_drop", "notes")) {
            assertTrue(j.has(k), k);
        }
        for (String k : List.of("name", "operator", "output_width", "input_width", "factored", "rank", "error",
                "energy_kept", "parameters_before", "parameters_after")) {
            assertTrue(j.get("layers").get(0).has(k), k);
        }
        for (String k : List.of("examples", "original", "compressed", "agreement")) {
            assertTrue(j.get("evaluation").has(k), k);
        }
        for (String k : List.of("accuracy", "macro_averaged_f1", "balanced_error_rate")) {
            assertTrue(j.get("evaluation").get("original").has(k), k);
        }
    }

    @Test
    void tableNamesSizesLayersAndEvaluation() {
        CliRun.Result r = CliRun.invariance("compress", FIXTURES.resolve("mlp.onnx").toString(), "--output",
                dir.resolve("t.onnx").toString(), "--rank", "2", "--data", FIXTURES.resolve("mlp.csv").toString(),
                "--label", "label", "--quiet");
        assertEquals(0, r.code(), r.err());
        for (String s : List.of("parameters", "file bytes", "multiply-adds/example", "accuracy", "agreement")) {
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
        }
    }

    @Test
    void badInputIsOneLineExitTwoAndNothingWritten() throws Exception {
        Path model = FIXTURES.resolve("linear.onnx");
        Path notOnnx = Files.writeString(dir.resolve("junk.onnx"), "not a model");
        Path copy = Files.copy(model, dir.resolve("same.onnx"));
        List<List<String>> cases = List.of(
                List.of(dir.resolve("missing.onnx").toString(), "--rank", "2"),
                List.of(model.toString(), "--rank", "0"),
                List.of(model.toString(), "--energy", "0"),
                List.of(model.toString(), "--energy", "1.5"),
                List.of(model.toString(), "--max-drop", "1"),
                List.of(notOnnx.toString(), "--rank", "2"),
                List.of(model.toString()),
                List.of(model.toString(), "--rank", "2", "--energy", "0.9"));
        for (List<String> c : cases) {
            Path out = dir.resolve("out.onnx");
            String[] args = Stream.concat(Stream.of("compress"), Stream.concat(c.stream(),
                    Stream.of("--output", out.toString()))).toArray(String[]::new);
            CliRun.Result r = CliRun.invariance(args);
            assertEquals(2, r.code(), c + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), c + ": " + r.err());
            assertFalse(Files.exists(out), c + ": nothing written");
        }
        byte[] before = Files.readAllBytes(copy);
        CliRun.Result r = CliRun.invariance("compress", copy.toString(), "--output", copy.toString(), "--rank", "2");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(copy)), "the input is untouched");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(".compress")).toList());
        }
    }

    private static Map<String, String> metadata(Path model) throws IOException {
        Map<String, String> meta = new HashMap<>();
        for (StringStringEntryProto e : ModelProto.parseFrom(Files.readAllBytes(model)).getMetadataPropsList()) {
            meta.put(e.getKey(), e.getValue());
        }
        return meta;
    }
}
