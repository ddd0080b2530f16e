package dev.invariance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Locale;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code analyze MODEL.onnx [--fold-batchnorm]} on the wild Conv + BatchNormalization fixture (make_wild_fixtures.py):
 * the stored kernel and a note by default, the folded one with the option (σ₁ as numpy computed each, reference.json),
 * and the option refused for a Tribuo model.
 */
class AnalyzeFoldBatchNormTest {
    /** σ₁ of the stored 4 × 18 kernel and of diag(γ/√(σ² + ε))·W, numpy's (reference.json). */
    private static final double STORED_SIGMA = 1.1727861729392905;
    private static final double FOLDED_SIGMA = 2.7206713906168942;
    /** A double-precision SVD of the same matrix (measured: 1.2e-15 relative). */
    private static final double TOL = 1e-12;

    private static String model() throws Exception {
        return Path.of(AnalyzeFoldBatchNormTest.class.getResource("/onnx/wild/bn_conv.onnx").toURI()).toString();
    }

    @Test
    void theOptionFoldsTheNormalisationIntoTheConvolution() throws Exception {
        CliRun.Result r = invariance("analyze", model(), "--fold-batchnorm", "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals(FOLDED_SIGMA, root.get("layers").get(0).get("spectral_norm").asDouble(), TOL * FOLDED_SIGMA);
        assertEquals("[\"Relu\",\"Flatten\"]", root.get("edges").get(0).get("ops").toString());
        assertEquals("layer 'features.conv.weight' is followed by BatchNormalization '/features/bn/BatchNormalization':"
                + " folded into the layer's W and bias", root.get("model").get("notes").get(0).asText());
    }

    @Test
    void withoutItTheStoredKernelIsAnalysedAndTheTableNotesTheNormalisation() throws Exception {
        CliRun.Result r = invariance("analyze", model());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(String.format(Locale.ROOT, "features.conv.weight          4x18       %.4g",
                STORED_SIGMA)), r.out());
        assertTrue(r.out().contains("note: layer 'features.conv.weight' is followed by BatchNormalization "
                + "'/features/bn/BatchNormalization'; the layer's figures are those of its stored W, without the "
                + "normalisation's per-unit scale (--fold-batchnorm folds it into W)"), r.out());
    }

    @Test
    void aTribuoModelHasNoGraphToFoldAndTheOptionIsRefused() {
        CliRun.Result r = invariance("analyze",
                "../tribuo-invariance/src/test/resources/fixtures/backcompat/deepnet-0.1.0.tribuo", "--fold-batchnorm");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--fold-batchnorm reads ONNX models; it does not apply here"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
