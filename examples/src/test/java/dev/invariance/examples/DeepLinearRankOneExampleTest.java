package dev.invariance.examples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the Kotlin E1 example ({@code DeepLinearRankOne.kt}) from Java and checks science.md A1.1: after 2·10⁴ GD
 * steps at init scale 0.1, loss &lt; 1e-4, every ρ(W_i) &gt; 0.99, every adjacent alignment &gt; 0.99 and
 * cos(w, û) &gt; 0.99. Compiling this test also checks that the Kotlin API reads well from Java.
 */
class DeepLinearRankOneExampleTest {
    private static DeepLinearRankOneResult result;

    @BeforeAll
    static void trainOnce() {
        result = DeepLinearRankOne.reproduceDeepLinearRankOne();
    }

    @Test
    void recordsACheckpointEveryThousandStepsFromInitialisationToTheEnd() {
        assertEquals(21, result.getCheckpoints().size());
        assertEquals(0L, result.getCheckpoints().get(0).getStep());
        assertEquals(20_000L, result.getAtEnd().getStep());
        assertEquals(3, result.getLayerNames().size());
        assertEquals(2, result.getPairNames().size());
    }

    @Test
    void lossFallsBelowOneInTenThousand() {
        assertTrue(result.getFinalLoss() < 1e-4, "final loss " + result.getFinalLoss());
    }

    @Test
    void everyLayerBecomesRankOne() {
        for (int i = 0; i < result.getLayerNames().size(); i++) {
            double rho = result.getAtEnd().getRank1Ratios().get(i);
            assertTrue(rho > 0.99, "rank-1 ratio of " + result.getLayerNames().get(i) + " = " + rho);
        }
    }

    @Test
    void adjacentLayersAlign() {
        for (int i = 0; i < result.getPairNames().size(); i++) {
            double a = result.getAtEnd().getAlignments().get(i);
            assertTrue(a > 0.99, "alignment " + result.getPairNames().get(i) + " = " + a);
        }
    }

    @Test
    void endToEndPredictorPointsAlongTheHardMarginSvm() {
        double cos = result.getAtEnd().getSvmCosine();
        assertTrue(cos > 0.99, "cos(w, svm) = " + cos);
    }

    @Test
    void smallInitialisationIsFarFromRankOneBeforeTraining() {
        double rho0 = result.getCheckpoints().get(0).getRank1Ratios().get(0);
        assertTrue(rho0 < 0.9, "rank-1 ratio of the random first layer = " + rho0);
    }

    @Test
    void examplesOwnVerdictAgreesWithTheChecks() {
        assertTrue(result.getPassed(), () -> "A1.1 failures: " + result.getFailures());
    }
}
