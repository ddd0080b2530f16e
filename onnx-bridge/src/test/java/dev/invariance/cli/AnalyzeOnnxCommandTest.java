package dev.invariance.cli;

import dev.invariance.cli.CliRun.Result;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.network.NetworkProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code invariance analyze MODEL.onnx}: our own exports, external models, and untrusted files. */
class AnalyzeOnnxCommandTest {
    /** The export stores float64 weights as float32: figures agree to float32 rounding, well within 1e-4. */
    private static final double TOL = 1e-4;

    @TempDir
    Path dir;

    private Path separableCsv() throws IOException {
        return CliRun.hyperplaneCsv(dir.resolve("data.csv"), 7, new double[] {1.0, -2.0, 0.5, 0.3, 0.8}, 60);
    }

    @Test
    void ourOwnExportAnalysedAsOnnxGivesTheFiguresOfItsInMemoryAnalysis() throws IOException {
        Path onnx = dir.resolve("m.onnx");
        Path tribuo = dir.resolve("m.tribuo");
        // three equal-width hidden layers: two chained skips
        Result train = invariance("train", "--data", separableCsv().toString(), "--label", "label", "--hidden", "6,6,6",
                "--activation", "relu", "--skip", "--steps", "200", "--output", onnx.toString(),
                "--tribuo-model", tribuo.toString());
        assertEquals(0, train.code(), train.err());

        Result analyzed = invariance("analyze", onnx.toString(), "--format", "json");
        Path renamed = Files.copy(onnx, dir.resolve("m.model"));
        Result sniffed = invariance("analyze", renamed.toString(), "--format", "json");
        assertEquals(0, sniffed.code(), "an ONNX file is recognised by its content: " + sniffed.err());
        Result tribuoAgain = invariance("analyze", tribuo.toString(), "--format", "json");
        assertEquals(0, tribuoAgain.code(), "and a Tribuo model is not taken for ONNX: " + tribuoAgain.err());
        assertEquals(new ObjectMapper().readTree(sniffed.out()).get("layers"),
                new ObjectMapper().readTree(analyzed.out()).get("layers"));
        assertEquals(0, analyzed.code(), analyzed.err());
        JsonNode json = new ObjectMapper().readTree(analyzed.out());
        assertEquals("Tribuo", json.get("model").get("producer").asText());
        assertTrue(json.get("model").get("tribuo_provenance").asBoolean(), "our export carries its provenance");
        assertTrue(json.get("model").get("provenance").toString().contains("DeepNetTrainer"),
                "the model provenance is the trainer's");

        AnalysisReport memory = WeightAnalyzer.create().analyze(
                ((NetworkProvider) AnalyzeCommand.loadModel(tribuo)).getNetwork());
        JsonNode layers = json.get("layers");
        assertEquals(memory.layers().size(), layers.size());
        for (int i = 0; i < layers.size(); i++) {
            LayerMetrics m = memory.layers().get(i);
            JsonNode l = layers.get(i);
            assertEquals(m.name(), l.get("name").asText(), "the export's layer has the model's layer name");
            assertEquals(m.shape().toString(), l.get("shape").toString().replace(",", ", "));
            close(m.spectralNorm(), l.get("spectral_norm").asDouble(), m.name() + " spectral norm");
            close(m.frobeniusNorm(), l.get("frobenius_norm").asDouble(), m.name() + " Frobenius norm");
            close(m.stableRank(), l.get("stable_rank").asDouble(), m.name() + " stable rank");
            close(m.rank1Ratio(), l.get("rank1_ratio").asDouble(), m.name() + " rank-1 ratio");
            close(m.effectiveRank(), l.get("effective_rank").asDouble(), m.name() + " effective rank");
        }
        JsonNode pairs = json.get("alignment");
        assertEquals(memory.pairs().size(), pairs.size(), "one pair per edge, the skip's included");
        for (int i = 0; i < pairs.size(); i++) {
            PairMetrics m = memory.pairs().get(i);
            JsonNode p = pairs.get(i);
            assertEquals(m.producerName(), p.get("from").asText(), p.toString());
            assertEquals(m.consumerName(), p.get("to").asText(), p.toString());
            close(m.adjacentAlignment(), p.get("top_alignment").asDouble(), m.producerName() + " -> " + m.consumerName());
            close(m.commutatorAlignment(), p.get("commutator_alignment").asDouble(), m.producerName() + " -> " + m.consumerName());
        }
    }

    @Test
    void anExternalModelGetsAnExternalProvenanceAndItsModelBlock() throws Exception {
        Path model = fixture("torch_residual.onnx");
        Result r = invariance("analyze", model.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode m = new ObjectMapper().readTree(r.out()).get("model");
        assertEquals("pytorch", m.get("producer").asText());
        assertEquals(13, m.get("opset").asInt());
        assertTrue(m.get("ir_version").asInt() > 0);
        assertEquals(model.toString(), m.get("path").asText());
        assertTrue(m.get("provenance").toString().contains("ExternalTrainerProvenance"), m.toString());
    }

    @Test
    void aModelWithoutDenseLayersExitsZeroWithEmptyLayersAndANote() throws Exception {
        Result r = invariance("analyze", fixture("helper_no_dense.onnx").toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(0, json.get("layers").size());
        assertTrue(json.get("model").get("notes").get(0).asText().startsWith("no dense layer"));
        Result table = invariance("analyze", fixture("helper_no_dense.onnx").toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("note: no dense layer"), table.out());
    }

    @Test
    void untrustedFilesExitTwoWithOneLineAndNothingOnStdout() throws IOException {
        byte[] junk = new byte[256];
        Arrays.fill(junk, (byte) 0xfe);
        Path[] files = {
                Files.write(dir.resolve("empty.onnx"), new byte[0]),
                Files.writeString(dir.resolve("text.onnx"), "not a model\n"),
                Files.write(dir.resolve("junk.onnx"), junk),
                dir.resolve("absent.onnx"),
        };
        for (Path f : files) {
            assertRefused(f, f.toString());
        }
        // A payload that does not match its shape, NaN weights, escaping external data: the cases of
        // UntrustedModelTest, through the command line.
        Path nan = dev.invariance.onnx.reading.UntrustedModelFiles.nanWeights(dir);
        assertRefused(nan, "NaN");
        Path escape = dev.invariance.onnx.reading.UntrustedModelFiles.escapingExternalData(dir);
        assertRefused(escape, "escapes the model's folder");
    }

    private static void assertRefused(Path file, String fragment) {
        Result r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> invariance("analyze", file.toString(), "--format", "json"));
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("", r.out(), "nothing on stdout");
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(file.toString()) && err.contains(fragment), err);
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(AnalyzeOnnxCommandTest.class.getResource("/onnx/" + name).toURI());
    }

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, TOL * Math.max(1e-3, Math.abs(expected)), what);
    }
}
