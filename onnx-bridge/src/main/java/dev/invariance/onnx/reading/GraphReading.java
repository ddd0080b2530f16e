package dev.invariance.onnx.reading;

import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.GraphEdge;
import dev.invariance.network.GraphPort;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What an indexed ONNX graph holds for the analysis, read in five steps, each its own class:
 * <ol>
 *   <li>the constants, folded through the operators that carry a weight ({@link ConstantFolding});</li>
 *   <li>the dense layers and their conversion to {@code W} (d_out × d_in, science.md 1.2) ({@link DenseLayerFinding});</li>
 *   <li>the {@code BatchNormalization} nodes that follow them, noted, and folded into them when asked
 *       ({@link BatchNormFolding});</li>
 *   <li>the data-flow edges between them, the graph's inputs and outputs ({@link EdgeFinding}), with a note where a
 *       product of two computed values ends paths, ending at the nodes that apply weights not read as layers
 *       ({@link UnreadWeights});</li>
 *   <li>the layers' activations: ReLU when a {@code Relu} reads the layer's output through shape-only nodes; every
 *       other activation is recorded on the edges' op lists and in a note ({@link ActivationFinding}).</li>
 * </ol>
 * The notes of every step, in this order, explain what was not read as a layer.
 */
final class GraphReading {
    final List<LayerPlan> layers = new ArrayList<>();
    final List<DataFlowEdge> edges = new ArrayList<>();
    final List<GraphEdge> boundaryEdges = new ArrayList<>();
    final List<GraphPort> inputs = new ArrayList<>();
    final List<GraphPort> outputs = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    /**
     * Reads {@code graph}.
     *
     * @param file         the model file's name for messages
     * @param externalData the model's external data, located and checked when it was opened
     * @param options      how to read it
     * @throws InvalidModelException when a weight, a constant or an operator on the way is invalid
     */
    GraphReading(String file, ExternalData externalData, GraphIndex graph, Set<OnnxReadOption> options) {
        ConstantFolding constants = new ConstantFolding(file, externalData);
        layers.addAll(new DenseLayerFinding(file, graph, constants, notes).layers);
        BatchNormFolding.apply(graph, constants, layers, options.contains(OnnxReadOption.FOLD_BATCH_NORMALIZATION),
                notes);
        UnreadWeights unread = new UnreadWeights(graph, layers, constants);
        notes.addAll(unread.notes);
        EdgeFinding found = new EdgeFinding(graph, layers, constants, unread);
        edges.addAll(found.edges);
        boundaryEdges.addAll(found.boundaryEdges);
        inputs.addAll(found.inputs);
        outputs.addAll(found.outputs);
        notes.addAll(found.endedPathNotes());
        ActivationFinding.find(graph, layers, notes);
        if (layers.isEmpty()) {
            notes.add("no dense layer (Gemm, MatMul or Einsum with a constant 2-D weight, Conv, ConvTranspose, LSTM,"
                    + " GRU, RNN, fused Attention) in the graph");
        }
    }
}
