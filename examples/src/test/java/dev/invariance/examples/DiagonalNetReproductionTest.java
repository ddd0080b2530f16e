package dev.invariance.examples;

import dev.invariance.reproduction.Check;
import dev.invariance.reproduction.ReproductionBudget;
import dev.invariance.reproduction.ReproductionRun;
import dev.invariance.reproduction.Verdict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the Kotlin E3 reproduction ({@code DiagonalNetReproduction.kt}) at the quick budget and checks science.md
 * A3.1 (L = 2 diagonal net: cos(β, β₁) &gt; 0.93, 0.03 above cos(β, β₂)), A3.2 (L = 1: cos(β, β₂) &gt; 0.98 and
 * above cos(β, β₁)) and A3.3 (regression: ‖β‖₁ within 10% of the min-l1 interpolant's at init 1e-3, within 10% of
 * the min-l2 interpolant at init 10); E3-conv is reported, with its figures measured.
 */
class DiagonalNetReproductionTest {
    @TempDir
    static Path dir;
    private static ReproductionRun run;

    @BeforeAll
    static void runOnce() {
        run = new DiagonalNetReproduction().run(ReproductionBudget.QUICK, dir);
    }

    private static Check check(String id) {
        return run.checks().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void depthTwoPointsToTheL1MaxMarginDirection() {
        Check a31 = check("A3.1");
        assertEquals(Verdict.PASS, a31.verdict(), a31.toString());
        assertTrue(a31.figures().get("cos_l1") > 0.93, a31.toString());
        assertTrue(a31.figures().get("cos_l1_l2") <= 0.98, a31.toString());
    }

    @Test
    void depthOnePointsToTheL2MaxMarginDirection() {
        Check a32 = check("A3.2");
        assertEquals(Verdict.PASS, a32.verdict(), a32.toString());
        assertTrue(a32.figures().get("cos_l2") > a32.figures().get("cos_l1"), a32.toString());
    }

    @Test
    void theInitScaleMovesTheRegressionFromMinL1ToMinL2() {
        Check a33 = check("A3.3");
        assertEquals(Verdict.PASS, a33.verdict(), a33.toString());
        assertTrue(Math.abs(a33.figures().get("l1_ratio_small") - 1) < 0.1, a33.toString());
        assertTrue(a33.figures().get("rel_dist_l2_large") < 0.1, a33.toString());
    }

    @Test
    void theCirculantNetsSpectrumIsReportedWithFiniteFigures() {
        Check conv = check("E3-conv");
        assertEquals(Verdict.REPORTED, conv.verdict());
        conv.figures().forEach((name, value) -> assertTrue(Double.isFinite(value), name + " = " + value));
    }

    @Test
    void writesEveryFigureAsPngAndSvgAndTheReport() {
        for (String id : new String[] {"e3-cosines", "e3-coefficients", "e3-init-scale", "e3-conv-spectra"}) {
            assertTrue(Files.isRegularFile(dir.resolve(id + ".png")), id);
            assertTrue(Files.isRegularFile(dir.resolve(id + ".svg")), id);
        }
        assertTrue(Files.isRegularFile(run.report()));
    }
}
