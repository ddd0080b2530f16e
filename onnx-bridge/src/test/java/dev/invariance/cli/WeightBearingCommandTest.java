package dev.invariance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code analyze} on models whose weight-bearing operators are read as layers (LSTM/GRU/RNN gates, a fused
 * attention's parts, Einsum products) or end the paths (an unknown operator): the JSON validates against
 * docs/analysis.schema.json with the reference's layers and notes, and with {@code --data} ONNX Runtime still runs
 * them while the probe observes the new layers' values (an Einsum's ReLU units, counted as numpy's reference W gives
 * them) without asking for values that do not exist.
 */
class WeightBearingCommandTest {
    private static final Path WILD = Path.of("src/test/resources/onnx/wild");
    private static final Path SCHEMA = Path.of("../docs/analysis.schema.json");
    private static final List<String> FILES = List.of("recurrent_lstm.onnx", "recurrent_gru.onnx",
            "recurrent_rnn.onnx", "attention_fused.onnx", "einsum_2d.onnx", "einsum_3d.onnx", "custom_op.onnx");
    /** Rows whose pre-activations all lie this far from 0, so float32 and float64 agree on every sign. */
    private static final double MARGIN = 1e-3;

    @TempDir
    Path dir;

    private static Schema schema() throws IOException {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(SCHEMA), InputFormat.JSON);
    }

    @Test
    void theJsonValidatesWithTheReferencesLayersAndNotes() throws IOException {
        Schema schema = schema();
        for (String file : FILES) {
            CliRun.Result r = invariance("analyze", WILD.resolve(file).toString(), "--format", "json");
            assertEquals(0, r.code(), file + ": " + r.err());
            assertEquals(List.of(), schema.validate(r.out(), InputFormat.JSON), file);
            JsonNode root = new ObjectMapper().readTree(r.out());
            JsonNode ref = model(file);
            List<String> expected = new ArrayList<>();
            ref.get("layers").forEach(l -> expected.add(l.get("name").asText()));
            List<String> actual = new ArrayList<>();
            root.get("layers").forEach(l -> actual.add(l.get("name").asText()));
            assertEquals(expected, actual, file);
            String notes = root.get("model").get("notes").toString();
            ref.get("notes").forEach(n -> assertTrue(notes.contains(n.asText()), file + ": " + notes));
        }
    }

    @Test
    void anEinsumLayersReluUnitsAreCountedAsTheReferenceWeightsGiveThem() throws IOException {
        JsonNode enc = layer("einsum_2d.onnx", "enc.weight");
        int units = enc.get("weights").size();
        int columns = enc.get("weights").get(0).size();
        Random rng = new Random(20);
        StringBuilder csv = new StringBuilder();
        for (int c = 0; c < columns; c++) {
            csv.append('f').append(c).append(',');
        }
        csv.append("label\n");
        boolean[] everActive = new boolean[units];
        boolean[] everDead = new boolean[units];
        int rows = 0;
        while (rows < 40) {
            double[] x = new double[columns];
            StringBuilder row = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                x[c] = Double.parseDouble(String.format(Locale.ROOT, "%.4f", rng.nextDouble()));
                row.append(String.format(Locale.ROOT, "%.4f,", x[c]));
            }
            double[] h = new double[units];
            boolean clear = true;
            for (int u = 0; u < units; u++) {
                for (int c = 0; c < columns; c++) {
                    h[u] += enc.get("weights").get(u).get(c).asDouble() * x[c];
                }
                clear &= Math.abs(h[u]) > MARGIN;
            }
            if (!clear) {
                continue;
            }
            for (int u = 0; u < units; u++) {
                everActive[u] |= h[u] > 0;
                everDead[u] |= h[u] < 0;
            }
            csv.append(row).append(rows % 4).append('\n');
            rows++;
        }
        int active = 0;
        int dead = 0;
        for (int u = 0; u < units; u++) {
            active += everActive[u] && !everDead[u] ? 1 : 0;
            dead += everDead[u] && !everActive[u] ? 1 : 0;
        }
        Path data = Files.writeString(dir.resolve("einsum.csv"), csv.toString());
        CliRun.Result r = invariance("analyze", WILD.resolve("einsum_2d.onnx").toString(), "--data", data.toString(),
                "--label", "label", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(), schema().validate(r.out(), InputFormat.JSON));
        JsonNode acts = new ObjectMapper().readTree(r.out()).get("activations");
        assertEquals(1, acts.size(), acts.toString());
        JsonNode a = acts.get(0);
        assertEquals("enc.weight", a.get("layer").asText());
        assertEquals(active, a.get("stably_active").asInt(), a.toString());
        assertEquals(dead, a.get("stably_dead").asInt(), a.toString());
        assertEquals(units - active - dead, a.get("unstable").asInt(), a.toString());
        assertTrue(active + dead > 0, "inputs in [0, 1] leave some unit on or off throughout: " + a);
    }

    @Test
    void anEinsumAppliedAtEveryPositionRunsWithDataAndEndsAtTheWeighting() throws IOException {
        StringBuilder csv = new StringBuilder();
        for (int c = 0; c < 18; c++) {
            csv.append('f').append(c).append(',');
        }
        csv.append("label\n");
        Random rng = new Random(21);
        for (int row = 0; row < 12; row++) {
            for (int c = 0; c < 18; c++) {
                csv.append(String.format(Locale.ROOT, "%.4f,", rng.nextGaussian()));
            }
            csv.append(row % 2).append('\n');
        }
        Path data = Files.writeString(dir.resolve("einsum3d.csv"), csv.toString());
        CliRun.Result r = invariance("analyze", WILD.resolve("einsum_3d.onnx").toString(), "--data", data.toString(),
                "--label", "label", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(), schema().validate(r.out(), InputFormat.JSON));
        JsonNode root = new ObjectMapper().readTree(r.out());
        JsonNode a = root.get("activations").get(0);
        assertEquals("tok.weight", a.get("layer").asText());
        assertEquals(4, a.get("stably_active").asInt() + a.get("stably_dead").asInt() + a.get("unstable").asInt());
        assertEquals(0, root.get("edges").size(), "the weighting Einsum ends the path to the head");
    }

    private static JsonNode model(String file) throws IOException {
        for (JsonNode m : new ObjectMapper().readTree(WILD.resolve("reference.json").toFile()).get("models")) {
            if (m.get("file").asText().equals(file)) {
                return m;
            }
        }
        throw new AssertionError(file);
    }

    private static JsonNode layer(String file, String name) throws IOException {
        for (JsonNode l : model(file).get("layers")) {
            if (l.get("name").asText().equals(name)) {
                return l;
            }
        }
        throw new AssertionError(file + " " + name);
    }
}
