package dev.invariance.analysis;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options builder reads as chained setters and as properties, with its defaults written once. */
class AnalysisOptionsTest {
    @Test
    void gettersBeforeAnySetterReturnTheDocumentedDefaults() {
        AnalysisOptions.Builder b = AnalysisOptions.builder();
        assertEquals(10, b.getTopK());
        assertEquals(false, b.isAllSingularValues());
        assertEquals(512, b.getFastTopKThreshold());
        assertEquals(32, b.getSubspaceRankLimit());
        assertEquals(1e-2, b.getMatchedRankTolerance());
        AnalysisOptions d = AnalysisOptions.defaults();
        assertEquals(10, d.getTopK());
        assertEquals(512, d.getFastTopKThreshold());
    }

    @Test
    void propertySettersAndChainedSettersAgree() {
        AnalysisOptions.Builder b = AnalysisOptions.builder();
        b.setTopK(20);
        b.setAllSingularValues(true);
        b.setMatchedRankTolerance(1e-3);
        AnalysisOptions viaSetters = b.build();
        AnalysisOptions chained = AnalysisOptions.builder().topK(20).allSingularValues(true).matchedRankTolerance(1e-3).build();
        assertEquals(chained.getTopK(), viaSetters.getTopK());
        assertTrue(viaSetters.isAllSingularValues());
        assertEquals(chained.getMatchedRankTolerance(), viaSetters.getMatchedRankTolerance());
    }

    @Test
    void outOfRangeValuesAreRefusedWhenSet() {
        assertThrows(IllegalArgumentException.class, () -> AnalysisOptions.builder().setTopK(-1));
        assertThrows(IllegalArgumentException.class, () -> AnalysisOptions.builder().setMatchedRankTolerance(1.0));
    }
}
