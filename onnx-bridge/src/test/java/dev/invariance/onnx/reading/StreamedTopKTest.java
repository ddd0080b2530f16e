package dev.invariance.onnx.reading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.analysis.WeightAnalyzer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
