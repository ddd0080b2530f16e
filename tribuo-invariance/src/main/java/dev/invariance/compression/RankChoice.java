package dev.invariance.compression;

import java.util.Locale;

/**
 * How the rank r of a truncation {@code W ≈ W_r} is chosen for a layer W (d_out × d_in): a fixed rank, or the smallest
 * rank keeping a share e of the energy, {@code Σ_{i≤r} σ_i² ≥ e·‖W‖_F²}. Either way a layer is factored only when the
 * two factors hold fewer parameters than W, {@code r·(d_in + d_out) < d_in·d_out} ({@link #maxSavingRank}); otherwise
 * it is kept as it is (rank 0 in the results).
 */
public final class RankChoice {
    private final int rank;
    private final double energy;

    private RankChoice(int rank, double energy) {
        this.rank = rank;
        this.energy = energy;
    }

    /**
     * Every layer truncated to rank {@code rank} (kept when that saves nothing, or when W has no more than
     * {@code rank} singular values).
     *
     * @throws IllegalArgumentException when {@code rank < 1}
     */
    public static RankChoice fixedRank(int rank) {
        if (rank < 1) {
            throw new IllegalArgumentException("the rank must be at least 1 (got " + rank + ")");
        }
        return new RankChoice(rank, Double.NaN);
    }

    /**
     * Each layer truncated to the smallest r with {@code Σ_{i≤r} σ_i² ≥ share·‖W‖_F²}.
     *
     * @throws IllegalArgumentException unless {@code 0 < share ≤ 1}
     */
    public static RankChoice energy(double share) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("the energy share must be in (0, 1] (got " + share + ")");
        }
        return new RankChoice(0, share);
    }

    /** Whether the rank is fixed ({@link #getRank}) rather than chosen by energy ({@link #getEnergy}). */
    public boolean isFixedRank() {
        return rank > 0;
    }

    /** The fixed rank, or 0 when the rank is chosen by energy. */
    public int getRank() {
        return rank;
    }

    /** The energy share kept, or NaN when the rank is fixed. */
    public double getEnergy() {
        return energy;
    }

    /**
     * The largest r whose factors save parameters, {@code r·(d_in + d_out) < d_in·d_out}, or 0 when none does (it is
     * always below min(d_out, d_in)).
     */
    public static int maxSavingRank(int outputWidth, int inputWidth) {
        long product = (long) outputWidth * inputWidth;
        long sum = (long) outputWidth + inputWidth;
        return sum == 0 ? 0 : (int) Math.max(0, (product - 1) / sum);
    }

    /**
     * The rank this choice gives a layer whose leading singular values are {@code sigma} (descending), or 0 when the
     * layer is kept: the rank saves no parameters ({@link #maxSavingRank}).
     *
     * @param sigma             every singular value of W, or (energy) at least the leading ones up to
     *                          {@code maxSavingRank} (a larger rank is never chosen)
     * @param frobeniusSquared  ‖W‖_F², computed from the weights themselves
     * @throws IllegalArgumentException when {@code sigma} is too short to decide ({@link #valuesNeeded})
     */
    public int rankFor(double[] sigma, double frobeniusSquared, int outputWidth, int inputWidth) {
        int decided = decide(sigma, frobeniusSquared, outputWidth, inputWidth);
        if (decided < 0) {
            throw new IllegalArgumentException("the energy rank needs more than the " + sigma.length
                    + " leading singular values given");
        }
        return decided;
    }

    /**
     * The rank ({@link #rankFor}), or −1 when the leading values {@code sigma} do not yet reach the energy and a
     * saving rank beyond them could still reach it.
     */
    int decide(double[] sigma, double frobeniusSquared, int outputWidth, int inputWidth) {
        int cap = maxSavingRank(outputWidth, inputWidth);
        if (isFixedRank()) {
            return rank <= cap ? rank : 0;
        }
        double target = energy * frobeniusSquared;
        double kept = 0;
        for (int r = 1; r <= Math.min(sigma.length, cap); r++) {
            kept += sigma[r - 1] * sigma[r - 1];
            if (kept >= target) {
                return r;
            }
        }
        return sigma.length >= cap ? 0 : -1;
    }

    /**
     * Whether a layer d_out × d_in is kept whatever its singular values: no rank saves parameters, or the fixed rank is
     * above every saving one. Such a layer needs no spectrum.
     */
    public boolean keepsWithoutSpectrum(int outputWidth, int inputWidth) {
        int cap = maxSavingRank(outputWidth, inputWidth);
        return cap == 0 || (isFixedRank() && rank > cap);
    }

    /** How many leading singular values decide a rank and give its error σ_{r+1}: at most maxSavingRank + 1. */
    static int valuesNeeded(int outputWidth, int inputWidth) {
        return Math.min(maxSavingRank(outputWidth, inputWidth) + 1, Math.min(outputWidth, inputWidth));
    }

    /** {@code rank R} or {@code energy e}, as the settings are recorded. */
    @Override
    public String toString() {
        return isFixedRank() ? "rank " + rank : String.format(Locale.ROOT, "energy %s", energy);
    }
}
