package dev.invariance.onnx.reading;

import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.GraphEdge;
import dev.invariance.network.GraphNode;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.UnitMapping;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader gives the graph's inputs and outputs as nodes and says how units reach columns through Concat and
 * Split (fixtures from onnx-bridge/src/test/python/make_ort_fixtures.py, exported by PyTorch).
 */
class GraphShapeReadingTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/ort");

    @Test
    void bothBranchesReadTheInputAndTheConcatPlacesTheSecondAtAnOffset() {
        try (OnnxModel m = OnnxModelReader.open(FIXTURES.resolve("branches.onnx"))) {
            NetworkOutline o = m.outline();
            assertEquals(1, o.inputs().size());
            assertEquals(4, o.inputs().get(0).width());
            List<List<GraphEdge>> into = o.predecessorLists();
            assertEquals(new GraphNode.Input(0), into.get(0).get(0).from());
            assertEquals(new GraphNode.Input(0), into.get(1).get(0).from(), "the second branch reads the input too");
            List<DataFlowEdge> e = o.edges();
            assertEquals(2, e.size());
            assertEquals(new UnitMapping.Window(0, 0, 3), e.get(0).units());
            assertEquals(new UnitMapping.Window(0, 3, 2), e.get(1).units());
            assertTrue(e.get(1).ops().contains("Concat"));
            assertNull(m.readAll().residualLayers(), "two branches are no chain");
        }
    }

    @Test
    void aSplitGivesEachHeadAWindowOfTheTrunksUnits() {
        try (OnnxModel m = OnnxModelReader.open(FIXTURES.resolve("split_heads.onnx"))) {
            List<DataFlowEdge> e = m.outline().edges();
            assertEquals(2, e.size());
            assertEquals(new UnitMapping.Window(0, 0, 4), e.get(0).units());
            assertEquals(new UnitMapping.Window(4, 0, 2), e.get(1).units());
            assertEquals(2, m.outline().boundaryEdges().stream().filter(b -> b.to() instanceof GraphNode.Output).count(),
                    "both heads reach the output through the Add");
        }
    }
}
