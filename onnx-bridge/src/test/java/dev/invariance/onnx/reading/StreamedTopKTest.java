package dev.invariance.onnx.reading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.analysis.WeightAnalyzer;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.invariance.onnx.reading.OnnxModels.entry;
import static dev.invariance.onnx.reading.OnnxModels.box;
import static dev.invariance.onnx.reading.OnnxModels.matMul;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The top-k spectrum read from the file a panel at a time (issue 23) against numpy's float64 SVD of each layer's exact
 * W (onnx/stream/reference.json, from make_stream_fixtures.py): float16 in external data behind a transposed MatMul
 * and a Gemm with transB = 0 and a negative alpha, bfloat16 in raw_data, int8/uint8 dequantised per column and per
 * row, float32 Conv kernels. Every one of these layers is read as panels (no copy on the heap), and its ten leading
 * singular values agree to 1e-6 relative, ‖W‖_F to 1e-6 and the pairs' top alignments to 1e-4.
 */
class StreamedTopKTest {
    /** Relative error of the leading singular values the top-k mode promises (TruncatedSvd's tolerance 1e-7). */
    private static final double VALUE_TOL = 1e-6;
    /** Top alignment |⟨u₁, v₁⟩|: vectors to sin∠ ≲ ‖r‖/gap with well separated σ₁. */
    private static final double ALIGNMENT_TOL = 1e-4;

    static Stream<JsonNode> models() throws IOException, URISyntaxException {
        List<JsonNode> models = new ArrayList<>();
        reference().get("models").forEach(models::add);
        return models.stream();
    }

    private static JsonNode reference() throws IOException, URISyntaxException {
        return new ObjectMapper().readTree(folder().resolve("reference.json").toFile());
    }

