package dev.invariance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzeCommandTest {
    @TempDir
    Path dir;

    private Path savedDeepLinearModel() throws Exception {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(40, 10, 0.0, 0));
        DeepNetModel model = DeepNetTrainer.builder().hidden(10, 10).initScale(0.1).learningRate(0.5).steps(5000)
                .build().train(data);
        Path file = dir.resolve("model.tribuo");
        model.serializeToFile(file);
        return file;
    }

    @Test
    void jsonOutputFollowsTheContract() throws Exception {
        Path model = savedDeepLinearModel();
        CliRun.Result r = invariance("analyze", model.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals(model.toString(), root.path("model").path("path").asText());
        assertTrue(root.path("model").has("provenance") && root.path("model").has("producer"));
        JsonNode layers = root.path("layers");
        assertEquals(3, layers.size());
        for (String key : List.of("name", "op", "shape", "spectral_norm", "frobenius_norm", "stable_rank", "rank1_ratio",
                "effective_rank", "numerical_rank", "singular_values")) {
            assertTrue(layers.get(0).has(key), "layer key " + key);
        }
        assertEquals(10, layers.get(0).path("shape").get(0).asInt());
        JsonNode sv = layers.get(0).path("singular_values");
        for (int i = 1; i < sv.size(); i++) {
            assertTrue(sv.get(i - 1).asDouble() >= sv.get(i).asDouble(), "descending");
        }
        JsonNode pairs = root.path("alignment");
        assertEquals(2, pairs.size());
        for (String key : List.of("from", "to", "top_alignment", "commutator_alignment")) {
            assertTrue(pairs.get(0).has(key), "alignment key " + key);
        }
        assertEquals("layer-0", pairs.get(0).path("from").asText());
        assertTrue(pairs.get(0).path("top_alignment").asDouble() > 0.99);
    }

    @Test
    void tableWithDataShowsTheSvmComparisonAndTheClassificationEvaluation() throws Exception {
        Path model = savedDeepLinearModel();
        StringBuilder csv = new StringBuilder(String.join(",", SeparableDataSource.featureNames(10)) + ",label\n");
        for (var e : new MutableDataset<>(new SeparableDataSource(40, 10, 0.0, 0))) {
            for (var f : e) {
                csv.append(f.getValue()).append(',');
            }
            csv.append(e.getOutput().getLabel()).append('\n');
        }
        Path data = dir.resolve("data.csv");
        Files.writeString(data, csv.toString());
        CliRun.Result r = invariance("analyze", model.toString(), "--data", data.toString(), "--label", "label");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("SVM cosine") && r.out().contains("Accuracy") && r.out().contains("layer-1 -> layer-2"), r.out());
    }

    @Test
    void unreadableModelsAreRefusedWithOneLine() throws Exception {
        CliRun.Result missing = invariance("analyze", dir.resolve("absent.tribuo").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
        Path junk = dir.resolve("junk.tribuo");
        Files.writeString(junk, "not a model");
        CliRun.Result bad = invariance("analyze", junk.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("not a Tribuo protobuf model"), bad.err());
        assertEquals(1, bad.err().strip().lines().count());
    }

    /** A model trained on columns a, b of a CSV, and that CSV's path. */
    private Path trainedOnAb() throws Exception {
        StringBuilder sb = new StringBuilder("a,b,label\n");
        java.util.Random rng = new java.util.Random(3);
        for (int i = 0; i < 30; i++) {
            double a = rng.nextGaussian();
            double b = rng.nextGaussian();
            sb.append(a).append(',').append(b).append(',').append(a - b > 0 ? "up" : "down").append('\n');
        }
        Files.writeString(dir.resolve("ab.csv"), sb.toString());
        CliRun.Result r = invariance("train", "--data", dir.resolve("ab.csv").toString(), "--label", "label",
                "--hidden", "2", "--steps", "50", "--output", dir.resolve("ab.onnx").toString(),
                "--tribuo-model", dir.resolve("ab.tribuo").toString());
        assertEquals(0, r.code(), r.err());
        return dir.resolve("ab.tribuo");
    }

    private void assertBad(String fragment, String... args) {
        CliRun.Result r = invariance(args);
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(fragment), r.err());
    }

    @Test
    void dataThatDoesNotFitTheModelIsRefusedWithFileLineAndColumn() throws Exception {
        Path model = trainedOnAb();
        Files.writeString(dir.resolve("missing.csv"), "a,label\n1,up\n-1,down\n");
        assertBad("missing.csv: line 1: missing column 'b' that the model needs", "analyze", model.toString(),
                "--data", dir.resolve("missing.csv").toString(), "--label", "label");
        Files.writeString(dir.resolve("martian.csv"), "a,b,label\n1,0,up\n-1,0,down\n0,1,martian\n");
        assertBad("martian.csv: line 4, column 'label' (3): unknown label 'martian' (the model's classes: down, up)",
                "analyze", model.toString(), "--data", dir.resolve("martian.csv").toString(), "--label", "label");
        Files.writeString(dir.resolve("extra.csv"), "a,b,c,label\n1,0,5,up\n-1,0,5,down\n");
        CliRun.Result r = invariance("analyze", model.toString(), "--data", dir.resolve("extra.csv").toString(),
                "--label", "label");
        assertEquals(0, r.code(), r.err());
        assertEquals("invariance analyze: warning: " + dir.resolve("extra.csv") + ": ignoring column 'c' that the model does not use",
                r.err().strip());
    }

    @Test
    void foldersEmptyModelsAndRaggedRowsGetPlainWords() throws Exception {
        assertBad("is a folder, expected a model file", "analyze", dir.toString());
        Files.writeString(dir.resolve("empty.tribuo"), "");
        assertBad("empty.tribuo: empty file, not a Tribuo model", "analyze", dir.resolve("empty.tribuo").toString());
        Path model = trainedOnAb();
        Files.writeString(dir.resolve("ragged.csv"), "a,b,label\n1,0,up\n-1,down\n");
        assertBad("ragged.csv: line 3: 2 cells, the header has 3",
                "analyze", model.toString(), "--data", dir.resolve("ragged.csv").toString(), "--label", "label");
    }
}
