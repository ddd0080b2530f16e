package dev.invariance.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table's footer of {@code analyze MODEL.onnx --data FILE.csv} names the data file and its number of examples,
 * not the provenance class (issue 20, figures: it said "Data: OnnxDataProvenance").
 */
class AnalyzeOnnxDataFooterTest {
    @Test
    void theFooterNamesTheCsvFileAndItsRows() throws Exception {
        Path folder = Path.of(AnalyzeOnnxDataFooterTest.class.getResource("/fixtures/ort/binary_logit.onnx").toURI())
                .getParent();
        String csv = folder.resolve("binary_logit.csv").toString();
        CliRun.Result r = invariance("analyze", folder.resolve("binary_logit.onnx").toString(), "--data", csv,
                "--label", "label");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(("Data: " + csv + " (60 examples)")::equals), r.out());
        assertFalse(r.out().contains("OnnxDataProvenance"), r.out());
    }
}
