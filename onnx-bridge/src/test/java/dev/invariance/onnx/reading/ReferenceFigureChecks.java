package dev.invariance.onnx.reading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.Convolution;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Checks a network read from an ONNX fixture against what the fixture generators (make_onnx_fixtures.py,
 * make_wild_fixtures.py) wrote for it in their reference.json: each layer's figures ({@code layers[].metrics}), each
 * edge's pair figures where the widths agree ({@code edges[].metrics}), a layer's {@code weights} and {@code bias} and a
 * convolution's attributes. Each test passes the tolerance its fixtures' precision allows.
 */
final class ReferenceFigureChecks {
    private ReferenceFigureChecks() {
    }

    /** The entry of {@code file} among the reference's {@code models}. */
    static JsonNode model(JsonNode reference, String file) {
        for (JsonNode m : reference.get("models")) {
            if (m.get("file").asText().equals(file)) {
                return m;
            }
        }
        throw new AssertionError(file + " is not in the reference");
    }

    /**
     * The layer and pair figures of {@code network} equal those of the reference {@code model} to {@code tolerance}
     * relative (of at least 1e-3), the numerical ranks exactly.
     */
    static void assertFiguresMatch(JsonNode model, NetworkDescription network, double tolerance, String file) {
        WeightAnalyzer analyzer = WeightAnalyzer.create();
        for (int i = 0; i < network.depth(); i++) {
            LayerMetrics l = analyzer.analyzeLayer(network.layer(i));
            assertLayer(model.get("layers").get(i).get("metrics"), l, tolerance, file + " " + l.name());
        }
        for (JsonNode e : model.get("edges")) {
            JsonNode fig = e.get("metrics");
            if (fig == null) {
                continue; // d_out(producer) != d_in(consumer): no pair figures
            }
            PairMetrics p = analyzer.analyzePair(network.layer(e.get("producer").asInt()),
                    network.layer(e.get("consumer").asInt()));
            assertPair(fig, p, tolerance,
                    file + " " + e.get("producer_name").asText() + " -> " + e.get("consumer_name").asText());
        }
    }

    /** A layer's figures equal the reference's {@code metrics} to {@code tolerance} relative, the numerical rank exactly. */
    static void assertLayer(JsonNode e, LayerMetrics l, double tolerance, String what) {
        close(e.get("spectral_norm").asDouble(), l.spectralNorm(), tolerance, what + " spectral norm");
        close(e.get("frobenius_norm").asDouble(), l.frobeniusNorm(), tolerance, what + " Frobenius norm");
        close(e.get("stable_rank").asDouble(), l.stableRank(), tolerance, what + " stable rank");
        close(e.get("rank1_ratio").asDouble(), l.rank1Ratio(), tolerance, what + " rank-1 ratio");
        close(e.get("effective_rank").asDouble(), l.effectiveRank(), tolerance, what + " effective rank");
        assertEquals(e.get("numerical_rank").asInt(), l.numericalRank(), what + " numerical rank");
    }

    /** A pair's figures equal the reference edge's {@code metrics} to {@code tolerance} relative. */
    static void assertPair(JsonNode fig, PairMetrics p, double tolerance, String what) {
        close(fig.get("adjacent_alignment").asDouble(), p.adjacentAlignment(), tolerance, what + " top alignment");
        close(fig.get("weighted_alignment").asDouble(), p.weightedAlignment(), tolerance, what + " weighted alignment");
        close(fig.get("commutator_score").asDouble(), p.commutatorScore(), tolerance, what + " commutator");
        close(fig.get("balancedness").asDouble(), p.balancedness(), tolerance, what + " balancedness");
    }

    /** W equals the reference's rows to {@code tolerance} relative (absolute below 1). */
    static void assertWeights(JsonNode rows, WeightMatrix w, double tolerance, String what) {
        assertWeights(rows, w, tolerance, 1, what);
    }

    /**
     * W equals the reference's rows to {@code tolerance} relative to max({@code floor}, |entry|): a floor of 0 asks
     * every entry, zeros included, to agree to its own relative precision.
     */
    static void assertWeights(JsonNode rows, WeightMatrix w, double tolerance, double floor, String what) {
        assertEquals(rows.size(), w.getRows(), what + " d_out");
        assertEquals(rows.get(0).size(), w.getColumns(), what + " d_in");
        for (int r = 0; r < w.getRows(); r++) {
            for (int c = 0; c < w.getColumns(); c++) {
                double x = rows.get(r).get(c).asDouble();
                assertEquals(x, w.get(r, c), tolerance * Math.max(floor, Math.abs(x)), what + " W(" + r + "," + c + ")");
            }
        }
    }

    /** The bias equals the reference's (JSON null: no bias) to {@code tolerance} relative (absolute below 1). */
    static void assertBias(JsonNode expected, @Nullable BiasVector b, double tolerance, String what) {
        assertBias(expected, b, tolerance, 1, what);
    }

    /** The bias equals the reference's (JSON null: no bias) to {@code tolerance} relative to max({@code floor}, |entry|). */
    static void assertBias(JsonNode expected, @Nullable BiasVector b, double tolerance, double floor, String what) {
        if (expected.isNull()) {
            assertNull(b, what + " has no bias");
            return;
        }
        assertNotNull(b, what + " bias");
        assertEquals(expected.size(), b.size(), what + " bias size");
        for (int k = 0; k < b.size(); k++) {
            double x = expected.get(k).asDouble();
            assertEquals(x, b.get(k), tolerance * Math.max(floor, Math.abs(x)), what + " bias " + k);
        }
    }

    /**
     * A read layer is the reference's {@code layers[]} entry {@code e}: name, op, element type, activation, W and bias
     * to {@code tolerance} relative to max({@code floor}, |entry|), and its convolution's attributes.
     */
    static void assertLayer(JsonNode e, DenseLayer l, double tolerance, double floor, String what) {
        assertEquals(e.get("name").asText(), l.name(), what + " name");
        assertEquals(e.get("op").asText(), l.op(), what + " op");
        assertEquals(ElementType.valueOf(e.get("element_type").asText()), l.elementType(), what + " element type");
        assertEquals(Activation.parse(e.get("activation").asText()), l.activation(), what + " activation");
        assertWeights(e.get("weights"), l.weights(), tolerance, floor, what);
        assertBias(e.get("bias"), l.bias(), tolerance, floor, what);
        assertConvolution(e.get("convolution"), l.convolution(), what);
    }

    /** The layer is a convolution exactly when the reference has {@code convolution}, with its attributes. */
    static void assertConvolution(@Nullable JsonNode conv, @Nullable Convolution c, String what) {
        if (conv == null) {
            assertNull(c, what + " is not a convolution");
            return;
        }
        assertNotNull(c, what + " is a convolution");
        assertEquals(conv.get("groups").asInt(), c.groups(), what + " groups");
        List<Integer> kernel = new ArrayList<>();
        conv.get("kernel_shape").forEach(k -> kernel.add(k.asInt()));
        assertEquals(kernel, c.kernelShape(), what + " kernel");
        assertEquals(conv.get("transposed").asBoolean(), c.transposed(), what + " transposed");
    }

    private static void close(double expected, double actual, double tolerance, String what) {
        assertEquals(expected, actual, tolerance * Math.max(1e-3, Math.abs(expected)), what);
    }
}
