package dev.invariance.analysis;

import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.network.WeightMatrix;

/**
 * The commutator score and the balancedness straight from their definitions (science.md 2.7 and 2.9), with
 * A = W_from W_fromᵀ, B = W_toᵀ W_to and AB formed as d × d double matrices: the independent yardstick against which
 * the tests hold the faster routes of {@link FullMatrixScores}.
 */
final class ReferencePairScores {
    private ReferencePairScores() {
    }

    /** c = ‖AB − BA‖_F / (√2 ‖A‖_F ‖B‖_F) with A = W_from W_fromᵀ and B = W_toᵀ W_to; NaN if A or B is 0. */
    static double commutator(WeightMatrix wf, WeightMatrix wt) {
        WeightMatrix a = MatrixOps.multiply(wf, false, wf, true);
        WeightMatrix b = MatrixOps.multiply(wt, true, wt, false);
        double na = MatrixOps.frobenius(a);
        double nb = MatrixOps.frobenius(b);
        if (!(na > 0 && nb > 0)) {
            return Double.NaN;
        }
        // A and B are symmetric, so BA = (AB)ᵀ and AB − BA = C − Cᵀ.
        WeightMatrix c = MatrixOps.multiply(a, b);
        return MatrixOps.frobeniusDistance(c, c.transpose()) / (Math.sqrt(2.0) * na * nb);
    }

    /** ‖W_toᵀ W_to − W_from W_fromᵀ‖_F. */
    static double balancedness(WeightMatrix wf, WeightMatrix wt) {
        return MatrixOps.frobeniusDistance(MatrixOps.multiply(wt, true, wt, false),
                MatrixOps.multiply(wf, false, wf, true));
    }
}
