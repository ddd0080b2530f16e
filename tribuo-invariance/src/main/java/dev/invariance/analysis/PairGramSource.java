package dev.invariance.analysis;

import dev.invariance.linalg.GramSvd;
import dev.invariance.network.WeightMatrix;

/**
 * Where the single-precision pair scores ({@link SingleGramPairScores}, {@link SingleLowRankPairScores}) take the
 * Gram matrices of W_from (d × n) and W_to (m × d) from: WWᵀ or WᵀW of either side, formed in double and rounded to
 * float32 ({@link GramSvd#roundedGram}), every entry stored, read only. A full-mode analysis hands out the copies
 * its layer spectra made ({@link PairInputs}); alone, a pair forms them ({@link #formed}). Both give the same numbers,
 * so the scores do not depend on which one served them.
 */
@FunctionalInterface
interface PairGramSource {
    /**
     * The Gram matrix of the producer W_from ({@code producer}) or the consumer W_to: W Wᵀ when {@code rows},
     * else Wᵀ W. The caller must not modify the array.
     */
    float[] gram(boolean producer, boolean rows);

    /** Forms each Gram matrix when asked, from the weights. */
    static PairGramSource formed(WeightMatrix from, WeightMatrix to) {
        return (producer, rows) -> GramSvd.roundedGram(producer ? from : to, rows);
    }
}
