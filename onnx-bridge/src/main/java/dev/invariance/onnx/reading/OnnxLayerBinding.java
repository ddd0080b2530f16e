package dev.invariance.onnx.reading;

import org.jspecify.annotations.Nullable;

/**
 * Where one dense layer of an imported network lives in the ONNX graph: what the ONNX Runtime probe needs to
 * observe its values (it adds these values as graph outputs of an in-memory copy of the model).
 *
 * @param layer           index of the layer in the network description
 * @param layerName       the layer's name (the weight tensor's name)
 * @param nodeName        the dense node's name (may be empty in the file; then a generated {@code op_index} name)
 * @param outputValue     the value holding the layer's output {@code h = W x + b}: the dense node's output, or the
 *                        output of the bias {@code Add} that follows a {@code MatMul}; for a part of a packed
 *                        weight (a recurrent gate, a fused attention's query, key or value), whose product is no
 *                        value of the graph, the node's first output
 * @param reluOutputValue the output of the {@code Relu} applied to {@code outputValue} (through shape-only ops),
 *                        or null when the layer is not ReLU-activated
 * @param subgraph        "" for the main graph, otherwise the subgraph path (values inside control-flow bodies
 *                        cannot be added as outputs of the main graph)
 */
public record OnnxLayerBinding(int layer, String layerName, String nodeName, String outputValue,
                               @Nullable String reluOutputValue, String subgraph) {
}
