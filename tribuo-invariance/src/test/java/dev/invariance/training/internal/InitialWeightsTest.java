package dev.invariance.training.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.linalg.DenseSvd;
import dev.invariance.network.Activation;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.WeightMatrix;
import dev.invariance.training.Initialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The initial weights of structured layers and the aligned initialisation. The aligned case is hand-built with
 * known singular bases (C = U diag(5, 3, 1) Vᵀ) and its figures come from NumPy
 * ({@code src/test/python/make_structured_reference.py}).
 */
class InitialWeightsTest {

    @Test
    void alignedInitMatchesTheNumpyFiguresOfAHandBuiltCrossCovariance() throws IOException {
        JsonNode aligned;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/structured_reference.json")) {
            assertNotNull(in, "fixture missing");
            aligned = new ObjectMapper().readTree(in).get("aligned");
        }
        List<Integer> widths = new ArrayList<>();
        aligned.get("widths").forEach(w -> widths.add(w.asInt()));
        int d = widths.get(0);
        int k = widths.get(widths.size() - 1);
        Architecture arch = new Architecture(widths, Collections.nCopies(widths.size() - 2, Activation.LINEAR), false,
                false);
        double[] features = flatten(aligned.get("x"));
        double[] targets = flatten(aligned.get("y"));
        double[][] w = InitialWeights.draw(Initialization.ALIGNED, arch, aligned.get("scale").asDouble(),
                new SplittableRandom(5), features, () -> targets);

        WeightMatrix product = WeightMatrix.fromRowMajor(d, d, identity(d));
        for (int i = 0; i < w.length; i++) {
            product = multiply(WeightMatrix.fromRowMajor(widths.get(i + 1), widths.get(i), w[i]), product);
            double[] values = DenseSvd.singularValues(WeightMatrix.fromRowMajor(widths.get(i + 1), widths.get(i), w[i]))
                    .singularValueArray();
            double[] expected = flatten(aligned.get("layer_singular_values").get(i));
            // values of order 0.1 from a backward-stable SVD: a few ulps
            assertArrayEquals(expected, values, 1e-15, "singular values of layer " + i);
        }
        double[] expected = flatten(aligned.get("end_to_end"));
        double[] actual = product.toRowMajorArray();
        assertEquals(k * d, actual.length);
        for (int e = 0; e < expected.length; e++) {
            // entries of order 1e-3 (0.1³ times the bases' entries); SVD vectors of C (gaps ≥ 2) accurate to ~1e-16, so ~1e-19
            assertEquals(expected[e], actual[e], 1e-16, "end-to-end entry " + e);
        }
    }

    @Test
    void identityInitGivesStructuredLayersScaleTimesTheIdentity() {
        for (LayerStructure structure : List.of(LayerStructure.DIAGONAL, LayerStructure.CIRCULANT)) {
            Architecture arch = Architecture.of(3, List.of(3, 3), List.of(Activation.LINEAR), 2, false, false)
                    .withStructure(structure);
            double[][] w = InitialWeights.draw(Initialization.IDENTITY, arch, 0.5, new SplittableRandom(1),
                    new double[0], () -> new double[0]);
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(new double[] {0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5}, w[i], 0.0, structure + " layer " + i);
            }
            assertEquals(6, w[2].length);
        }
    }

    @Test
    void gaussianInitDrawsTheStructuresParametersWithLeCunVarianceForTheirFanIn() {
        int d = 4000;
        double scale = 0.3;
        Architecture arch = Architecture.of(d, List.of(d), List.of(Activation.LINEAR), 1, false, false);
        double[][] diagonal = InitialWeights.draw(Initialization.GAUSSIAN, arch.withStructure(LayerStructure.DIAGONAL),
                scale, new SplittableRandom(2), new double[0], () -> new double[0]);
        double[][] circulant = InitialWeights.draw(Initialization.GAUSSIAN,
                arch.withStructure(LayerStructure.CIRCULANT), scale, new SplittableRandom(2), new double[0],
                () -> new double[0]);
        double diagonalVariance = 0;
        double circulantVariance = 0;
        for (int j = 0; j < d; j++) {
            diagonalVariance += diagonal[0][j * d + j] * diagonal[0][j * d + j] / d;
            circulantVariance += circulant[0][j * d] * circulant[0][j * d] / d;
        }
        // sample variances of 4000 draws: relative standard error √(2/4000) ≈ 2.2%; 10% is 4.5 standard errors
        assertEquals(scale * scale, diagonalVariance, 0.1 * scale * scale, "diagonal: fan-in 1");
        assertEquals(scale * scale / d, circulantVariance, 0.1 * scale * scale / d, "circulant: fan-in d");
    }

    @Test
    void schemesThatRelateSeveralLayersAreRefusedForStructuredLayers() {
        Architecture arch = Architecture.of(3, List.of(3), List.of(Activation.LINEAR), 1, false, false)
                .withStructure(LayerStructure.DIAGONAL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InitialWeights.draw(
                Initialization.ALIGNED, arch, 1.0, new SplittableRandom(1), new double[3], () -> new double[1]));
        assertEquals("structure diagonal is initialised with gaussian, identity or constant-diagonal, not aligned", e.getMessage());
    }

    private static double[] identity(int d) {
        double[] eye = new double[d * d];
        for (int i = 0; i < d; i++) {
            eye[i * d + i] = 1;
        }
        return eye;
    }

    private static WeightMatrix multiply(WeightMatrix a, WeightMatrix b) {
        double[] out = new double[a.getRows() * b.getColumns()];
        for (int i = 0; i < a.getRows(); i++) {
            for (int j = 0; j < b.getColumns(); j++) {
                double s = 0;
                for (int t = 0; t < a.getColumns(); t++) {
                    s += a.get(i, t) * b.get(t, j);
                }
                out[i * b.getColumns() + j] = s;
            }
        }
        return WeightMatrix.fromRowMajor(a.getRows(), b.getColumns(), out);
    }

    private static double[] flatten(JsonNode node) {
        List<Double> values = new ArrayList<>();
        for (JsonNode row : node) {
            if (row.isArray()) {
                row.forEach(v -> values.add(v.asDouble()));
            } else {
                values.add(row.asDouble());
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
