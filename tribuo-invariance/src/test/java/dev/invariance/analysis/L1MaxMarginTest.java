package dev.invariance.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.FixtureCases;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The l1 max-margin program against scipy's HiGHS solution (make_l1_margin_fixtures.py): E3's data and a denser
 * teacher give scipy's β₁ and minimum ‖β₁‖₁; data that no direction through the origin separates are reported so.
 */
class L1MaxMarginTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/l1margin/l1_margin.json");
    /** Both solvers stop at vertices of the same polytope: agreement to the simplex tolerances. */
    private static final double TOL = 1e-7;

    private static JsonNode fixtureCase(String name) throws IOException {
        return FixtureCases.named(FIXTURE, name);
    }

    private static LabelledData data(JsonNode c) {
        JsonNode rows = c.get("inputs");
        int n = rows.size();
        int d = rows.get(0).size();
        double[][] x = new double[n][d];
        List<Double> y = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < d; t++) {
                x[i][t] = rows.get(i).get(t).asDouble();
            }
            y.add(c.get("labels").get(i).asDouble());
        }
        return new LabelledData(WeightMatrix.fromRows(x), y);
    }

    private static void assertScipysOptimum(String name) throws IOException {
        JsonNode c = fixtureCase(name);
        L1MarginSolution s = L1MaxMargin.create().fit(data(c));
        assertTrue(s.isOptimal(), s.note());
        assertEquals(c.get("l1_norm").asDouble(), s.l1Norm(), TOL * c.get("l1_norm").asDouble(), name + " ‖β₁‖₁");
        for (int t = 0; t < s.weights().size(); t++) {
            assertEquals(c.get("weights").get(t).asDouble(), s.weights().get(t), TOL * s.l1Norm(), name + " β₁[" + t + "]");
        }
        assertEquals(1.0, s.functionalMargin(), 1e-8, name + " the margin constraints are tight");
        double norm = 0;
        for (double v : s.direction()) {
            norm += v * v;
        }
        assertEquals(1.0, norm, 1e-12, "the direction is a unit vector");
    }

    @Test
    void e3DataGiveScipysL1MaxMarginSolution() throws IOException {
        assertScipysOptimum("e3_seed0");
        assertScipysOptimum("e3_seed7");
    }

    @Test
    void aDenseTeacherGivesScipysSolution() throws IOException {
        assertScipysOptimum("dense_teacher");
    }

    @Test
    void dataNoDirectionThroughTheOriginSeparatesAreReportedSo() throws IOException {
        L1MarginSolution s = L1MaxMargin.create().fit(data(fixtureCase("not_separable")));
        assertEquals(SvmStatus.NOT_SEPARABLE, s.status());
        assertTrue(Double.isNaN(s.l1Norm()));
        assertTrue(s.note().contains("infeasible"), s.note());
    }

    @Test
    void aPivotBudgetThatRunsOutIsReportedAsNotConverged() throws IOException {
        L1MarginSolution s = L1MaxMargin.withMaxIterations(1).fit(data(fixtureCase("e3_seed0")));
        assertEquals(SvmStatus.NOT_CONVERGED, s.status());
    }

    @Test
    void aProblemBeyondTheTableauBoundIsRefusedBeforeAllocating() {
        // 5,000 examples of dimension 1: 5,000·(2 + 5,000 + 1) > 1.6·10⁷ entries; the inputs themselves are small
        double[][] x = new double[5_000][1];
        List<Double> y = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            x[i][0] = 1 + i;
            y.add(1.0);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> L1MaxMargin.create().fit(new LabelledData(WeightMatrix.fromRows(x), y)));
        assertTrue(e.getMessage().contains("more than 16000000"), e.getMessage());
    }
}
