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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The minimum-l1 interpolation program against scipy's HiGHS solution (make_l1_interpolant_fixtures.py): A3.3's
 * shape with a sparse teacher and a dense teacher give scipy's β_l1 and minimum ‖β_l1‖₁; an overdetermined set with
 * no exact fit, mismatched sizes and non-finite input are refused in one line.
 */
class MinL1InterpolantTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/l1margin/l1_interpolant.json");
    /** Both solvers stop at the same vertex of the feasible polytope: agreement to the simplex tolerances. */
    private static final double TOL = 1e-7;

    private static JsonNode fixtureCase(String name) throws IOException {
        return FixtureCases.named(FIXTURE, name);
    }

    private static WeightMatrix inputs(JsonNode c) {
        JsonNode rows = c.get("inputs");
        double[][] x = new double[rows.size()][rows.get(0).size()];
        for (int i = 0; i < x.length; i++) {
            for (int t = 0; t < x[i].length; t++) {
                x[i][t] = rows.get(i).get(t).asDouble();
            }
        }
        return WeightMatrix.fromRows(x);
    }

    private static List<Double> targets(JsonNode c) {
        List<Double> y = new ArrayList<>();
        c.get("targets").forEach(v -> y.add(v.asDouble()));
        return y;
    }

    private static void assertScipysOptimum(String name) throws IOException {
        JsonNode c = fixtureCase(name);
        L1InterpolantSolution s = MinL1Interpolant.create().fit(inputs(c), targets(c));
        double l1 = c.get("l1_norm").asDouble();
        assertEquals(l1, s.l1Norm(), TOL * l1, name + " ‖β_l1‖₁");
        for (int t = 0; t < s.weights().size(); t++) {
            assertEquals(c.get("weights").get(t).asDouble(), s.weights().get(t), TOL * l1, name + " β_l1[" + t + "]");
        }
        assertTrue(s.maxResidual() < 1e-9, name + " interpolates: max residual " + s.maxResidual());
    }

    @Test
    void aSparseTeacherInTwentyDimensionsGivesScipysInterpolant() throws IOException {
        assertScipysOptimum("sparse_teacher_d20_n5");
    }

    @Test
    void aDenseTeacherGivesScipysInterpolant() throws IOException {
        assertScipysOptimum("dense_teacher_d12_n8");
    }

    @Test
    void targetsOutsideTheColumnSpaceAreRefusedAsInfeasible() throws IOException {
        JsonNode c = fixtureCase("overdetermined");
        assertFalse(c.get("feasible").asBoolean());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MinL1Interpolant.create().fit(inputs(c), targets(c)));
        assertEquals("no b satisfies X b = y for these 6 examples of dimension 3 (the linear program is infeasible:"
                + " y is not in the column space of X)", e.getMessage());
    }

    @Test
    void mismatchedSizesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MinL1Interpolant.create().fit(WeightMatrix.fromRows(new double[] {1, 2}), List.of(1.0, 2.0)));
        assertEquals("1 examples but 2 targets", e.getMessage());
    }

    @Test
    void nonFiniteInputsAndTargetsAreRefused() {
        IllegalArgumentException inputs = assertThrows(IllegalArgumentException.class, () -> MinL1Interpolant.create()
                .fit(WeightMatrix.fromRows(new double[] {1, Double.NaN}), List.of(1.0)));
        assertEquals("the inputs are not finite", inputs.getMessage());
        IllegalArgumentException targets = assertThrows(IllegalArgumentException.class, () -> MinL1Interpolant.create()
                .fit(WeightMatrix.fromRows(new double[] {1, 2}), List.of(Double.POSITIVE_INFINITY)));
        assertEquals("target 0 is not finite: Infinity", targets.getMessage());
    }

    @Test
    void aPivotBudgetThatRunsOutIsAnError() throws IOException {
        JsonNode c = fixtureCase("dense_teacher_d12_n8");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MinL1Interpolant.withMaxIterations(1).fit(inputs(c), targets(c)));
        assertEquals("the simplex solver stopped after 1 pivots", e.getMessage());
    }
}
