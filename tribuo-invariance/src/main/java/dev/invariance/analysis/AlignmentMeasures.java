package dev.invariance.analysis;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;

/** The pair scores of science.md 2.6, 2.7 and 2.9 for W_from (d × ·) feeding W_to (· × d). */
final class AlignmentMeasures {
    private AlignmentMeasures() {
    }

    static PairMetrics compute(int from, int to, String fromName, String toName, boolean viaResidual,
                               LayerSpectrum a, LayerSpectrum b, AnalysisOptions options) {
        WeightMatrix wf = a.matrix;
        WeightMatrix wt = b.matrix;
        if (wf.getRows() != wt.getColumns()) {
            throw new IllegalArgumentException("layer " + fromName + " produces " + wf.getRows()
                    + " outputs but layer " + toName + " reads " + wt.getColumns());
        }
        double delta = options.getMatchedRankTolerance();
        int k = Math.min(SpectralMeasures.relativeRank(a.values, delta), SpectralMeasures.relativeRank(b.values, delta));
        if (a.isZero() || b.isZero()) {
            double nan = Double.NaN;
            return new PairMetrics(from, to, fromName, toName, viaResidual, nan, nan, nan, nan,
                    balancedness(wf, wt), k, nan, false, nan);
        }
        double adjacent = Math.abs(dot(b.vectors.rightVector(0), a.vectors.leftVector(0)));
        double weighted = productNorm(wt, wf, a.elementType, options)
                / (SpectralMeasures.sigma(a.values, 0) * SpectralMeasures.sigma(b.values, 0));
        double c = commutator(wf, wt);
        double matched = Double.NaN;
        double subspace = Double.NaN;
        boolean permutation = false;
        if (k > 0 && k <= options.getSubspaceRankLimit() && k <= a.vectorCount() && k <= b.vectorCount()) {
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
            permutation = true;
            for (int j = 0; j < k; j++) {
                int arg = 0;
                for (int l = 0; l < k; l++) {
                    sumSq += mm[j][l] * mm[j][l];
                    if (Math.abs(mm[j][l]) > Math.abs(mm[j][arg])) {
                        arg = l;
                    }
                }
                sumMax += Math.abs(mm[j][arg]);
                permutation &= !used[arg];
                used[arg] = true;
            }
            matched = sumMax / k;
            subspace = sumSq / k;
        }
        return new PairMetrics(from, to, fromName, toName, viaResidual, adjacent, weighted, c, 1.0 - c,
                balancedness(wf, wt), k, matched, permutation, subspace);
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
        return MatrixOps.frobeniusDistance(MatrixOps.multiply(wt, true, wt, false), MatrixOps.multiply(wf, false, wf, true));
    }

    private static double productNorm(WeightMatrix wt, WeightMatrix wf, ElementType type, AnalysisOptions options) {
        WeightMatrix p = MatrixOps.multiply(wt, wf);
        int r = Math.min(p.getRows(), p.getColumns());
        if (r >= options.getFastTopKThreshold()) {
            return TruncatedSvd.withDefaults().top(p, 1, ElementType.FLOAT64).singularValue(0);
        }
        return DenseSvd.singularValues(p).singularValue(0);
    }

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }
}
