package dev.invariance.onnx.running;

import ai.onnx.proto.OnnxMl.GraphProto;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.evaluation.DataAnalysis;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.invariance.onnx.reading.OnnxModels.floatValue;
import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.node;
import static dev.invariance.onnx.reading.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A convolution's pre-activation {@code [N, C, H, W]} has its units, the C channels, on axis 1 (ONNX's layout): every
 * example and every position is one observation of them. On a 1x1 convolution of a one-channel 2x2 image the pattern
 * is known by hand: channel 0 ({@code +x}) is positive at every pixel of positive images, channel 1 ({@code -x}) at
 * none, channel 2 ({@code x - 1.5}) at some.
 */
class ConvolutionActivationTest {
    @TempDir
    Path dir;

    @Test
    void theChannelsOnAxisOneAreTheUnitsAndEveryPositionIsAnObservation() throws IOException {
        GraphProto g = GraphProto.newBuilder().setName("conv").addInput(floatValue("x", 1, 2, 2))
                .addOutput(floatValue("y", 3, 2, 2))
                .addInitializer(floats("W", new long[] {3, 1, 1, 1}, 1, -1, 1))
                .addInitializer(floats("B", new long[] {3}, 0, 0, -1.5f))
                .addNode(node("Conv", "conv", new String[] {"x", "W", "B"}, new String[] {"h"}))
                .addNode(node("Relu", "relu", new String[] {"h"}, new String[] {"y"})).build();
        Path file = write(dir.resolve("conv.onnx"), model(g));
        // pixel values in [1, 2]: x - 1.5 changes sign between pixels of one image, never across a whole image
        Path csv = Files.writeString(dir.resolve("images.csv"), "p0,p1,p2,p3,label\n1,2,1.25,1.75,a\n"
                + "2,1,1.5,1.5,b\n1.125,1.25,1.375,1.625,a\n");
        try (OnnxModel m = OnnxModelReader.open(file)) {
            OnnxDataEvaluation run = OnnxDataAnalyzer.create(WeightAnalyzer.create(),
                    OnnxDataOptions.defaults().withLabelEvaluation(false).withBatchSize(2))
                    .analyze(m, csv, "label", note -> { });
            DataAnalysis data = run.evaluation().getDataAnalysis();
            assertNotNull(data);
            LayerActivation a = data.activations().get(0);
            assertEquals(List.of(0), a.stablyActive());
            assertEquals(List.of(1), a.stablyDead());
            assertEquals(1, a.unstableCount());
            // 1.5 - 1.5 twice: exact zeros of channel 2 (and -x is never 0 here)
            assertEquals(1, a.tiedUnitCount());
            assertEquals(2, a.tieCount());
        }
    }
}