    private static Path folder() throws URISyntaxException {
        return Path.of(StreamedTopKTest.class.getResource("/onnx/stream/reference.json").toURI()).getParent();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void leadingValuesAndAlignmentsMatchNumpyWithEveryLayerReadAsPanels(JsonNode expected) throws Exception {
        String file = expected.get("file").asText();
        AnalysisOptions options = AnalysisOptions.builder().spectrum(SpectrumMode.TOP_K).topK(10).build();
        try (OnnxModel model = OnnxModelReader.open(folder().resolve(file))) {
            for (int i = 0; i < model.outline().layers().size(); i++) {
                assertTrue(model.hasPanels(i), file + ": layer " + model.outline().layers().get(i).name()
                        + " is read as panels");
            }
            AnalysisReport report = WeightAnalyzer.create(options).analyze(model);
            for (JsonNode layer : expected.get("layers")) {
                String name = layer.get("name").asText();
                LayerMetrics got = report.layers().stream().filter(l -> l.name().equals(name)).findFirst()
                        .orElseThrow(() -> new AssertionError(file + ": no layer " + name));
                assertEquals(layer.get("shape").get(0).asInt(), got.shape().get(0), name + " d_out");
                assertEquals(layer.get("shape").get(1).asInt(), got.shape().get(1), name + " d_in");
                JsonNode values = layer.get("singular_values");
                for (int j = 0; j < values.size(); j++) {
                    double want = values.get(j).asDouble();
                    double have = got.singularValues().get(j);
                    assertEquals(want, have, VALUE_TOL * want, file + " " + name + " sigma_" + (j + 1));
                }
                double frobenius = layer.get("frobenius").asDouble();
                assertEquals(frobenius, got.frobeniusNorm(), VALUE_TOL * frobenius, file + " " + name + " ||W||_F");
            }
            for (JsonNode pair : expected.get("pairs")) {
                String producer = pair.get("producer").asText();
                String consumer = pair.get("consumer").asText();
                PairMetrics got = report.pairs().stream()
                        .filter(p -> p.producerName().equals(producer) && p.consumerName().equals(consumer))
                        .findFirst().orElseThrow(() -> new AssertionError(file + ": no pair " + producer + " -> "
                                + consumer));
                assertEquals(pair.get("top_alignment").asDouble(), got.adjacentAlignment(), ALIGNMENT_TOL,
                        file + " " + producer + " -> " + consumer + " top alignment");
            }
        }
    }

    /**
     * A float16 layer whose float copy (168 MB) is larger than the whole heap of a JVM run with -Xmx128m: 2048 × 20480
     * stored (84 MB of external data written here, never committed) behind MatMul, so W = Sᵀ is 20480 × 2048. Its
     * spectrum is planted: S = Σ s_r a_r b_rᵀ/√(pq) with a_r, b_r Walsh sign patterns (orthogonal), s_r = 10 − 0.8 r,
     * so σ_r(W) = s_r up to the float16 rounding of the entries (‖E‖₂ ≈ 1e-3). Top-k mode reads it from the file and
     * gives every s_r, also when the layer is picked by {@code --layers}; before, the reader refused it as too large for
     * the heap.
     */
    @Test
    void aFloat16LayerLargerThanTheHeapIsAnalysedInTopKMode(@TempDir Path dir) throws Exception {
        int p = 2048;
        int q = 20480;
        int rank = 10;
        double[] s = new double[rank];
        int[] rowMasks = new int[rank];
        int[] columnMasks = new int[rank];
        for (int r = 0; r < rank; r++) {
            s[r] = 10 - 0.8 * r;
            rowMasks[r] = 2 * r + 1; // distinct non-zero masks below 2048 and 4096: orthogonal sign patterns
            columnMasks[r] = 3 * r + 5;
        }
        double norm = Math.sqrt((double) p * q);
        Path data = dir.resolve("big.data");
        try (FileChannel out = FileChannel.open(data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer row = ByteBuffer.allocate(2 * q).order(ByteOrder.LITTLE_ENDIAN);
            double[] c = new double[rank];
            for (int i = 0; i < p; i++) {
                for (int r = 0; r < rank; r++) {
                    c[r] = s[r] * sign(i & rowMasks[r]) / norm;
                }
                row.clear();
                for (int j = 0; j < q; j++) {
                    double v = 0;
                    for (int r = 0; r < rank; r++) {
                        v += c[r] * sign(j & columnMasks[r]);
                    }
                    row.putShort(float16((float) v));
                }
                row.flip();
                while (row.hasRemaining()) {
                    out.write(row);
                }
            }
        }
        Path f = write(dir.resolve("big.onnx"), model(matMul(externalFloat16Tensor("W", p, q, "big.data"))));
        SmallHeapCli.Result r = SmallHeapCli.run("128m", 60, "analyze", f.toString(), "--spectrum", "top-k",
                "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode layer = new ObjectMapper().readTree(r.out()).path("layers").get(0);
        assertEquals(q, layer.path("shape").get(0).asInt());
        assertEquals(p, layer.path("shape").get(1).asInt());
        JsonNode values = layer.path("singular_values");
        assertEquals(rank, values.size());
        for (int j = 0; j < rank; j++) {
            assertEquals(s[j], values.get(j).asDouble(), 1e-2, "sigma_" + (j + 1));
        }
        // a selection (--layers) reads the selected layers as panels too, not onto the heap
        SmallHeapCli.Result selected = SmallHeapCli.run("128m", 60, "analyze", f.toString(), "--spectrum", "top-k",
                "--format", "json", "--layers", "^W$");
        assertEquals(0, selected.code(), selected.err());
        assertEquals(values, new ObjectMapper().readTree(selected.out()).path("layers").get(0).path("singular_values"));
    }

    /**
     * A NaN in a float16 weight read as panels is refused as a loaded weight's is: one line naming the file, the
     * tensor and the element (row 70, column 33 of a 96 × 120 stored matrix: element 8433).
     */
    @Test
    void aNanInAStreamedLayerNamesTheTensorAndElement(@TempDir Path dir) throws Exception {
        int p = 96;
        int q = 120;
        ByteBuffer raw = ByteBuffer.allocate(2 * p * q).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom random = new SplittableRandom(7);
        for (int e = 0; e < p * q; e++) {
            raw.putShort(e == 70 * q + 33 ? (short) 0x7e00 : float16((float) (random.nextDouble() - 0.5)));
        }
        TensorProto w = TensorProto.newBuilder().setName("dense.weight").setDataType(TensorPayload.FLOAT16)
                .addAllDims(box(new long[] {p, q})).setRawData(ByteString.copyFrom(raw.array())).build();
        Path f = write(dir.resolve("nan16.onnx"), model(matMul(w)));
        AnalysisOptions options = AnalysisOptions.builder().spectrum(SpectrumMode.TOP_K).topK(10).build();
        try (OnnxModel model = OnnxModelReader.open(f)) {
            assertTrue(model.hasPanels(0));
            InvalidModelException e = assertThrows(InvalidModelException.class,
                    () -> WeightAnalyzer.create(options).analyze(model));
            assertEquals(f + ": tensor 'dense.weight' holds NaN (element 8433)", e.getMessage());
        }
    }

    /**
     * A NaN in float16 external data read by positional reads of whole rows (a tall stored matrix's panels, a wide
     * one's bands) is refused as one read through the mapping is: one line naming the file, the tensor and the element.
     */
    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"300, 120", "96, 400"})
    void aNanInExternalDataNamesTheTensorAndElement(int p, int q, @TempDir Path dir) throws Exception {
        int bad = 70 * q + 33;
        Path f = externalFloat16(dir, p, q, bad);
        AnalysisOptions options = AnalysisOptions.builder().spectrum(SpectrumMode.TOP_K).topK(10).build();
        try (OnnxModel model = OnnxModelReader.open(f)) {
            assertTrue(model.hasPanels(0));
            InvalidModelException e = assertThrows(InvalidModelException.class,
                    () -> WeightAnalyzer.create(options).analyze(model));
            assertEquals(f + ": tensor 'dense.weight' holds NaN (element " + bad + ")", e.getMessage());
        }
    }

    /**
     * External data that shrinks after the model was opened (another process truncating the file) ends the analysis
     * with one line naming the tensor and the file, not a crash of the virtual machine (a mapping read past the end
     * of its file faults).
     */
    @Test
    void externalDataTruncatedWhileOpenIsReportedInOneLine(@TempDir Path dir) throws Exception {
        int p = 300;
        int q = 120;
        Path f = externalFloat16(dir, p, q, -1);
        AnalysisOptions options = AnalysisOptions.builder().spectrum(SpectrumMode.TOP_K).topK(10).build();
        try (OnnxModel model = OnnxModelReader.open(f)) {
            assertTrue(model.hasPanels(0));
            try (FileChannel data = FileChannel.open(dir.resolve("w.data"), StandardOpenOption.WRITE)) {
                data.truncate(2L * q * 10);
            }
            InvalidModelException e = assertThrows(InvalidModelException.class,
                    () -> WeightAnalyzer.create(options).analyze(model));
            assertEquals(f + ": external data of tensor 'dense.weight' ends early in 'w.data' (2400 bytes, the tensor"
                    + " needs 72000; the file changed after the model was opened)", e.getMessage());
        }
    }

    /** A MatMul whose p × q float16 weight 'dense.weight' is in external data w.data, element {@code nan} a NaN. */
    private static Path externalFloat16(Path dir, int p, int q, int nan) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(2 * p * q).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom random = new SplittableRandom(11);
        for (int e = 0; e < p * q; e++) {
            raw.putShort(e == nan ? (short) 0x7e00 : float16((float) (random.nextDouble() - 0.5)));
        }
        raw.flip();
        try (FileChannel out = FileChannel.open(dir.resolve("w.data"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            while (raw.hasRemaining()) {
                out.write(raw);
            }
        }
        return write(dir.resolve("w.onnx"), model(matMul(externalFloat16Tensor("dense.weight", p, q, "w.data"))));
    }

    /** A p × q float16 tensor whose values are the whole of external data file {@code location}. */
    private static TensorProto externalFloat16Tensor(String name, int p, int q, String location) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorPayload.FLOAT16)
                .addAllDims(box(new long[] {p, q})).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location)).addExternalData(entry("offset", "0"))
                .addExternalData(entry("length", Long.toString(2L * p * q))).build();
    }

    /** (−1)^popcount(bits). */
    private static double sign(int bits) {
        return Integer.bitCount(bits) % 2 == 0 ? 1 : -1;
    }

    /** The float16 bits nearest to a float of float16's normal or subnormal range (no infinities needed here). */
    private static short float16(float v) {
        int sign = v < 0 ? 0x8000 : 0;
        float a = Math.abs(v);
        if (a < 0x1p-14f) {
            return (short) (sign | Math.round(a * 0x1p24f));
        }
        int e = Math.getExponent(a);
        int m = Math.round(a * (float) Math.pow(2, 10 - e)) - 1024;
        if (m == 1024) {
            m = 0;
            e++;
        }
        return (short) (sign | ((e + 15) << 10) | m);
    }
}
