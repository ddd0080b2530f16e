package dev.invariance.compression;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.Spectrum;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.WeightMatrix;
import dev.invariance.network.WeightPanels;

/**
 * The leading singular triplets of one layer W (d_out × d_in) and ‖W‖_F, enough to choose a rank
 * ({@link RankChoice}) and build its factors ({@link #factors}). Never more than {@code maxSavingRank + 1} triplets are
 * needed, since a larger rank saves no parameters.
 * <ul>
 *   <li>In memory ({@link #of(WeightMatrix, RankChoice)}): LAPACK's dense SVD gives every singular value; ‖W‖_F comes
 *       from the weights.</li>
 *   <li>From panels ({@link #of(WeightPanels, RankChoice)}, a layer read from the file without a copy on the heap):
 *       block Lanczos for the top k ({@link TruncatedSvd#top(WeightPanels, int)}, which also sums ‖W‖_F² over the
 *       panels). A fixed rank R asks for R + 1 triplets; an energy share starts with k = 32 and doubles k until the
 *       leading values reach the share or k covers every saving rank, so the full spectrum is never computed.</li>
 * </ul>
 */
public final class TruncationSpectrum {
    /** The first k tried for an energy share from panels. */
    static final int FIRST_TOP_K = 32;

    private final Spectrum spectrum;
    private final double frobenius;

    private TruncationSpectrum(Spectrum spectrum, double frobenius) {
        this.spectrum = spectrum;
        this.frobenius = frobenius;
    }

    /**
     * Every singular value of {@code w} and its leading {@code vectors} pairs (dense SVD).
     *
     * @param vectors how many pairs to keep, at most min(d_out, d_in): the largest rank {@link #factors} will build
     */
    public static TruncationSpectrum of(WeightMatrix w, int vectors) {
        return new TruncationSpectrum(DenseSvd.decompose(w, vectors), w.frobeniusNorm());
    }

    /** What {@code choice} needs of {@code w} in memory: every value, and the vectors of any saving rank. */
    public static TruncationSpectrum of(WeightMatrix w, RankChoice choice) {
        int needed = RankChoice.valuesNeeded(w.getRows(), w.getColumns());
        return of(w, choice.isFixedRank() ? Math.min(choice.getRank(), needed) : needed);
    }

    /**
     * What {@code choice} needs of a layer read a panel at a time: the top R + 1 triplets for a fixed rank R, or top-k
     * with k doubling from {@link #FIRST_TOP_K} until the energy share is reached or no saving rank is left.
     */
    public static TruncationSpectrum of(WeightPanels w, RankChoice choice) {
        int dOut = w.outputWidth();
        int dIn = w.inputWidth();
        int cap = RankChoice.valuesNeeded(dOut, dIn);
        if (cap == 0) {
            throw new IllegalArgumentException("an empty " + dOut + " x " + dIn + " layer has no singular values");
        }
        TruncatedSvd svd = TruncatedSvd.withDefaults();
        if (choice.isFixedRank()) {
            return top(svd, w, Math.min(choice.getRank() + 1, cap));
        }
        int k = Math.min(FIRST_TOP_K, cap);
        while (true) {
            TruncationSpectrum s = top(svd, w, k);
            if (k == cap || choice.decide(s.singularValues(), s.frobenius * s.frobenius, dOut, dIn) >= 0) {
                return s;
            }
            k = Math.min(2 * k, cap);
        }
    }

    /** The top {@code k} triplets of {@code w} from its panels (any rank up to k can be built). */
    public static TruncationSpectrum top(WeightPanels w, int k) {
        return top(TruncatedSvd.withDefaults(), w, k);
    }

    private static TruncationSpectrum top(TruncatedSvd svd, WeightPanels w, int k) {
        TruncatedSvd.Streamed s = svd.top(w, k);
        return new TruncationSpectrum(s.spectrum(), s.frobenius());
    }

    /** d_out. */
    public int getRows() {
        return spectrum.getRows();
    }

    /** d_in. */
    public int getColumns() {
        return spectrum.getColumns();
    }

    /** ‖W‖_F. */
    public double getFrobeniusNorm() {
        return frobenius;
    }

    /** The singular values known, descending (all of them in memory, the leading ones from panels). */
    public double[] singularValues() {
        return spectrum.singularValueArray();
    }

    /** How many leading singular vector pairs are held: the largest rank {@link #factors} builds. */
    public int vectorCount() {
        return spectrum.getVectorCount();
    }

    /** The rank {@code choice} gives this layer, 0 when it is kept ({@link RankChoice#rankFor}). */
    public int rankFor(RankChoice choice) {
        return choice.rankFor(singularValues(), frobenius * frobenius, getRows(), getColumns());
    }

    /** σ_{r+1} = ‖W − W_r‖₂: 0 when r is min(d_out, d_in), NaN when that value was not computed. */
    public double error(int rank) {
        if (rank >= Math.min(getRows(), getColumns())) {
            return 0.0;
        }
        return rank < spectrum.getValueCount() ? spectrum.singularValue(rank) : Double.NaN;
    }

    /** Σ_{i≤r} σ_i² / ‖W‖_F² (1 for a zero matrix). */
    public double energyKept(int rank) {
        double kept = 0;
        for (int i = 0; i < rank; i++) {
            kept += spectrum.singularValue(i) * spectrum.singularValue(i);
        }
        double total = frobenius * frobenius;
        return total == 0 ? 1.0 : Math.min(1.0, kept / total);
    }

    /**
     * The rank-r factors {@code left = U_r Σ_r^{1/2}}, {@code right = Σ_r^{1/2} V_rᵀ}.
     *
     * @throws IllegalArgumentException when fewer than r vector pairs were computed, or r &lt; 1
     */
    public LowRankFactors factors(int rank) {
        if (rank < 1 || rank > spectrum.getVectorCount()) {
            throw new IllegalArgumentException("rank " + rank + " asked of a spectrum holding "
                    + spectrum.getVectorCount() + " singular vector pairs");
        }
        int m = getRows();
        int n = getColumns();
        double[] left = new double[m * rank];
        double[] right = new double[rank * n];
        for (int j = 0; j < rank; j++) {
            double root = Math.sqrt(spectrum.singularValue(j));
            double[] u = spectrum.leftVector(j);
            double[] v = spectrum.rightVector(j);
            for (int i = 0; i < m; i++) {
                left[i * rank + j] = u[i] * root;
            }
            for (int i = 0; i < n; i++) {
                right[j * n + i] = v[i] * root;
            }
        }
        return new LowRankFactors(WeightMatrix.fromRowMajor(m, rank, left), WeightMatrix.fromRowMajor(rank, n, right),
                rank, error(rank));
    }

    /** What compressing at {@code rank} (0: keeping) does to the layer. */
    public CompressedLayer describe(String name, String operator, int rank) {
        if (rank == 0) {
            return CompressedLayer.kept(name, operator, getRows(), getColumns());
        }
        return new CompressedLayer(name, operator, getRows(), getColumns(), rank, error(rank), energyKept(rank),
                (long) getRows() * getColumns(), (long) rank * ((long) getRows() + getColumns()));
    }
}
