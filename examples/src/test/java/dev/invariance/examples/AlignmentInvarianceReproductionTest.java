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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the Kotlin E2 reproduction ({@code AlignmentInvarianceReproduction.kt}) once at the quick budget (science.md
 * 3.2: L = 3, widths 5, GD η = 0.05, 5·10³ steps) and checks A2.1 (whitened: max c_i &lt; 1e-6, loss down &gt; 100×),
 * A2.2 (not whitened: max c_i &gt; 1e-3) and A2.3 (the commutator score's self-test); E2c and E2d are reported with
 * finite figures; the four figures (PNG and SVG) and the report are written.
 */
class AlignmentInvarianceReproductionTest {
    @TempDir
    static Path dir;
    private static ReproductionRun run;

    @BeforeAll
    static void runQuick() {
        run = new AlignmentInvarianceReproduction().run(ReproductionBudget.QUICK, dir);
        for (Check c : run.checks()) {
            System.out.println(c.line());
        }
    }

    private static Check check(String id) {
        return run.checks().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void whitenedInputsKeepTheAlignedNetworkAlignedWhileTheLossFalls() {
        Check a21 = check("A2.1");
        assertEquals(Verdict.PASS, a21.verdict(), a21.line());
        assertTrue(a21.figures().get("c_max") < 1e-6, a21.line());
        assertTrue(a21.figures().get("loss_drop") > 100, a21.line());
    }

    @Test
    void withoutWhiteningTheAlignmentIsLost() {
        Check a22 = check("A2.2");
        assertEquals(Verdict.PASS, a22.verdict(), a22.line());
        assertTrue(a22.figures().get("c_max") > 1e-3, a22.line());
        assertTrue(a22.figures().get("c_start") < 1e-12, "the run starts aligned: " + a22.line());
    }

    @Test
    void theCommutatorScoreSeesAlignmentAndIgnoresTheBasis() {
        Check a23 = check("A2.3");
        assertEquals(Verdict.PASS, a23.verdict(), a23.line());
        assertTrue(a23.figures().get("c_aligned_max") < 1e-12, a23.line());
        assertTrue(a23.figures().get("c_rotated_min") > 1e-2, a23.line());
    }

    @Test
    void theControlAndTheCirculantNetsAreReportedWithFiniteFigures() {
        for (String id : List.of("E2c", "E2d")) {
            Check c = check(id);
            assertEquals(Verdict.REPORTED, c.verdict(), c.line());
            c.figures().forEach((name, value) -> assertTrue(Double.isFinite(value), id + " " + name + " = " + value));
        }
        assertEquals(12, check("E2d").figures().size(), "three scores and a loss for each N in {2, 4, 32}");
    }

    @Test
    void writesTheFiguresAsPngAndSvgAndTheReport() throws Exception {
        for (String id : List.of("e2-commutator", "e2-loss", "e2-singular-values", "e2d-circulant")) {
            assertTrue(Files.size(dir.resolve(id + ".png")) > 0, id);
            assertTrue(Files.readString(dir.resolve(id + ".svg")).contains("</text>"), id);
        }
        assertTrue(Files.isRegularFile(run.report()));
    }
}
