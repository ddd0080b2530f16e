package dev.invariance.analysis;

import dev.invariance.network.ElementType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which solver {@link LayerSpectrum} picks for a layer's spectrum. */
class LayerSpectrumRouteTest {
    private static final AnalysisOptions FULL = AnalysisOptions.defaults();
    private static final AnalysisOptions TOP_K = AnalysisOptions.builder().spectrum(SpectrumMode.TOP_K).build();

    @Test
    void largeFloat32LayersInFullModeUseTheDoubleGramEigensolver() {
        assertTrue(LayerSpectrum.usesGramSvd(ElementType.FLOAT32, 1024, FULL));
        assertTrue(LayerSpectrum.usesGramSvd(ElementType.FLOAT16, 512, FULL));
    }

    @Test
    void smallDoubleOrTopKLayersDoNot() {
        assertFalse(LayerSpectrum.usesGramSvd(ElementType.FLOAT32, 511, FULL), "below the fast threshold: dense SVD");
        assertFalse(LayerSpectrum.usesGramSvd(ElementType.FLOAT64, 1024, FULL), "float64 keeps dgesdd's precision");
        assertFalse(LayerSpectrum.usesGramSvd(ElementType.FLOAT32, 1024, TOP_K), "top-k mode uses Lanczos");
    }

    @Test
    void aGramMatrixLargerThanAQuarterOfTheHeapIsNotFormed() {
        // 65536² doubles are 32 GiB: more than a quarter of any heap these tests run in
        assertFalse(LayerSpectrum.usesGramSvd(ElementType.FLOAT32, 1 << 16, FULL));
    }
}
