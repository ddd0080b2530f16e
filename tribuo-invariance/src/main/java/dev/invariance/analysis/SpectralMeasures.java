package dev.invariance.analysis;

/**
 * Scalar functions of a complete list of singular values {@code σ_1 ≥ … ≥ σ_r ≥ 0} (r = min(m, n)) of a
 * {@code W} (m × n), science.md 2.1–2.5 and 2.12. Values beyond r are taken as 0 (so σ₂ = 0 for a 1 × n
 * matrix). Ratios of an all-zero (or empty) matrix are NaN, ranks 0.
 */
final class SpectralMeasures {
    private SpectralMeasures() {
    }

    static double sigma(double[] s, int j) {
        return j < s.length ? s[j] : 0.0;
    }

    /** ‖W‖₂ = σ₁. */
    static double spectralNorm(double[] s) {
        return sigma(s, 0);
    }

    /** ρ = ‖W‖₂ / ‖W‖_F, in [1/√rank, 1]; NaN when W = 0. */
    static double rank1Ratio(double spectral, double frobenius) {
        return frobenius > 0 ? spectral / frobenius : Double.NaN;
    }

    /** srank = ‖W‖_F² / ‖W‖₂², in [1, rank]; NaN when W = 0. */
    static double stableRank(double spectral, double frobenius) {
        return spectral > 0 ? (frobenius / spectral) * (frobenius / spectral) : Double.NaN;
    }

    /** #{k : σ_k > σ₁ · max(m, n) · ε} (NumPy's matrix_rank default tolerance). */
    static int numericalRank(double[] s, int m, int n, double epsilon) {
        return countAbove(s, sigma(s, 0) * Math.max(m, n) * epsilon);
    }

    /** #{k : σ_k > δ · σ₁}. */
    static int relativeRank(double[] s, double delta) {
        return countAbove(s, delta * sigma(s, 0));
    }

    private static int countAbove(double[] s, double tau) {
        int c = 0;
        for (double v : s) {
            if (v > tau) {
                c++;
            }
        }
        return c;
    }

    /**
     * Roy–Vetterli effective rank exp(−Σ p_k ln p_k), p_k = σ_k / Σ_j σ_j (l1-normalised, not squared),
     * 0 ln 0 = 0; in [1, rank]; NaN when W = 0.
     */
    static double effectiveRank(double[] s) {
        double total = 0;
        for (double v : s) {
            total += v;
        }
        if (!(total > 0)) {
            return Double.NaN;
        }
        double h = 0;
        for (double v : s) {
            if (v > 0) {
                double p = v / total;
                h -= p * Math.log(p);
            }
        }
        return Math.exp(h);
    }

    /** ‖W‖_* / ‖W‖_F = Σσ_k / √(Σσ_k²), in [1, √rank]; NaN when W = 0. */
    static double nuclearFrobeniusRatio(double[] s) {
        double sum = 0;
        double max = sigma(s, 0);
        if (!(max > 0)) {
            return Double.NaN;
        }
        double sq = 0;
        for (double v : s) {
            sum += v;
            double y = v / max;
            sq += y * y;
        }
        return sum / (max * Math.sqrt(sq));
    }

    /** σ₂/σ₁ in [0, 1]; NaN when W = 0. */
    static double secondToFirstRatio(double[] s) {
        double s1 = sigma(s, 0);
        return s1 > 0 ? sigma(s, 1) / s1 : Double.NaN;
    }
}
