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
 * E5 at the quick budget (science.md 3.5: width 50, GD η = 0.05, 4·10⁴ steps, 10 seeds per configuration): A5.1–A5.3
 * pass, and the figure and report are written.
 */
class SquareLossRankReproductionTest {
    @TempDir
    static Path dir;
    private static ReproductionRun run;

    @BeforeAll
    static void runQuick() {
        run = new SquareLossRankReproduction().run(ReproductionBudget.QUICK, dir);
        for (Check c : run.checks()) {
            System.out.println(c.line());
        }
    }

    @Test
    void everyCheckIsAssertedAndPasses() {
        assertEquals(List.of("A5.1", "A5.2", "A5.3"), run.checks().stream().map(Check::id).toList());
        for (Check c : run.checks()) {
            assertEquals(Verdict.PASS, c.verdict(), c.line() + " " + c.summary());
        }
    }

    @Test
    void reluOnObtuseDataFitsTheTwoPointsWithAMatrixFarFromRankOne() {
        Check a51 = run.checks().get(0);
        assertTrue(a51.figures().get("max_loss") < 1e-8, a51.line());
        assertTrue(a51.figures().get("median") > 0.3, a51.line());
    }

    @Test
    void theFigureAndTheReportAreWritten() throws Exception {
        for (String id : List.of("e5-ratio", "e5-ratio-angle", "e5-ratio-trace")) {
            assertTrue(Files.size(dir.resolve(id + ".png")) > 0, id);
            assertTrue(Files.readString(dir.resolve(id + ".svg")).contains("</text>"), id);
        }
        assertTrue(Files.isRegularFile(run.report()));
    }
}
