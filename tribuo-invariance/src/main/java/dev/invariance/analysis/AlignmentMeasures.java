package dev.invariance.analysis;

import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

/**
 * The pair scores of science.md 2.6, 2.7 and 2.9 for W_from (d × n) feeding W_to (m × d), assembled into
 * {@link PairMetrics}. From the two layers' spectra W_from = U_f Σ_f V_fᵀ and W_to = U_t Σ_t V_tᵀ:
 * <ul>
 *   <li>the adjacent alignment a = |v_toᵀ u_from| of the top right singular vector of W_to and the top left one of
 *       W_from (2.6);</li>
 *   <li>with k = min(nrank_δ(W_from), nrank_δ(W_to)) and M = V_t[:, :k]ᵀ U_f[:, :k] (k × k): the matched-vector
 *       score (1/k) Σ_j max_l |M_jl|, whether those argmaxes form a permutation, and the subspace score
 *       ‖M‖_F² / k, the mean squared cosine of the principal angles between the two top-k spaces (2.7).</li>
 * </ul>
 * The scores that need the full matrices, {σ₁(W_to W_from), c, ‖B − A‖_F} ({@link FullMatrixScores}), give the
 * weighted alignment ã = σ₁(W_to W_from) / (σ₁(W_to) σ₁(W_from)) (2.6), the commutator alignment 1 − c (2.7) and the
 * balancedness (2.9); they are null (not computed) when the matrices are not at hand.
 */
final class AlignmentMeasures {
    private AlignmentMeasures() {
    }

    /**
     * The pair metrics of layer {@code producer} (spectrum {@code a}, weights {@code wf}) feeding {@code consumer}
     * (spectrum {@code b}, weights {@code wt}); the full-matrix scores are computed when both matrices are given,
     * else null (not computed).
     *
     * @throws IllegalArgumentException when W_from's outputs are not W_to's inputs
     */
    static PairMetrics compute(int producer, int consumer, String producerName, String consumerName,
                               boolean viaResidual, LayerSpectrum a, LayerSpectrum b, @Nullable WeightMatrix wf,
                               @Nullable WeightMatrix wt, AnalysisOptions options) {
        requireChained(a, b, producerName, consumerName);
        double[] scores = wf != null && wt != null ? FullMatrixScores.of(wf, wt, a, b, options) : null;
        return compute(producer, consumer, producerName, consumerName, viaResidual, a, b, scores, options);
    }

    /**
     * As {@link #compute(int, int, String, String, boolean, LayerSpectrum, LayerSpectrum, WeightMatrix, WeightMatrix,
     * AnalysisOptions)} with the full-matrix scores {σ₁(W_to W_from), c, balancedness} already computed (null when
     * the matrices are not at hand: those metrics are then null, not computed).
     */
    static PairMetrics compute(int producer, int consumer, String producerName, String consumerName,
                               boolean viaResidual, LayerSpectrum a, LayerSpectrum b, double @Nullable [] scores,
                               AnalysisOptions options) {
        requireChained(a, b, producerName, consumerName);
        double nan = Double.NaN;
        boolean full = scores != null;
        double delta = options.getMatchedRankTolerance();
        int ra = a.relativeRank(delta);
        int rb = b.relativeRank(delta);
        Integer k = ra < 0 || rb < 0 ? null : Math.min(ra, rb);
        if (a.isZero() || b.isZero()) {
            Double undefined = full ? nan : null;
            Double matchedUndefined = k == null ? null : nan;
            return new PairMetrics(producer, consumer, producerName, consumerName, viaResidual, nan, undefined,
                    undefined, undefined, scores != null ? scores[2] : null, k, matchedUndefined,
                    k == null ? null : false, matchedUndefined);
        }
        double adjacent = Math.abs(dot(b.vectors.rightVector(0), a.vectors.leftVector(0)));
        Double weighted = null;
        Double c = null;
        Double balance = null;
        if (scores != null) {
            weighted = scores[0] / (SpectralMeasures.sigma(a.values, 0) * SpectralMeasures.sigma(b.values, 0));
            c = scores[1];
            balance = scores[2];
        }
        Double matched = null;
        Double subspace = null;
        Boolean permutation = null;
        if (k != null && k == 0) {
            matched = nan; // no leading directions to match: undefined, not "not computed"
            subspace = nan;
            permutation = false;
        } else if (k != null && k <= options.getSubspaceRankLimit() && k <= a.vectorCount() && k <= b.vectorCount()) {
            double[][] mm = new double[k][k];
            for (int j = 0; j < k; j++) {
                double[] v = b.vectors.rightVector(j);
                for (int l = 0; l < k; l++) {
                    mm[j][l] = dot(v, a.vectors.leftVector(l));
                }
            }
            double sumMax = 0;
            double sumSq = 0;
            boolean[] used = new boolean[k];
            boolean isPermutation = true;
            for (int j = 0; j < k; j++) {
                int arg = 0;
                for (int l = 0; l < k; l++) {
                    sumSq += mm[j][l] * mm[j][l];
                    if (Math.abs(mm[j][l]) > Math.abs(mm[j][arg])) {
                        arg = l;
                    }
                }
                sumMax += Math.abs(mm[j][arg]);
                isPermutation &= !used[arg];
                used[arg] = true;
            }
            matched = sumMax / k;
            subspace = sumSq / k;
            permutation = isPermutation;
        }
        return new PairMetrics(producer, consumer, producerName, consumerName, viaResidual, adjacent, weighted, c,
                c == null ? null : 1.0 - c, balance, k, matched, permutation, subspace);
    }

    private static void requireChained(LayerSpectrum a, LayerSpectrum b, String producerName, String consumerName) {
        if (a.rows != b.columns) {
            throw new IllegalArgumentException("layer " + producerName + " produces " + a.rows
                    + " outputs but layer " + consumerName + " reads " + b.columns);
        }
    }

    /** xᵀy. */
    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }
}
