package dev.invariance.reproduction;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A check prints as one line with its figures in the order given; only FAIL fails a run. */
class CheckTest {
    private static Map<String, Double> figures() {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("rho_min", 0.99721);
        f.put("a_min", 0.999999);
        f.put("cos", 0.99931);
        f.put("loss", 3.2e-5);
        return f;
    }

    @Test
    void linePrintsIdVerdictAndFiguresInOrder() {
        Check c = Check.pass("A1.1", "claim", figures(), "summary");
        assertEquals("A1.1 PASS rho_min=0.9972 a_min=1.0000 cos=0.9993 loss=3.2e-05", c.line());
    }

    @Test
    void figuresOutsideTheFixedRangeHaveFourSignificantDigits() {
        assertEquals("1.234e+06", Check.format(1_234_400));
        assertEquals("-4.5e-07", Check.format(-4.5e-7));
        assertEquals("0.0000", Check.format(0));
        assertEquals("NaN", Check.format(Double.NaN));
        assertEquals("12.5000", Check.format(12.5));
    }

    @Test
    void assertedIsPassOrFail() {
        assertEquals(Verdict.PASS, Check.asserted("A", "c", true, Map.of(), "s").verdict());
        assertEquals(Verdict.FAIL, Check.asserted("A", "c", false, Map.of(), "s").verdict());
    }

    @Test
    void onlyFailFailsARun() {
        ReproductionRun ok = new ReproductionRun("E1", List.of(Check.pass("A", "c", Map.of(), "s"),
                Check.reported("B", "c", Map.of(), "s"), Check.notApplicable("C", "c", Map.of(), "s")), List.of(),
                Path.of("r.html"), 1.0);
        assertTrue(ok.passed());
        ReproductionRun bad = new ReproductionRun("E1", List.of(Check.pass("A", "c", Map.of(), "s"),
                Check.fail("B", "c", Map.of(), "s")), List.of(), Path.of("r.html"), 1.0);
        assertFalse(bad.passed());
        assertEquals("B", bad.failures().get(0).id());
    }

    @Test
    void figureNamesThatWouldNotParseAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Check.pass("A", "c", Map.of("a b", 1.0), "s"));
        assertThrows(IllegalArgumentException.class, () -> Check.pass("A", "c", Map.of("a=b", 1.0), "s"));
    }
}
