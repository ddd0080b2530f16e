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
 * A3.1 (L = 2 diagonal net: cos(β, β₁) &gt; 0.93, 0.03 above cos(β, β₂)) and A3.2 (L = 1: cos(β, β₂) &gt; 0.98 and
 * above cos(β, β₁)); A3.3 is reported, with its figures measured.
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
    void regressionIsReportedWithFiniteFigures() {
        Check a33 = check("A3.3");
        assertEquals(Verdict.REPORTED, a33.verdict());
        a33.figures().forEach((name, value) -> assertTrue(Double.isFinite(value), name + " = " + value));
    }

    @Test
    void writesBothFiguresAsPngAndSvgAndTheReport() {
        for (String id : new String[] {"e3-cosines", "e3-coefficients"}) {
            assertTrue(Files.isRegularFile(dir.resolve(id + ".png")), id);
            assertTrue(Files.isRegularFile(dir.resolve(id + ".svg")), id);
        }
        assertTrue(Files.isRegularFile(run.report()));
    }
}
