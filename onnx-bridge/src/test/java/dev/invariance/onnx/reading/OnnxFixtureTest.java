package dev.invariance.onnx.reading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;
import org.junit.jupiter.api.BeforeAll;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fixture of src/test/python/make_onnx_fixtures.py (PyTorch exports and onnx.helper graphs) is read into the
 * layers, weights, biases and edges numpy derived independently (from the PyTorch parameters or the arrays the graphs
 * were built from, by science.md 1.2), and analysed to numpy's figures.
 */
class OnnxFixtureTest {
    /** The bound for figures against numpy: the analyzer may work in float32 for float32 weights. */
    private static final double FIGURE_TOL = 1e-4;
    /** Weights are the stored values widened exactly (times alpha): agreement to double rounding. */
    private static final double WEIGHT_TOL = 1e-12;
    private static JsonNode reference;
    private static Path folder;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        folder = Path.of(OnnxFixtureTest.class.getResource("/onnx/reference.json").toURI()).getParent();
        reference = new ObjectMapper().readTree(folder.resolve("reference.json").toFile());
    }

    static Stream<String> models() throws IOException, URISyntaxException {
        load();
        List<String> files = new ArrayList<>();
        reference.get("models").forEach(m -> files.add(m.get("file").asText()));
        return files.stream();
    }

    private static JsonNode model(String file) {
        return ReferenceFigureChecks.model(reference, file);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void layersAreReadAsNumpyDerivedThem(String file) {
        JsonNode expected = model(file).get("layers");
        try (OnnxModel m = OnnxModelReader.open(folder.resolve(file))) {
            NetworkDescription network = m.readAll();
            assertEquals(expected.size(), network.depth(), "layer count");
            for (int i = 0; i < expected.size(); i++) {
                JsonNode e = expected.get(i);
                DenseLayer l = network.layer(i);
                String what = file + " layer " + i;
                assertEquals(e.get("subgraph").asText(), l.subgraph(), what + " subgraph");
                ReferenceFigureChecks.assertLayer(e, l, WEIGHT_TOL, 1, what);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void edgesFollowTheDataFlow(String file) {
        Set<List<Object>> expected = new HashSet<>();
        for (JsonNode e : model(file).get("edges")) {
            expected.add(List.of(e.get("producer").asInt(), e.get("consumer").asInt(), e.get("via_residual").asBoolean()));
        }
        try (OnnxModel m = OnnxModelReader.open(folder.resolve(file))) {
            Set<List<Object>> actual = new HashSet<>();
            for (DataFlowEdge e : m.outline().edges()) {
                actual.add(List.of(e.producer(), e.consumer(), e.viaResidual()));
            }
            assertEquals(expected, actual);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void figuresMatchNumpy(String file) {
        try (OnnxModel m = OnnxModelReader.open(folder.resolve(file))) {
            ReferenceFigureChecks.assertFiguresMatch(model(file), m.readAll(), FIGURE_TOL, file);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void notesSayWhenThereIsNoDenseLayer(String file) {
        try (OnnxModel m = OnnxModelReader.open(folder.resolve(file))) {
            boolean none = model(file).get("layers").isEmpty();
            assertEquals(none, m.notes().stream().anyMatch(n -> n.startsWith("no dense layer")), String.valueOf(m.notes()));
            for (JsonNode expected : model(file).get("notes")) {
                assertTrue(m.notes().stream().anyMatch(n -> n.contains(expected.asText())),
                        "note '" + expected.asText() + "' in " + m.notes());
            }
            assertEquals(m.outline().layers().size(), m.bindings().size());
            assertTrue(m.info().irVersion() > 0);
        }
    }
}
