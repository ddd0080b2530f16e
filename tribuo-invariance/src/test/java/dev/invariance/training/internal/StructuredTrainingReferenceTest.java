package dev.invariance.training.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.network.Activation;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.StepSchedule;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient descent on diagonal and circulant layers moves their parameters w or c exactly as PyTorch autograd does
 * through W = diag(w) or W[i][j] = c[(i − j) mod d] (float64, every step), and the dense W stays exactly structured
 * for every update rule and precision. Expected figures: {@code src/test/python/make_structured_reference.py}.
 */
class StructuredTrainingReferenceTest {

    /** Parameters of order one after five steps: a few hundred float64 ulps. */
    private static final double TOLERANCE = 1e-12;

    private static JsonNode fixture() throws IOException {
        try (InputStream in = StructuredTrainingReferenceTest.class.getResourceAsStream(
                "/fixtures/structured_reference.json")) {
            assertNotNull(in, "fixture missing");
            return new ObjectMapper().readTree(in);
        }
    }

    @TestFactory
    List<DynamicTest> parametersAfterEveryStepMatchPyTorch() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : fixture().get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> checkCase(c)));
        }
        return tests;
    }

    private static void checkCase(JsonNode c) {
        Case run = new Case(c);
        List<NetworkDescription> snapshots = run.train(OptimizerKind.GD, ElementType.FLOAT64);
        JsonNode expected = c.get("parameters");
        assertEquals(expected.size(), snapshots.size(), "one snapshot per step and the initial one");
        for (int step = 0; step < expected.size(); step++) {
            NetworkDescription net = snapshots.get(step);
            for (int layer = 0; layer < net.depth(); layer++) {
                double[] want = values(expected.get(step).get(layer));
                double[] got = run.parameters(net, layer);
                assertEquals(want.length, got.length);
                for (int p = 0; p < want.length; p++) {
                    assertEquals(want[p], got[p], TOLERANCE, "step " + step + ", layer " + layer + ", parameter " + p);
                }
            }
        }
    }

    @Test
    void everyUpdateRuleAndPrecisionKeepsTheLayersExactlyStructured() throws IOException {
        for (JsonNode c : fixture().get("cases")) {
            Case run = new Case(c);
            for (OptimizerKind optimizer : OptimizerKind.values()) {
                for (ElementType precision : List.of(ElementType.FLOAT64, ElementType.FLOAT32)) {
                    for (NetworkDescription net : run.train(optimizer, precision)) {
                        for (int layer = 0; layer < net.depth() - 1; layer++) {
                            double[] w = net.layer(layer).weights().toRowMajorArray();
                            assertTrue(StructureMap.holds(run.structure, w, run.d),
                                    c.get("name").asText() + " " + optimizer + " " + precision + " layer " + layer);
                        }
                    }
                }
            }
        }
    }

    @Test
    void float32TrainingFollowsTheFloat64Parameters() throws IOException {
        for (JsonNode c : fixture().get("cases")) {
            Case run = new Case(c);
            List<NetworkDescription> single = run.train(OptimizerKind.GD, ElementType.FLOAT32);
            JsonNode expected = c.get("parameters");
            NetworkDescription last = single.get(single.size() - 1);
            for (int layer = 0; layer < last.depth(); layer++) {
                double[] want = values(expected.get(expected.size() - 1).get(layer));
                double[] got = run.parameters(last, layer);
                for (int p = 0; p < want.length; p++) {
                    // float32 rounding (6e-8 relative) of order-one values, over five steps
                    assertEquals(want[p], got[p], 1e-5, c.get("name").asText() + " layer " + layer);
                }
            }
        }
    }

    @Test
    void initialWeightsThatAreNotStructuredAreRefused() throws IOException {
        Case run = new Case(fixture().get("cases").get(0));
        run.initial[0][1] = 0.25; // off the diagonal
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run.train(OptimizerKind.GD, ElementType.FLOAT64));
        assertEquals("layer-0 initial weights are not diagonal", e.getMessage());
    }

    @Test
    void hiddenWidthsOtherThanTheFeatureCountAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.of(4,
                List.of(4, 3), List.of(Activation.LINEAR), 1, false, false).withStructure(LayerStructure.CIRCULANT));
        assertEquals("structure circulant needs every hidden width to equal the number of features 4, got hidden"
                + " widths [4, 3]", e.getMessage());
    }

    @Test
    void circulantGradientIsTheSumAlongEachWrappedDiagonal() {
        // d = 3, G[i][j] = 10 i + j: dL/dc_k = sum over (i - j) mod 3 = k
        double[] g = {0, 1, 2, 10, 11, 12, 20, 21, 22};
        StructureMap.tieGradient(LayerStructure.CIRCULANT, g, 3, new double[3]);
        double c0 = 0 + 11 + 22;
        double c1 = 10 + 21 + 2;
        double c2 = 20 + 1 + 12;
        assertEquals(List.of(c0, c2, c1, c1, c0, c2, c2, c1, c0),
                Arrays.stream(g).boxed().toList());
        double[] diag = {1, 2, 3, 4};
        StructureMap.tieGradient(LayerStructure.DIAGONAL, diag, 2, new double[2]);
        assertEquals(List.of(1.0, 0.0, 0.0, 4.0), Arrays.stream(diag).boxed().toList());
    }

    /** One fixture case as an engine run. */
    private static final class Case {
        final LayerStructure structure;
        final int d;
        final int classes;
        final TrainingData data;
        final double[][] initial;
        final Architecture arch;
        final double learningRate;
        final int steps;

        Case(JsonNode c) {
            structure = LayerStructure.parse(c.get("structure").asText());
            classes = c.get("classes").asInt();
            JsonNode xs = c.get("x");
            int n = xs.size();
            d = xs.get(0).size();
            double[] features = new double[n * d];
            int[] labels = new int[n];
            for (int e = 0; e < n; e++) {
                for (int j = 0; j < d; j++) {
                    features[e * d + j] = xs.get(e).get(j).asDouble();
                }
                labels[e] = classes == 2 ? (c.get("y").get(e).asDouble() > 0 ? 1 : 0) : c.get("y").get(e).asInt();
            }
            double[] weights = new double[n];
            Arrays.fill(weights, 1.0);
            data = new TrainingData(features, d, labels, classes, weights);
            JsonNode start = c.get("parameters").get(0);
            int depth = start.size();
            initial = new double[depth][];
            for (int i = 0; i < depth - 1; i++) {
                initial[i] = StructureMap.expand(structure, values(start.get(i)), d);
            }
            initial[depth - 1] = values(start.get(depth - 1));
            arch = Architecture.of(d, Collections.nCopies(depth - 1, d), List.of(Activation.LINEAR),
                    data.outputWidth(), false, false).withStructure(structure);
            learningRate = c.get("learning_rate").asDouble();
            steps = c.get("steps").asInt();
        }

        List<NetworkDescription> train(OptimizerKind optimizer, ElementType precision) {
            TrainingConfig config = new TrainingConfig(LossFunction.LOGISTIC, optimizer, 3, learningRate,
                    StepSchedule.CONSTANT, 0.5, 1e6, false, steps, 0.9, 0.999, 1e-8, precision);
            List<NetworkDescription> snapshots = new ArrayList<>();
            GradientTraining.train(arch, config, data, initial, null, new SplittableRandom(7), "structured", 1,
                    checkpoint -> snapshots.add(checkpoint.network()));
            return snapshots;
        }

        /** w (the diagonal) or c (the first column, c_k = W[k][0]) of a hidden layer; the output layer's W. */
        double[] parameters(NetworkDescription net, int layer) {
            double[] w = net.layer(layer).weights().toRowMajorArray();
            if (layer == net.depth() - 1) {
                return w;
            }
            double[] p = new double[d];
            for (int k = 0; k < d; k++) {
                p[k] = structure == LayerStructure.DIAGONAL ? w[k * d + k] : w[k * d];
            }
            return p;
        }
    }

    private static double[] values(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }
}
