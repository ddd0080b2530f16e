package dev.invariance.compression;

import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Rank choice and factors on a hand-built W = diag(4, 2, 1, 0.5) padded to 4 × 6 (singular values known). */
class TruncationSpectrumTest {
    private static WeightMatrix diagonal() {
        double[] w = new double[4 * 6];
        double[] s = {4, 2, 1, 0.5};
        for (int i = 0; i < 4; i++) {
            w[i * 6 + i] = s[i];
        }
        return WeightMatrix.fromRowMajor(4, 6, w);
    }

    @Test
    void energyPicksTheSmallestRankReachingTheShare() {
        // σ² = 16, 4, 1, 0.25 of 21.25: rank 1 keeps 0.753, rank 2 0.941 (4 x 6 saves parameters up to rank 2)
        TruncationSpectrum s = TruncationSpectrum.of(diagonal(), RankChoice.energy(0.9));
        assertEquals(2, s.rankFor(RankChoice.energy(0.9)));
        assertEquals(1, s.rankFor(RankChoice.energy(0.75)));
        assertEquals(0, s.rankFor(RankChoice.energy(0.95)), "rank 3 saves nothing: kept");
        assertEquals(0, s.rankFor(RankChoice.fixedRank(3)));
    }

    @Test
    void factorsMultiplyToTheTruncationWithErrorSigmaRPlusOne() {
        LowRankFactors f = TruncationSpectrum.of(diagonal(), 2).factors(2);
        assertEquals(1.0, f.error(), 1e-12);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 6; j++) {
                double p = 0;
                for (int k = 0; k < 2; k++) {
                    p += f.left().get(i, k) * f.right().get(k, j);
                }
                double expected = i == j && i < 2 ? (i == 0 ? 4 : 2) : 0;
                assertEquals(expected, p, 1e-12, i + "," + j);
            }
        }
        assertEquals(2 * 10, f.parameters());
    }

    @Test
    void refusesRanksAndSharesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> RankChoice.fixedRank(0));
        assertThrows(IllegalArgumentException.class, () -> RankChoice.energy(0));
        assertThrows(IllegalArgumentException.class, () -> RankChoice.energy(1.01));
        assertEquals(2, RankChoice.maxSavingRank(4, 6));
    }
}
