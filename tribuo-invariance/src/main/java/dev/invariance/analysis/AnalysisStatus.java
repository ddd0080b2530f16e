package dev.invariance.analysis;

import java.time.Duration;
import java.util.Objects;

/**
 * Where an analysis stands, as reported to {@link AnalysisProgress}: immutable, counts never decreasing from one
 * update to the next.
 *
 * @param layersDone       layers whose spectrum is computed
 * @param layersTotal      layers to analyse (the selected ones, {@link AnalysisOptions#getLayers()})
 * @param pairsDone        data-flow edges between analysed layers whose report is made (with pair metrics or a reason)
 * @param pairsTotal       those edges in all
 * @param weightBytesDone  bytes of weights read for the layers done, as stored in the model (2 per float16 entry,
 *                         one per int8 entry, half a byte per 4-bit entry); the reloads of full-mode pair scores are
 *                         not counted
 * @param weightBytesTotal bytes of weights of all layers to analyse, as stored
 * @param elapsed          time since the analysis started
 */
public record AnalysisStatus(int layersDone, int layersTotal, int pairsDone, int pairsTotal, long weightBytesDone,
                             long weightBytesTotal, Duration elapsed) {
    /** Checks that the counts are within their totals. */
    public AnalysisStatus {
        Objects.requireNonNull(elapsed, "elapsed");
        if (layersDone < 0 || layersDone > layersTotal || pairsDone < 0 || pairsDone > pairsTotal
                || weightBytesDone < 0 || weightBytesDone > weightBytesTotal) {
            throw new IllegalArgumentException("progress counts out of range: layers " + layersDone + "/"
                    + layersTotal + ", pairs " + pairsDone + "/" + pairsTotal + ", bytes " + weightBytesDone + "/"
                    + weightBytesTotal);
        }
    }

    /** Whether every layer and every pair is done. */
    public boolean isFinished() {
        return layersDone == layersTotal && pairsDone == pairsTotal;
    }
}
