package dev.invariance.analysis;

import dev.invariance.network.Activation;
import dev.invariance.network.Convolution;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * The data-flow graph of src/test/python/make_graph_reference.py: its weights are a formula (evaluated here exactly as
 * numpy does, then rounded to float32), so the fixture holds only numpy's figures.
 */
final class GraphFixture {
    static final String[] NAMES = {"in", "wide", "narrow", "sliced", "conv3x3", "pointwise"};
    static final int[][] SHAPES = {{40, 30}, {600, 40}, {50, 600}, {70, 30}, {8, 450}, {16, 50}};

    private GraphFixture() {
    }

    /** entry(i, j; seed) of the generator script, rounded to float32. */
    static WeightMatrix matrix(int rows, int cols, int seed) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            double a = Math.cos(0.1 * (i + seed));
            for (int j = 0; j < cols; j++) {
                long k = ((long) i * 7919 + (long) j * 104729 + (long) seed * 1299709 + (long) i * j * 31) % 1000;
                double base = k / 1000.0 - 0.5;
                double b = Math.sin(0.07 * (j + 1) + seed);
                v[i * cols + j] = (float) (base / Math.sqrt(cols) + 2.0 * a * b);
            }
        }
        return WeightMatrix.fromRowMajor(rows, cols, v);
    }

    static DenseLayer layer(int index) {
        Convolution conv = switch (index) {
            case 4 -> new Convolution(1, List.of(3, 3), false);
            case 5 -> new Convolution(1, List.of(1, 1), false);
            default -> null;
        };
        String op = conv != null ? "Conv" : "MatMul";
        String subgraph = index == 5 ? "If_0/then_branch" : "";
        return new DenseLayer(NAMES[index], op, matrix(SHAPES[index][0], SHAPES[index][1], index), null,
                index == 3 ? Activation.LINEAR : Activation.RELU, ElementType.FLOAT32, conv, subgraph);
    }

    static List<DataFlowEdge> edges() {
        return List.of(new DataFlowEdge(0, 1, List.of("Relu"), false), new DataFlowEdge(1, 2, List.of("Relu"), false),
                new DataFlowEdge(2, 3, List.of("Slice"), false), new DataFlowEdge(2, 4, List.of("Reshape"), false),
                new DataFlowEdge(2, 5, List.of("Relu", "Add"), true));
    }

    static NetworkDescription network() {
        List<DenseLayer> layers = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            layers.add(layer(i));
        }
        return NetworkDescription.graph("graph fixture", layers, edges());
    }
}
