package dev.invariance.onnx.reading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.network.BiasVector;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Assertions against the numpy references of the fixture generators (make_onnx_fixtures.py, make_wild_fixtures.py):
 * a layer's {@code weights} and {@code bias}, its {@code metrics} and a pair's {@code metrics}, as the reference files
 * write them.
 */
final class NumpyFigures {
    /** Figures against numpy: the analyzer may work in float32 for float32 weights. */
    static final double FIGURE_TOL = 1e-4;
    /** Weights that are stored values widened exactly (times a float): agreement to double rounding. */
    static final double WEIGHT_TOL = 1e-12;

    private NumpyFigures() {
    }

    /** W equals the reference's rows to {@link #WEIGHT_TOL} relative (absolute below 1). */
    static void assertWeights(JsonNode rows, WeightMatrix w, String what) {
        assertEquals(rows.size(), w.getRows(), what + " d_out");
        assertEquals(rows.get(0).size(), w.getColumns(), what + " d_in");
        for (int r = 0; r < w.getRows(); r++) {
            for (int c = 0; c < w.getColumns(); c++) {
                double x = rows.get(r).get(c).asDouble();
                assertEquals(x, w.get(r, c), WEIGHT_TOL * Math.max(1, Math.abs(x)), what + " W(" + r + "," + c + ")");
            }
        }
    }

    /** The bias equals the reference's (JSON null: no bias) to {@link #WEIGHT_TOL}. */
    static void assertBias(JsonNode expected, @Nullable BiasVector b, String what) {
        if (expected.isNull()) {
            assertNull(b, what + " has no bias");
            return;
        }
        assertNotNull(b, what + " bias");
        assertEquals(expected.size(), b.size(), what + " bias size");
        for (int k = 0; k < b.size(); k++) {
            double x = expected.get(k).asDouble();
            assertEquals(x, b.get(k), WEIGHT_TOL * Math.max(1, Math.abs(x)), what + " bias " + k);
        }
    }

    /** A layer's figures equal the reference's {@code metrics} (the numerical rank exactly). */
    static void assertLayer(JsonNode e, LayerMetrics l, String what) {
        close(e.get("spectral_norm").asDouble(), l.spectralNorm(), what + " spectral norm");
        close(e.get("frobenius_norm").asDouble(), l.frobeniusNorm(), what + " Frobenius norm");
        close(e.get("stable_rank").asDouble(), l.stableRank(), what + " stable rank");
        close(e.get("rank1_ratio").asDouble(), l.rank1Ratio(), what + " rank-1 ratio");
        close(e.get("effective_rank").asDouble(), l.effectiveRank(), what + " effective rank");
        assertEquals(e.get("numerical_rank").asInt(), l.numericalRank(), what + " numerical rank");
    }

    /** A pair's figures equal the reference edge's {@code metrics}. */
    static void assertPair(JsonNode fig, PairMetrics p, String what) {
        close(fig.get("adjacent_alignment").asDouble(), p.adjacentAlignment(), what + " top alignment");
        close(fig.get("weighted_alignment").asDouble(), p.weightedAlignment(), what + " weighted alignment");
        close(fig.get("commutator_score").asDouble(), p.commutatorScore(), what + " commutator");
        close(fig.get("balancedness").asDouble(), p.balancedness(), what + " balancedness");
    }

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, FIGURE_TOL * Math.max(1e-3, Math.abs(expected)), what);
    }
}
