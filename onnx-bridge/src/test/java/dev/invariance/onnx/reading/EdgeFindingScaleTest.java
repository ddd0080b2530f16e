package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.NetworkOutline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.value;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Edge finding on the graphs of issue 19 that used to take minutes: its residual test and its paths cost time in
 * proportion to the graph, not to its square (the bounds are generous; the figures are in the names).
 */
class EdgeFindingScaleTest {
    @TempDir
    Path dir;

    /** 30,000 residual blocks written {@code Add(fc(h), h)}: past 120 s in the ancestor search before. */
    @Test
    void thirtyThousandResidualBlocksWrittenSkipLastAreReadInBoundedTime() throws Exception {
        NetworkOutline o = read(residualBlocks(30_000), Duration.ofSeconds(60));
        assertEquals(30_000, o.layers().size());
        long residual = o.edges().stream().filter(DataFlowEdge::viaResidual).count();
        assertTrue(residual >= 29_998, "every block after the first two is reached across one addition: " + residual);
    }

    /** 6,000 {@code Gemm}s of the input summed by a chain of {@code Add}s: past 120 s before (3,000 took 30 s). */
    @Test
    void sixThousandGemmsSummedByAChainOfAddsAreReadInBoundedTime() throws Exception {
        NetworkOutline o = read(HostileModels.summedGemms(6_000), Duration.ofSeconds(60));
        assertEquals(6_000, o.layers().size());
        assertEquals(0, o.edges().size(), "no layer reads another");
        assertEquals(6_000, o.boundaryEdges().stream().filter(e -> e.to() instanceof dev.invariance.network.GraphNode.Output)
                .count(), "each reaches the output");
    }

    private NetworkOutline read(ModelProto m, Duration limit) throws Exception {
        Path file = write(dir.resolve("m.onnx"), m);
        return assertTimeoutPreemptively(limit, () -> {
            try (OnnxModel model = OnnxModelReader.open(file)) {
                return model.outline();
            }
        });
    }

    /** h_{i+1} = Add(Gemm(h_i, W_i), h_i), with the skip as the second operand. */
    private static ModelProto residualBlocks(int count) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("residual").addInput(value("h0"))
                .addOutput(value("h" + count));
        for (int i = 0; i < count; i++) {
            g.addInitializer(floats("W" + i, new long[] {2, 2}, 1, 0.5f, 0, 1));
            g.addNode(node("Gemm", "fc" + i, new String[] {"h" + i, "W" + i}, new String[] {"f" + i}));
            g.addNode(node("Add", "add" + i, new String[] {"f" + i, "h" + i}, new String[] {"h" + (i + 1)}));
        }
        return model(g.build());
    }
}
