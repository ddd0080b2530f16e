package dev.invariance.training.internal;

import dev.invariance.training.Initialization;
import dev.invariance.network.Activation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The regrouped deep-linear gradient equals plain back-propagation (up to rounding). */
class FactoredLinearEngineTest {

    @Test
    void factoredGradientsEqualBackPropagation() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int outputs : new int[] {1, 3}) {
            Architecture arch = Architecture.of(7, List.of(5, 6, 4), List.of(Activation.LINEAR), outputs, false, false);
            int[] widths = arch.widths().stream().mapToInt(Integer::intValue).toArray();
            double[][] w = Initialization.GAUSSIAN.initialWeights(widths, 1.0, rng);
            int n = 13;
            double[] x = new double[n * 7];
            double[] g = new double[n * outputs];
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.nextGaussian();
            }
            for (int i = 0; i < g.length; i++) {
                g[i] = rng.nextGaussian();
            }
            FeedForwardEngine<double[]> general = new FeedForwardEngine<>(DoubleKernels.INSTANCE, arch, w, null, n);
            FeedForwardEngine<double[]> factored = FeedForwardEngine.create(DoubleKernels.INSTANCE, arch, w, null, n);
            assertTrue(factored instanceof FactoredLinearEngine, "a bias-free linear chain uses the factored engine");
            double[] f1 = general.forward(x, n).clone();
            double[] f2 = factored.forward(x, n).clone();
            for (int i = 0; i < n * outputs; i++) {
                assertEquals(f1[i], f2[i], 1e-12, "output " + i);
            }
            general.backward(g, n);
            factored.backward(g, n);
            for (int layer = 0; layer < arch.depth(); layer++) {
                double[] expected = general.weightGradient(layer);
                double[] actual = factored.weightGradient(layer);
                for (int e = 0; e < expected.length; e++) {
                    assertEquals(expected[e], actual[e], 1e-12,
                            "gradient of layer " + layer + " entry " + e);
                }
            }
        }
    }

    @Test
    void factoredFormIsOnlyUsedForBiasFreeLinearChains() {
        assertTrue(FactoredLinearEngine.applies(
                Architecture.of(4, List.of(4), List.of(Activation.LINEAR), 1, false, false), 10));
        assertFalse(FactoredLinearEngine.applies(
                Architecture.of(4, List.of(4), List.of(Activation.RELU), 1, false, false), 10));
        assertFalse(FactoredLinearEngine.applies(
                Architecture.of(4, List.of(4), List.of(Activation.LINEAR), 1, true, false), 10));
        assertFalse(FactoredLinearEngine.applies(
                Architecture.of(4, List.of(4, 4), List.of(Activation.LINEAR), 1, false, true), 10));
        assertFalse(FactoredLinearEngine.applies(
                Architecture.of(4, List.of(4), List.of(Activation.LINEAR), 5, false, false), 3), "outputs wider than the batch");
    }
}
