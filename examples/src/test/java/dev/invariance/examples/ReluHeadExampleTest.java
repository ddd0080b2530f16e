package dev.invariance.examples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the Java E4 Net A example and checks science.md A4.1: after 3·10⁴ GD steps, ρ &gt; 0.98 for the linear layers
 * W_1, W_2 and their adjacent alignment &gt; 0.99.
 */
class ReluHeadExampleTest {
    private static ReluHeadExample.Result result;

    @BeforeAll
    static void trainOnce() {
        result = ReluHeadExample.reproduce();
    }

    @Test
    void hasFourLayersAndACheckpointEveryThreeThousandSteps() {
        assertEquals(4, result.layerNames().size());
        assertEquals(11, result.trace().size());
        assertEquals(ReluHeadExample.STEPS, result.trace().get(result.trace().size() - 1).step());
    }

    @Test
    void linearHeadLayersBecomeRankOne() {
        for (int i = 1; i <= 2; i++) {
            double rho = result.rank1Ratios().get(i);
            assertTrue(rho > 0.98, "rank-1 ratio of linear layer " + result.layerNames().get(i) + " = " + rho);
        }
    }

    @Test
    void linearHeadLayersAlign() {
        assertTrue(result.headAlignment() > 0.99, "alignment W_1 -> W_2 = " + result.headAlignment());
    }

    /**
     * The contrast of E4: the ReLU input layer is not rank one (science.md's calibration measured ρ(W_0) = 0.785; the
     * 0.95 bound is the one A4.3 uses for "not rank one").
     */
    @Test
    void reluInputLayerDoesNotBecomeRankOne() {
        double rho = result.rank1Ratios().get(0);
        assertTrue(rho < 0.95, "rank-1 ratio of the ReLU input layer = " + rho);
    }

    @Test
    void examplesOwnVerdictAgreesWithTheChecks() {
        assertTrue(result.passed(), () -> "A4.1 failures: " + result.failures());
    }
}
