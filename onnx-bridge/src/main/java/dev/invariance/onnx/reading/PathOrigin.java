package dev.invariance.onnx.reading;

import dev.invariance.network.GraphNode;

/**
 * Where a data-flow path starts: a graph input or a dense layer's output.
 *
 * @param node         the graph input or the layer
 * @param width        the layer's d_out, or −1 for a graph input (its width is read off the value when needed)
 * @param channelFirst whether the units lie on axis 1 ({@code [N, C, …]}, a convolution's output) rather than on the
 *                     last axis
 */
record PathOrigin(GraphNode node, int width, boolean channelFirst) {
}
