package dev.invariance.onnx.reading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.Quantization;
import dev.invariance.network.UnitMapping;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quantised fixtures of src/test/python/make_wild_fixtures.py (issue 20: ONNX Runtime's dynamic, QDQ and
 * QOperator layouts, QLinearConv, ConvInteger, MatMulNBits, blocked DequantizeLinear in int8 and INT4, weight-only
 * Cast and scale) are read as dense layers with numpy's dequantised {@code W = (q − zero_point) · scale}, their
 * quantisation recorded on the layer, the edges numpy expects (none through a scale output), and numpy's figures.
 */
class WildQuantisedTest {
    /** The bound for the dequantised weights and biases against numpy's, relative to each entry. */
    private static final double WEIGHT_TOL = 1e-6;
    /**
     * Figures against numpy: W is numpy's to double rounding (the same integers times the same float32 scales), so
     * the figures differ by the SVD's own rounding, at most 1.1e-14 relative here; this bound leaves two orders.
     */
    private static final double FIGURE_TOL = 1e-12;
    private static final Set<String> QUANTISED_OPERATORS = Set.of("MatMulInteger", "QLinearMatMul", "ConvInteger",
            "QLinearConv", "MatMulNBits");

    private static Path folder;
    private static JsonNode reference;

    private static void load() throws IOException, URISyntaxException {
        if (reference == null) {
            folder = Path.of(WildQuantisedTest.class.getResource("/onnx/wild/reference.json").toURI()).getParent();
            reference = new ObjectMapper().readTree(folder.resolve("reference.json").toFile());
        }
    }

    static Stream<String> models() throws IOException, URISyntaxException {
        load();
        List<String> files = new ArrayList<>();
        reference.get("models").forEach(m -> {
            if (m.get("case").asText().startsWith("quantised")) {
                files.add(m.get("file").asText());
            }
        });
        assertEquals(10, files.size(), "the quantised fixtures");
        return files.stream();
    }

    private static JsonNode model(String file) {
        return ReferenceFigureChecks.model(reference, file);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void layersAreTheDequantisedProductsNumpyComputed(String file) {
        JsonNode expected = model(file).get("layers");
        try (OnnxModel m = OnnxModelReader.open(folder.resolve(file))) {
            NetworkDescription network = m.readAll();
            assertEquals(expected.size(), network.depth(), file + " layer count");
            for (int i = 0; i < expected.size(); i++) {
                JsonNode e = expected.get(i);
                DenseLayer l = network.layer(i);
                String what = file + " layer " + i;
                ReferenceFigureChecks.assertLayer(e, l, WEIGHT_TOL, 0, what);
                assertEquals(l.origin(), m.outline().layers().get(i).origin(), what + " origin of outline and layer");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void quantisationIsRecordedOnTheLayer(String file) {
        JsonNode expected = model(file).get("layers");
        try (OnnxModel m = OnnxModelReader.open(folder.resolve(file))) {
            for (int i = 0; i < expected.size(); i++) {
                JsonNode e = expected.get(i);
                JsonNode q = e.get("quantization");
                Quantization actual = m.outline().layers().get(i).origin().quantization();
                String what = file + " layer " + e.get("name").asText();
                if (q.isNull()) {
                    assertNull(actual, what + " is not quantised");
                    continue;
                }
                assertNotNull(actual, what + " is quantised");
                assertEquals(q.get("bits").asInt(), actual.bits(), what + " bits");
                assertEquals(q.get("signed").asBoolean(), actual.signed(), what + " signed");
                assertEquals(q.get("per_channel").asBoolean(), actual.perChannel(), what + " per channel");
                assertEquals(q.get("axis").isNull() ? null : q.get("axis").asInt(), actual.axis(), what + " axis");
                assertEquals(q.get("block_size").isNull() ? null : q.get("block_size").asInt(), actual.blockSize(),
                        what + " block size");
                String op = e.get("op").asText();
                String operator = QUANTISED_OPERATORS.contains(op) ? op
                        : file.equals("quant_cast_mul.onnx") ? "Cast" : "DequantizeLinear";
                assertEquals(operator, actual.operator(), what + " operator");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void edgesAreNumpysAndNoPathCrossesAScaleOutput(String file) {
        JsonNode ref = model(file);
        Set<List<Object>> expected = new HashSet<>();
        for (JsonNode e : ref.get("edges")) {
            expected.add(List.of(e.get("producer").asInt(), e.get("consumer").asInt(), e.get("via_residual").asBoolean()));
        }
        List<String> names = new ArrayList<>();
        ref.get("layers").forEach(l -> names.add(l.get("name").asText()));
        try (OnnxModel m = OnnxModelReader.open(folder.resolve(file))) {
            Set<List<Object>> actual = new HashSet<>();
            for (DataFlowEdge e : m.outline().edges()) {
                actual.add(List.of(e.producer(), e.consumer(), e.viaResidual()));
                // quantising, dequantising and casting the activations moves no unit: equal widths map one to one
                if (m.outline().layers().get(e.producer()).outputWidth()
                        == m.outline().layers().get(e.consumer()).inputWidth()) {
                    assertEquals(new UnitMapping.Identity(), e.units(), file + " " + e + " through " + e.ops());
                }
            }
            assertEquals(expected, actual, file + " edges");
            for (JsonNode ended : ref.get("ended_paths")) {
                int producer = names.indexOf(ended.get("producer").asText());
                for (JsonNode to : ended.get("not_to")) {
                    int consumer = names.indexOf(to.asText());
                    assertFalse(actual.stream().anyMatch(e -> e.get(0).equals(producer) && e.get(1).equals(consumer)),
                            file + ": no edge " + ended.get("producer").asText() + " -> " + to.asText() + " through "
                                    + ended.get("node").asText());
                }
            }
            assertTrue(m.notes().stream().noneMatch(n -> n.contains("not read as a dense layer")), String.valueOf(m.notes()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void figuresAreNumpys(String file) {
        try (OnnxModel m = OnnxModelReader.open(folder.resolve(file))) {
            ReferenceFigureChecks.assertFiguresMatch(model(file), m.readAll(), FIGURE_TOL, file);
        }
    }
}
