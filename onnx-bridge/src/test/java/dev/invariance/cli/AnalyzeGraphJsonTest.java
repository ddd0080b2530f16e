package dev.invariance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.cli.CliRun.Result;
import org.junit.jupiter.api.Test;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The JSON names the graph's inputs and outputs and the edges that touch them, with every edge's unit mapping. */
class AnalyzeGraphJsonTest {
    private static final String BRANCHES = "src/test/resources/fixtures/ort/branches.onnx";

    @Test
    void twoBranchesReadTheInputAndReachTheHeadAtTheirOffsets() throws Exception {
        Result r = invariance("analyze", BRANCHES, "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        JsonNode graph = json.get("graph");
        assertEquals("input", graph.at("/inputs/0/name").asText());
        assertEquals(4, graph.at("/inputs/0/width").asInt());
        int fromInput = 0;
        for (JsonNode e : graph.get("boundary_edges")) {
            if (e.get("from_kind").asText().equals("input")) {
                fromInput++;
                assertEquals("layer", e.get("to_kind").asText());
                assertEquals("identity", e.at("/units/kind").asText());
            }
        }
        assertEquals(2, fromInput, "both branches read the input");
        JsonNode second = json.at("/edges/1");
        assertEquals("window", second.at("/units/kind").asText());
        assertEquals(3, second.at("/units/consumer_start").asInt(), "the second branch's units follow the first's 3");
        assertEquals(2, second.at("/units/length").asInt());
    }
}
