package dev.invariance.analysis;

import dev.invariance.network.Activation;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOrigin;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LayerSelection}: the layers whose name or module path contains a match, the edges between them only, and
 * bad or costly patterns refused in one line naming the pattern.
 */
class LayerSelectionTest {
    private static AnalysisReport analyse(String pattern) {
        return WeightAnalyzer.create(AnalysisOptions.builder().layers(LayerSelection.matching(pattern)).build())
                .analyze(GraphFixture.network());
    }

    @Test
    void onlyTheSelectedLayersAreAnalysedAndTheEdgesBetweenThemKept() {
        // the fixture: in -> wide -> narrow, and narrow -> sliced (Slice), -> conv3x3 (Reshape), -> pointwise (residual)
        AnalysisReport all = WeightAnalyzer.create().analyze(GraphFixture.network());
        AnalysisReport some = analyse("^(narrow|sliced|pointwise)$");
        assertEquals(List.of("narrow", "sliced", "pointwise"), some.layers().stream().map(LayerMetrics::name).toList());
        assertEquals(List.of(all.layers().get(2), all.layers().get(3), all.layers().get(5)), some.layers(),
                "the same figures as in the whole network's analysis");
        // exactly the two edges whose ends are both selected, renumbered, with what they passed through
        assertEquals(2, some.edges().size());
        EdgeReport slice = some.edges().get(0);
        EdgeReport residual = some.edges().get(1);
        assertEquals(List.of(0, 1, 0, 2), List.of(slice.producer(), slice.consumer(), residual.producer(),
                residual.consumer()));
        assertEquals("narrow->sliced narrow->pointwise", slice.producerName() + "->" + slice.consumerName() + " "
                + residual.producerName() + "->" + residual.consumerName());
        assertEquals(List.of("Slice"), slice.ops());
        assertTrue(residual.viaResidual());
        assertEquals(all.edges().get(2).reason(), slice.reason());
        PairMetrics whole = all.pair("narrow", "pointwise");
        PairMetrics selected = some.pair("narrow", "pointwise");
        assertEquals(List.of(5, 2), List.of(whole.consumer(), whole.producer()));
        assertEquals(List.of(2, 0), List.of(selected.consumer(), selected.producer()));
        assertEquals(figures(whole), figures(selected), "the same pair figures");
        assertEquals("^(narrow|sliced|pointwise)$", some.layerPattern());
        assertNull(all.layerPattern());
    }

    private static List<Object> figures(PairMetrics p) {
        return java.util.Arrays.asList(p.adjacentAlignment(), p.weightedAlignment(), p.commutatorScore(),
                p.commutatorAlignment(), p.balancedness(), p.matchedRank(), p.matchedVectorScore(), p.subspaceScore());
    }

    @Test
    void layersWhoseNeighboursAreNotSelectedKeepNoEdge() {
        AnalysisReport r = analyse("wide|sliced");
        assertEquals(List.of("wide", "sliced"), r.layers().stream().map(LayerMetrics::name).toList());
        assertEquals(List.of(), r.edges());
        assertEquals(List.of(), r.pairs());
    }

    @Test
    void thePatternIsFoundAnywhereInTheNameOrTheModulePath() {
        NetworkOutline outline = new NetworkOutline("t", List.of(
                outline("onnx::MatMul_301", "encoder.layer.0.attention.query"),
                outline("onnx::MatMul_302", "encoder.layer.1.attention.query"),
                outline("classifier.weight", "classifier")), List.of());
        assertEquals(List.of(0, 1), LayerSelection.matching("attention\\.query").indicesIn(outline));
        assertEquals(List.of(1), LayerSelection.matching("layer\\.1\\.").indicesIn(outline));
        assertEquals(List.of(0), LayerSelection.matching("_301").indicesIn(outline));
        assertEquals(List.of(2), LayerSelection.matching("^classifier$").indicesIn(outline));
    }

    private static LayerOutline outline(String name, String module) {
        return new LayerOutline(name, "MatMul", 4, 4, ElementType.FLOAT32, Activation.LINEAR, false, null, "",
                new LayerOrigin(null, module, null, null, List.of()));
    }

    @Test
    void aPatternThatSelectsNothingIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> analyse("decoder"));
        assertEquals("layer pattern 'decoder' matches no layer name or module path of the 6 layers", e.getMessage());
    }

    @Test
    void anInvalidOrOverlongPatternIsRefusedInOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LayerSelection.matching("(a"));
        assertTrue(e.getMessage().startsWith("layer pattern '(a' is not a valid regular expression: Unclosed group"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        String tooLong = "a".repeat(LayerSelection.MAX_PATTERN_LENGTH + 1);
        assertThrows(IllegalArgumentException.class, () -> LayerSelection.matching(tooLong));
    }

    @Test
    void aPatternThatBacktracksExponentiallyOnLongNamesIsRefusedInBoundedTime() {
        // (.*a){20}$ on "aaaa…a!" tries every way of cutting the a's into 20 runs: on 28 letters, 28 s unbounded
        NetworkOutline outline = new NetworkOutline("t", List.of(outline("a".repeat(28) + "!", "m")), List.of());
        IllegalArgumentException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> assertThrows(IllegalArgumentException.class,
                        () -> LayerSelection.matching("(.*a){20}$").indicesIn(outline)));
        assertTrue(e.getMessage().contains("too costly to match"), e.getMessage());
    }

    @Test
    void aVeryLongNameThatOverflowsTheMatchersStackIsRefusedNotThrownAsAnError() {
        NetworkOutline outline = new NetworkOutline("t", List.of(outline("ab".repeat(200_000), "m")), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerSelection.matching("^(a|b)*c").indicesIn(outline));
        assertTrue(e.getMessage().contains("too costly to match"), e.getMessage());
    }
}
