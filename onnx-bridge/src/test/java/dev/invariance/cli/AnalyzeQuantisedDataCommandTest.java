package dev.invariance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code invariance analyze QUANTISED.onnx --data FILE.csv --label COLUMN} on the quantised MLPs of
 * make_wild_fixtures.py (issue 20: on a dynamically quantised MLP it ended in an ArrayIndexOutOfBoundsException):
 * ONNX Runtime runs each layout, and its predictions are the classes numpy's dequantised weights give. (The two
 * quantised convolutions are left out: {@code --data} does not observe a convolution's channel-first activations,
 * quantised or not.)
 */
class AnalyzeQuantisedDataCommandTest {
    /**
     * The smallest gap between the two largest scores kept in the data: ONNX Runtime quantises the activations of the
     * dynamic and QOperator layouts per batch, which moves a score of these models on 40 Gaussian rows by at most
     * 0.027 (numpy's emulation of it, 200 batches), so a gap of 0.2 cannot close.
     */
    private static final double MARGIN = 0.2;
    private static final int ROWS = 40;

    @TempDir
    Path dir;

    private static JsonNode reference(String file) throws IOException, URISyntaxException {
        Path json = Path.of(AnalyzeQuantisedDataCommandTest.class.getResource("/onnx/wild/reference.json").toURI());
        for (JsonNode m : new ObjectMapper().readTree(json.toFile()).get("models")) {
            if (m.get("file").asText().equals(file)) {
                return m;
            }
        }
        throw new AssertionError(file);
    }

    private static Path model(String file) throws URISyntaxException {
        return Path.of(AnalyzeQuantisedDataCommandTest.class.getResource("/onnx/wild/" + file).toURI());
    }

    /** numpy's forward pass of the chain of layers: h = W x + b, then ReLU where the layer has one. */
    private static double[] forward(JsonNode layers, double[] x) {
        double[] h = x;
        for (JsonNode l : layers) {
            JsonNode w = l.get("weights");
            double[] out = new double[w.size()];
            for (int i = 0; i < out.length; i++) {
                double s = l.get("bias").isNull() ? 0 : l.get("bias").get(i).asDouble();
                for (int j = 0; j < h.length; j++) {
                    s += w.get(i).get(j).asDouble() * h[j];
                }
                out[i] = l.get("activation").asText().equals("relu") ? Math.max(0, s) : s;
            }
            h = out;
        }
        return h;
    }

    /**
     * Gaussian inputs of the model's width, each labelled {@code cK} with K the column of its largest score under
     * numpy's weights, kept when that score leads the next by at least {@link #MARGIN}: {@link #ROWS} rows. (Not every
     * class need occur: the classes are named on the command line.)
     */
    private Path labelledByTheReference(JsonNode layers) throws IOException {
        int width = layers.get(0).get("shape").get(1).asInt();
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < width; j++) {
            csv.append('f').append(j).append(',');
        }
        csv.append("label\n");
        Random rng = new Random(20);
        int kept = 0;
        while (kept < ROWS) {
            double[] x = new double[width];
            StringBuilder row = new StringBuilder();
            for (int j = 0; j < width; j++) {
                String v = String.format(Locale.ROOT, "%.6f", rng.nextGaussian());
                x[j] = Double.parseDouble(v);
                row.append(v).append(',');
            }
            double[] y = forward(layers, x);
            int best = 0;
            for (int k = 1; k < y.length; k++) {
                best = y[k] > y[best] ? k : best;
            }
            double second = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < y.length; k++) {
                second = k == best ? second : Math.max(second, y[k]);
            }
            if (y[best] - second >= MARGIN) {
                csv.append(row).append('c').append(best).append('\n');
                kept++;
            }
        }
        return Files.writeString(dir.resolve("data.csv"), csv.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"quant_dynamic.onnx", "quant_qdq.onnx", "quant_qoperator.onnx", "quant_matmulnbits.onnx",
            "quant_cast_mul.onnx", "quant_dq_blocked.onnx", "quant_dq_blocked_int4.onnx",
            "quant_matmulnbits_blocks.onnx"})
    void onnxRuntimeRunsTheQuantisedModelAndPredictsNumpysClasses(String file) throws Exception {
        JsonNode layers = reference(file).get("layers");
        Path csv = labelledByTheReference(layers);
        List<String> classes = new ArrayList<>();
        for (int k = 0; k < layers.get(layers.size() - 1).get("shape").get(0).asInt(); k++) {
            classes.add("c" + k);
        }
        CliRun.Result r = invariance("analyze", model(file).toString(), "--data", csv.toString(), "--label", "label",
                "--classes", String.join(",", classes), "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals(ROWS, root.path("execution").path("examples").asInt(), r.out());
        assertEquals(1.0, root.path("classification").path("accuracy").asDouble(), r.out());
        JsonNode acts = root.path("activations");
        assertEquals(1, acts.size(), "the one ReLU layer: " + acts);
        JsonNode first = layers.get(0);
        assertEquals(first.get("name").asText(), acts.get(0).path("layer").asText());
        assertEquals(first.get("shape").get(0).asInt(), acts.get(0).path("stably_active").asInt()
                + acts.get(0).path("stably_dead").asInt() + acts.get(0).path("unstable").asInt(), acts.toString());
    }

    @Test
    void aModelWithoutDenseLayersRunsOverTheData() throws Exception {
        Path csv = Files.writeString(dir.resolve("three.csv"), "a,b,c,label\n1,2,3,x\n-1,0,2,y\n0.5,-2,1,z\n");
        Path model = Path.of(AnalyzeQuantisedDataCommandTest.class.getResource("/onnx/helper_no_dense.onnx").toURI());
        CliRun.Result r = invariance("analyze", model.toString(), "--data", csv.toString(), "--label", "label");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("internal error"), r.err());
        assertTrue(r.out().contains("SVM comparison: the model has no dense layer"), r.out());
        assertTrue(r.out().contains("3 examples"), r.out());
    }
}
