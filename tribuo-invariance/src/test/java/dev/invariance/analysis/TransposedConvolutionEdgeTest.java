package dev.invariance.analysis;

import dev.invariance.network.Activation;
import dev.invariance.network.Convolution;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What an edge into or out of a {@code ConvTranspose} says (issue 20, figures). Its kernel {@code [in, out/g, k…]} is
 * read as W = {@code (out/g·k…) × in}: a column per input channel, the units the producer writes, so a single-group
 * one is paired like a dense layer; its rows are output channels at kernel positions, not the units a consumer
 * reads; with g groups the g column blocks are the groups' maps set side by side on shared rows.
 */
class TransposedConvolutionEdgeTest {
    private static final WeightMatrix CONV = GraphFixture.matrix(4, 18, 11);      // 3x3 Conv, 2 -> 4 channels
    private static final WeightMatrix TRANSPOSED = GraphFixture.matrix(12, 4, 12); // 2x2 ConvTranspose, 4 -> 3

    private static DenseLayer layer(String name, WeightMatrix w, Convolution c) {
        return new DenseLayer(name, c.transposed() ? "ConvTranspose" : "Conv", w, null, Activation.LINEAR,
                ElementType.FLOAT32, c, "");
    }

    private static DenseLayer dense(String name, WeightMatrix w) {
        return new DenseLayer(name, "Gemm", w, null, Activation.LINEAR, ElementType.FLOAT32);
    }

    private static EdgeReport edge(DenseLayer from, DenseLayer to) {
        return WeightAnalyzer.create().analyze(NetworkDescription.graph("g", List.of(from, to),
                List.of(DataFlowEdge.direct(0, 1)))).edges().get(0);
    }

    @Test
    void aConvolutionFeedingASingleGroupConvTransposeIsPairedThroughItsInputChannels() {
        EdgeReport e = edge(layer("conv", CONV, new Convolution(1, List.of(3, 3), false)),
                layer("up", TRANSPOSED, new Convolution(1, List.of(2, 2), true)));
        assertNull(e.reason(), e.reason());
        PairMetrics m = e.metrics();
        assertNotNull(m);
        // the same two matrices as plain dense layers: the columns of W_up are the 4 channels conv writes
        PairMetrics dense = WeightAnalyzer.create().analyzePair(dense("conv", CONV), dense("up", TRANSPOSED));
        assertEquals(dense.adjacentAlignment(), m.adjacentAlignment(), 1e-12);
        assertEquals(dense.commutatorScore(), m.commutatorScore(), 1e-12);
    }

    @Test
    void aGroupedConvTransposeOnEitherSideSaysItsGroupsShareRowsAndALargerKernelItsKernelPositions() {
        Convolution grouped = new Convolution(2, List.of(1), true);
        DenseLayer up = layer("up", GraphFixture.matrix(3, 6, 13), grouped); // 6 -> 6 channels, 2 groups, 1x1
        assertEquals("W of up (1 transposed convolution, groups=2) sets its 2 groups' maps side by side on shared rows,"
                + " so its singular vectors are not those of the map it applies",
                edge(dense("a", GraphFixture.matrix(6, 4, 14)), up).reason());
        assertEquals("W of up (1 transposed convolution, groups=2) sets its 2 groups' maps side by side on shared rows,"
                + " so its singular vectors are not those of the map it applies",
                edge(up, dense("b", GraphFixture.matrix(2, 3, 15))).reason());
        EdgeReport single = edge(layer("up", TRANSPOSED, new Convolution(1, List.of(2, 2), true)),
                dense("fc", GraphFixture.matrix(2, 12, 16)));
        assertEquals("rows of up (2x2 transposed convolution) mix output channels with kernel positions, so they are"
                + " not the units fc reads", single.reason());
    }
}
