package dev.invariance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code analyze MODEL.onnx --spectrum full|top-k} on the PyTorch-exported convolution fixture (3×3 conv, pointwise
 * conv, grouped 3×3 conv, Flatten, Linear): the JSON names the mode, every edge is listed, and the edges whose
 * vectors live in different spaces carry their reason.
 */
class AnalyzeSpectrumOptionTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = InvarianceCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    private static String model() throws Exception {
        return Path.of(AnalyzeSpectrumOptionTest.class.getResource("/onnx/torch_conv.onnx").toURI()).toString();
    }

    @Test
    void bothModesNameThemselvesAndExplainTheEdgesWithoutMetrics() throws Exception {
        for (String mode : new String[] {"full", "top-k"}) {
            // --top-k 2: the 4 x 27 kernel c1 then has only two of its four singular values in top-k mode
            String[] r = run("analyze", model(), "--format", "json", "--spectrum", mode, "--top-k", "2");
            assertEquals("0", r[0], r[2]);
            JsonNode root = new ObjectMapper().readTree(r[1]);
            assertEquals(mode, root.get("spectrum").asText());
            JsonNode edges = root.get("edges");
            assertEquals(3, edges.size());
            assertTrue(edges.get(0).get("metrics").asBoolean());
            assertEquals("columns of c3.weight (3x3 convolution, groups=2) are input patches, not the output units of "
                    + "c2.weight", edges.get(1).get("reason").asText());
            assertEquals("d_out(c3.weight)=6 but d_in(fc.weight)=24 (through Flatten)",
                    edges.get(2).get("reason").asText());
            assertEquals(1, root.get("alignment").size());
            assertEquals("[\"Relu\"]", root.get("alignment").get(0).get("ops").toString());
            JsonNode c1 = root.get("layers").get(0);
            assertEquals("[3,3]", c1.get("convolution").get("kernel_shape").toString());
            boolean full = mode.equals("full");
            assertEquals(full, c1.get("effective_rank").isNumber(), mode);
            assertEquals(full, root.get("alignment").get(0).get("commutator_alignment").isNumber(), mode);
            assertTrue(root.get("alignment").get(0).get("top_alignment").isNumber());
        }
    }

    /** The ONNX Runtime fixture mlp_bias (6 -> 8 -> 8 -> 3, ReLU) and its data, run in top-k mode with k = 2. */
    private static String[] topKWithData(String format) throws Exception {
        Path dir = Path.of(AnalyzeSpectrumOptionTest.class.getResource("/fixtures/ort/mlp_bias.onnx").toURI()).getParent();
        return run("analyze", dir.resolve("mlp_bias.onnx").toString(), "--data", dir.resolve("mlp_bias.csv").toString(),
                "--label", "label", "--spectrum", "top-k", "--top-k", "1", "--format", format);
    }

    @Test
    void topKFiguresNotComputedAreDashesWithALegendInTheTable() throws Exception {
        String[] r = topKWithData("table");
        assertEquals("0", r[0], r[2]);
        String table = r[1];
        String layers = table.substring(0, table.indexOf("Data:"));
        assertFalse(layers.contains("NaN"), layers);
        assertFalse(layers.matches("(?s).*\\s-1\\s.*"), layers);
        String first = layers.lines().filter(l -> l.startsWith("layers.0.weight ")).findFirst().orElseThrow();
        assertEquals(2, first.chars().filter(c -> c == '–').count(), first); // effective rank, numerical rank
        String pair = layers.lines().filter(l -> l.startsWith("layers.0.weight -> ")).findFirst().orElseThrow();
        assertEquals(3, pair.chars().filter(c -> c == '–').count(), pair); // weighted, 1 - c, balance
        assertEquals(1, layers.lines().filter(l -> l.startsWith("– not computed")).count(), layers);

        String[] full = run("analyze", model(), "--spectrum", "full");
        assertEquals("0", full[0], full[2]);
        assertFalse(full[1].contains("–"), full[1]);
        assertFalse(full[1].contains("not computed"), full[1]);
    }

    @Test
    void topKFiguresNotComputedAreNullInJsonAlsoOnStableSubmatrices() throws Exception {
        String[] r = topKWithData("json");
        assertEquals("0", r[0], r[2]);
        JsonNode root = new ObjectMapper().readTree(r[1]);
        JsonNode layer = root.get("layers").get(0);
        assertTrue(layer.get("numerical_rank").isNull() && layer.get("effective_rank").isNull(), layer.toString());
        // S_0 = 3 stably active units of 6 inputs: a 3 x 6 submatrix of which top-k computes 2 singular values
        JsonNode stable = root.get("stable_submatrix").get("layers").get(0);
        assertEquals(3, stable.get("rows").asInt());
        JsonNode m = stable.get("metrics");
        assertTrue(m.get("numerical_rank").isNull(), "not computed, not -1: " + m);
        assertTrue(m.get("effective_rank").isNull(), m.toString());
        assertTrue(m.get("spectral_norm").isNumber(), m.toString());
        assertFalse(m.path("complete_spectrum").asBoolean(true), m.toString());
        assertFalse(layer.path("complete_spectrum").asBoolean(true), layer.toString());
        JsonNode pair = root.get("alignment").get(0);
        assertTrue(pair.get("balancedness").isNull() && pair.get("matched_is_permutation").isNull(), pair.toString());
    }

    @Test
    void anUnknownModeIsOneLineAndExitCodeTwo() throws Exception {
        String[] r = run("analyze", model(), "--spectrum", "partial");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--spectrum: unknown spectrum mode 'partial' (expected full or top-k)"), r[2]);
        assertFalse(r[2].contains("\tat "), r[2]);
        assertTrue(r[1].isEmpty(), r[1]);
    }
}
