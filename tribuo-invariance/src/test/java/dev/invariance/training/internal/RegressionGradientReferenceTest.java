package dev.invariance.training.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.StepSchedule;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Full-batch gradient descent on the square loss ½‖f(x) − y‖² (mean over examples) with real-valued target vectors
 * agrees with PyTorch autograd (float64) after every step: a 2-output network with 2 hidden layers, linear (the
 * factored engine) and ReLU with biases (the general engine), and the single-output ReLU network of Timor et al. on
 * two points with the same target. Expected figures from {@code src/test/python/make_regression_reference.py}.
 */
class RegressionGradientReferenceTest {

    /** A few hundred float64 ulps of quantities of order one, accumulated over eight steps. */
    private static final double TOLERANCE = 1e-12;

    @TestFactory
    List<DynamicTest> everyGradientStepMatchesPyTorch() throws IOException {
        return ReferenceFixture.tests("/fixtures/regression_reference.json", RegressionGradientReferenceTest::checkCase);
    }

    private static void checkCase(JsonNode c) {
        JsonNode xs = c.get("x");
        JsonNode ys = c.get("y");
        int n = xs.size();
        int d = xs.get(0).size();
        int k = ys.get(0).size();
        double[] features = ReferenceFixture.flatten(xs);
        double[] targets = ReferenceFixture.flatten(ys);
        double[] weights = new double[n];
        Arrays.fill(weights, 1.0);
        TrainingData data = new TrainingData(features, d, TrainingTargets.ofValues(targets, k), weights);

        ReferenceFixture.Initial initial = ReferenceFixture.Initial.of(c, d, k, false);
        boolean bias = c.get("bias").asBoolean();
        int depth = initial.weights().length;
        int steps = c.get("steps").asInt();
        TrainingConfig config = new TrainingConfig(LossFunction.SQUARED, OptimizerKind.GD, 32,
                c.get("learning_rate").asDouble(), StepSchedule.CONSTANT, 0.5, 1e6, false, steps, 0.9, 0.999, 1e-8,
                ElementType.FLOAT64);

        List<NetworkDescription> seen = new ArrayList<>();
        TrainingResult result = GradientTraining.train(initial.architecture(), config, data, initial.weights(),
                initial.biases(), new SplittableRandom(1),
                "reference", 1, checkpoint -> seen.add(checkpoint.network()));

        JsonNode losses = c.get("losses");
        assertEquals(losses.size(), result.lossCurve().losses().size());
        for (int s = 0; s < losses.size(); s++) {
            assertEquals(losses.get(s).asDouble(), result.lossCurve().losses().get(s),
                    TOLERANCE * Math.max(1, losses.get(s).asDouble()), "loss before step " + s);
        }
        JsonNode expectedSteps = c.get("weights");
        assertEquals(expectedSteps.size(), seen.size(), "one checkpoint per step and after the last");
        for (int s = 0; s < seen.size(); s++) {
            for (int i = 0; i < depth; i++) {
                DenseLayer layer = seen.get(s).layer(i);
                double[] expected = ReferenceFixture.flatten(expectedSteps.get(s).get(i).get("w"));
                double[] actual = layer.weights().toRowMajorArray();
                for (int e = 0; e < expected.length; e++) {
                    assertEquals(expected[e], actual[e], TOLERANCE, "W of layer " + i + " entry " + e + " after "
                            + s + " steps");
                }
                if (bias) {
                    double[] eb = ReferenceFixture.flatten(expectedSteps.get(s).get(i).get("b"));
                    double[] ab = layer.bias().toArray();
                    for (int e = 0; e < eb.length; e++) {
                        assertEquals(eb[e], ab[e], TOLERANCE, "b of layer " + i + " entry " + e + " after " + s
                                + " steps");
                    }
                }
            }
        }
    }
}
