package dev.invariance.network;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The network as a data-flow graph: inputs, layers and outputs as nodes, chains as a special case. */
class NetworkGraphTest {

    private static DenseLayer layer(String name, int out, int in, Activation act) {
        return new DenseLayer(name, "Dense", WeightMatrix.fromRowMajor(out, in, new double[out * in]), null, act,
                ElementType.FLOAT64);
    }

    @Test
    void aChainRunsFromItsInputThroughEveryLayerToItsOutput() {
        NetworkDescription net = NetworkDescription.chain("c",
                List.of(layer("a", 3, 4, Activation.RELU), layer("b", 2, 3, Activation.LINEAR)));
        assertEquals(List.of(new GraphPort("input", 4)), net.inputs());
        assertEquals(List.of(new GraphPort("output", 2)), net.outputs());
        assertEquals(List.of(new GraphEdge(new GraphNode.Input(0), new GraphNode.Layer(0), List.of(), false,
                UnitMapping.identity())), net.predecessors(0));
        assertEquals(List.of(new GraphEdge(new GraphNode.Layer(0), new GraphNode.Layer(1), List.of("Relu"), false,
                UnitMapping.identity())), net.predecessors(1));
        assertEquals(List.of(new GraphEdge(new GraphNode.Layer(1), new GraphNode.Output(0), List.of(), false,
                UnitMapping.identity())), net.successors(1));
        assertTrue(net.isChain());
        assertEquals(List.of(false, false), net.residualLayers());
    }

    @Test
    void aResidualAdditionGivesTheConsumerTwoPredecessorsAndIsRecognisedAgain() {
        List<DenseLayer> layers = List.of(layer("a", 3, 4, Activation.RELU), layer("b", 3, 3, Activation.RELU),
                layer("c", 2, 3, Activation.LINEAR));
        NetworkDescription net = NetworkDescription.residualChain("r", layers, List.of(false, true, false));
        List<GraphEdge> into = net.predecessors(2);
        assertEquals(2, into.size());
        assertEquals(new GraphNode.Layer(0), into.get(0).from());
        assertTrue(into.get(0).viaResidual());
        assertEquals(List.of("Relu", "Add"), into.get(1).ops(), "the direct path also passes the addition");
        assertFalse(net.isChain(), "a residual addition is no plain chain");
        assertEquals(List.of(false, true, false), net.residualLayers());
        // the same layers and edges built as a general graph are recognised as that chain
        NetworkDescription copy = NetworkDescription.graph("r", layers, net.inputs(), net.outputs(), net.edges(),
                net.boundaryEdges());
        assertEquals(List.of(false, true, false), copy.residualLayers());
    }

    @Test
    void twoBranchesJoinedByAConcatAreNoChainAndEachReadsTheInput() {
        List<DenseLayer> layers = List.of(layer("a", 3, 4, Activation.RELU), layer("b", 2, 4, Activation.RELU),
                layer("head", 3, 5, Activation.LINEAR));
        GraphNode x = new GraphNode.Input(0);
        NetworkDescription net = NetworkDescription.graph("g", layers, List.of(new GraphPort("x", 4)),
                List.of(new GraphPort("y", 3)),
                List.of(new DataFlowEdge(0, 2, List.of("Relu", "Concat"), false, new UnitMapping.Window(0, 0, 3)),
                        new DataFlowEdge(1, 2, List.of("Relu", "Concat"), false, new UnitMapping.Window(0, 3, 2))),
                List.of(new GraphEdge(x, new GraphNode.Layer(0), List.of(), false, UnitMapping.identity()),
                        new GraphEdge(x, new GraphNode.Layer(1), List.of(), false, UnitMapping.identity()),
                        new GraphEdge(new GraphNode.Layer(2), new GraphNode.Output(0), List.of(), false,
                                UnitMapping.identity())));
        assertEquals(x, net.predecessors(1).get(0).from());
        assertEquals(2, net.predecessors(2).size());
        assertNull(net.residualLayers());
        assertFalse(net.isChain());
        assertEquals(List.of(3, 4), net.edges().get(1).units().columns(List.of(0, 1), 2, 5));
    }

    @Test
    void unitMappingsPlaceUnitsWhereTheirOperationsPutThem() {
        assertEquals(List.of(1, 2), new UnitMapping.Window(4, 0, 3).columns(List.of(0, 5, 6), 8, 3),
                "a Split's second part: units 4..6 are columns 0..2");
        assertEquals(List.of(1, 4, 7), new UnitMapping.Tiled(3).columns(List.of(1), 3, 9), "units fastest");
        assertEquals(List.of(3, 4, 5), new UnitMapping.Blocked(3).columns(List.of(1), 3, 9), "channel first");
        assertNull(new UnitMapping.NotUnitWise("through ReduceMean").columns(List.of(0), 3, 3));
        assertNull(new UnitMapping.Tiled(2).columns(List.of(0), 3, 9), "widths that do not fit give no columns");
    }

    @Test
    void edgesMustRunForwardBetweenExistingNodes() {
        assertThrows(IllegalArgumentException.class, () -> new GraphEdge(new GraphNode.Output(0), new GraphNode.Layer(0),
                List.of(), false, UnitMapping.identity()));
        List<DenseLayer> one = List.of(layer("a", 2, 2, Activation.LINEAR));
        assertThrows(IllegalArgumentException.class, () -> NetworkDescription.graph("g", one, List.of(), List.of(),
                List.of(), List.of(new GraphEdge(new GraphNode.Input(0), new GraphNode.Layer(0), List.of(), false,
                        UnitMapping.identity()))), "input 0 does not exist");
        assertThrows(IllegalArgumentException.class, () -> NetworkDescription.residualChain("r",
                List.of(layer("a", 3, 2, Activation.LINEAR)), List.of(true)), "a residual needs a square layer");
    }
}
