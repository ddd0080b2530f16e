package dev.invariance.training.internal;

import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.StepSchedule;
import com.fasterxml.jackson.databind.JsonNode;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Five full-batch GD steps agree with PyTorch autograd (float64) for every loss, linear and ReLU layers,
 * biases, residual skips, two and three classes. The expected figures come from
 * {@code src/test/python/make_gd_reference.py}.
 */
class GradientTrainingReferenceTest {

    /** A few hundred float64 ulps of quantities of order one, accumulated over five steps. */
    private static final double TOLERANCE = 1e-12;

    @TestFactory
    List<DynamicTest> fiveGradientStepsMatchPyTorch() throws IOException {
        return ReferenceFixture.tests("/fixtures/gd_reference.json", GradientTrainingReferenceTest::checkCase);
    }

    private static void checkCase(JsonNode c) {
        int classes = c.get("classes").asInt();
        JsonNode xs = c.get("x");
        int n = xs.size();
        int d = xs.get(0).size();
        double[] features = new double[n * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                features[i * d + j] = xs.get(i).get(j).asDouble();
            }
            labels[i] = classes == 2 ? (c.get("y").get(i).asDouble() > 0 ? 1 : 0) : c.get("y").get(i).asInt();
        }
        double[] weights = new double[n];
        java.util.Arrays.fill(weights, 1.0);
        TrainingData data = new TrainingData(features, d, labels, classes, weights);

        ReferenceFixture.Initial initial = ReferenceFixture.Initial.of(c, d, classes == 2 ? 1 : classes,
                c.get("skip").asBoolean());
        boolean bias = c.get("bias").asBoolean();
        int depth = initial.weights().length;
        int steps = c.get("steps").asInt();
        TrainingConfig config = new TrainingConfig(LossFunction.parse(c.get("loss").asText()), OptimizerKind.GD, 32,
                c.get("learning_rate").asDouble(), StepSchedule.CONSTANT, 0.5, 1e6, false, steps, 0.9, 0.999, 1e-8,
                ElementType.FLOAT64);

        TrainingResult result = GradientTraining.train(initial.architecture(), config, data, initial.weights(),
                initial.biases(), new SplittableRandom(1),
                "reference", 1, null);

        JsonNode losses = c.get("losses");
        assertEquals(losses.size(), result.lossCurve().losses().size());
        for (int s = 0; s < losses.size(); s++) {
            assertEquals(losses.get(s).asDouble(), result.lossCurve().losses().get(s),
                    TOLERANCE * Math.max(1, losses.get(s).asDouble()), "loss before step " + s);
        }
        JsonNode fin = c.get("final");
        for (int i = 0; i < depth; i++) {
            DenseLayer layer = result.network().layer(i);
            double[] expected = ReferenceFixture.flatten(fin.get(i).get("w"));
            double[] actual = layer.weights().toRowMajorArray();
            for (int e = 0; e < expected.length; e++) {
                assertEquals(expected[e], actual[e], TOLERANCE, "W of layer " + i + " entry " + e);
            }
            if (bias) {
                double[] eb = ReferenceFixture.flatten(fin.get(i).get("b"));
                double[] ab = layer.bias().toArray();
                for (int e = 0; e < eb.length; e++) {
                    assertEquals(eb[e], ab[e], TOLERANCE, "b of layer " + i + " entry " + e);
                }
            }
        }
    }
}
