package dev.invariance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --layers PATTERN} on analyze and report: only the layers whose name or module path matches are analysed,
 * with the edges between them only; a pattern that is invalid, selects nothing or comes with {@code --data} is one
 * line, exit 2.
 */
class LayersOptionTest {
    private static final String RESIDUAL = "src/test/resources/onnx/torch_residual.onnx";
    private static final String ATTENTION = "src/test/resources/onnx/torch_attention.onnx";

    @TempDir
    Path dir;

    private static JsonNode json(String... args) throws Exception {
        CliRun.Result r = CliRun.invariance(args);
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    private static List<String> names(JsonNode array, String key) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(key).asText()));
        return out;
    }

    private static void assertOneLineBadInput(CliRun.Result r, String expected) {
        assertEquals(InvarianceCommand.BAD_INPUT, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals("", r.out());
    }

    @Test
    void onAResidualGraphOnlyTheEdgesBetweenSelectedLayersAreKept() throws Exception {
        // fc1 -> fc2 -> (+) -> fc3 with fc1's output added back: fc1 -> fc3 is the residual edge
        JsonNode all = json("analyze", RESIDUAL, "--format", "json");
        assertEquals(List.of("fc1.weight->fc2.weight", "fc1.weight->fc3.weight", "fc2.weight->fc3.weight"),
                edges(all));
        JsonNode some = json("analyze", RESIDUAL, "--format", "json", "--layers", "fc[13]");
        assertEquals("fc[13]", some.path("model").path("layer_pattern").asText());
        assertEquals(List.of("fc1.weight", "fc3.weight"), names(some.path("layers"), "name"));
        assertEquals(List.of("fc1.weight->fc3.weight"), edges(some));
        JsonNode edge = some.path("edges").get(0);
        assertTrue(edge.path("via_residual").asBoolean());
        assertEquals(0, edge.path("from_index").asInt());
        assertEquals(1, edge.path("to_index").asInt());
        // the figures are those of the whole graph's analysis
        assertEquals(all.path("layers").get(2).path("singular_values"), some.path("layers").get(1).path("singular_values"));
        JsonNode whole = all.path("alignment").get(1);
        JsonNode selected = some.path("alignment").get(0);
        for (String key : List.of("top_alignment", "weighted_alignment", "commutator_alignment", "balancedness")) {
            assertEquals(whole.path(key), selected.path(key), key);
        }
        assertTrue(all.path("model").path("layer_pattern").isNull());
    }

    private static List<String> edges(JsonNode root) {
        List<String> out = new ArrayList<>();
        root.path("edges").forEach(e -> out.add(e.path("from").asText() + "->" + e.path("to").asText()));
        return out;
    }

    @Test
    void thePatternMatchesTheModulePathWhenTheNameSaysNothing() throws Exception {
        // the weights are onnx::MatMul_71…77; their module paths are q, k, v, o, fc1, fc2, head
        JsonNode some = json("analyze", ATTENTION, "--format", "json", "--layers", "^(fc2|head)$");
        assertEquals(List.of("fc2", "head"), names(some.path("layers"), "module"));
        assertEquals(List.of("onnx::MatMul_76->onnx::MatMul_77"), edges(some));
    }

    @Test
    void theTableSaysWhichLayersWereSelected() {
        CliRun.Result r = CliRun.invariance("analyze", RESIDUAL, "--layers", "fc2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Layers: those whose name or module path matches 'fc2'"), r.out());
        assertFalse(r.out().contains("fc1.weight"), r.out());
    }

    @Test
    void aPatternThatSelectsNothingIsOneLineNamingIt() {
        assertOneLineBadInput(CliRun.invariance("analyze", RESIDUAL, "--layers", "decoder"),
                "invariance analyze: error: --layers: layer pattern 'decoder' matches no layer name or module path");
        assertOneLineBadInput(CliRun.invariance("report", RESIDUAL, "--layers", "decoder", "--output",
                dir.resolve("r.html").toString()), "--layers: layer pattern 'decoder' matches no layer");
        assertFalse(Files.exists(dir.resolve("r.html")));
    }

    @Test
    void anInvalidPatternIsOneLineNamingIt() {
        assertOneLineBadInput(CliRun.invariance("analyze", RESIDUAL, "--layers", "fc[1"),
                "--layers: layer pattern 'fc[1' is not a valid regular expression");
        assertOneLineBadInput(CliRun.invariance("analyze", RESIDUAL, "--layers", "x".repeat(1001)),
                "longer than the 1000 accepted");
        assertOneLineBadInput(CliRun.invariance("report", RESIDUAL, "--layers", "(", "--output",
                dir.resolve("r.html").toString()), "--layers: layer pattern '(' is not a valid regular expression");
    }

    @Test
    void aSelectionDoesNotApplyWithData() {
        assertOneLineBadInput(CliRun.invariance("analyze", RESIDUAL, "--layers", "fc1", "--data", "x.csv", "--label",
                "y"), "--layers selects layers for the analysis of the weights alone");
    }

    @Test
    void theReportCoversTheSelectedLayers() throws Exception {
        Path html = dir.resolve("r.html");
        CliRun.Result r = CliRun.invariance("report", RESIDUAL, "--layers", "fc[13]", "--output", html.toString());
        assertEquals(0, r.code(), r.err());
        String page = Files.readString(html);
        assertTrue(page.contains("fc3.weight"), "selected layer in the report");
        assertFalse(page.contains("fc2.weight"), "unselected layer left out");
    }
}
