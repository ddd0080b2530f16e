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

    @Test
    void anUnknownModeIsOneLineAndExitCodeTwo() throws Exception {
        String[] r = run("analyze", model(), "--spectrum", "partial");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--spectrum: unknown spectrum mode 'partial' (expected full or top-k)"), r[2]);
        assertFalse(r[2].contains("\tat "), r[2]);
        assertTrue(r[1].isEmpty(), r[1]);
    }
}
