package dev.invariance.analysis;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.LinearAlgebraBackend;
import dev.invariance.linalg.ProductSigma;
import dev.invariance.linalg.Spectrum;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;

/**
 * σ₁ of a formed matrix, in practice the product P = W_to W_from whose leading singular value gives the weighted
 * alignment ã = σ₁(W_to W_from) / (σ₁(W_to) σ₁(W_from)) of science.md 2.6: the dense SVD below
 * {@link AnalysisOptions#getFastTopKThreshold()}, else a Lanczos top-1.
 */
final class LeadingSingularValue {
    private LeadingSingularValue() {
    }

    /** σ₁(P) of a double matrix; 0 when P has no rows or no columns. */
    static double of(WeightMatrix p, AnalysisOptions options) {
        int r = Math.min(p.getRows(), p.getColumns());
        if (r == 0) {
            return 0;
        }
        if (r >= options.getFastTopKThreshold()) {
            return TruncatedSvd.withDefaults().top(p, 1, ElementType.FLOAT64).singularValue(0);
        }
        return DenseSvd.singularValues(p).singularValue(0);
    }

    /**
     * σ₁(W_to W_from) of a float32 pair from the product P = W_to W_from formed in single precision ({@code sgemm},
     * into {@code buffer} when it is large enough; already there when {@code formed}): float Lanczos on P for large
     * pairs, the leading value refined in double from the weights ({@link ProductSigma#refine}), or the dense float32
     * SVD of P for small ones.
     */
    static double ofFloatProduct(float[] f, float[] t, float @Nullable [] buffer, int d, int n, int m,
                                 AnalysisOptions options, TruncatedSvd solver, boolean formed) {
        float[] p = buffer != null && buffer.length >= m * n ? buffer : new float[m * n];
        if (!formed) {
            // row-major P = W_to W_from (m × n) is column-major Pᵀ = W_fromᵀ W_toᵀ
            LinearAlgebraBackend.blas().sgemm("N", "N", n, m, d, 1.0f, f, Math.max(1, n), t, d, 0.0f, p,
                    Math.max(1, n));
        }
        WeightMatrix product = WeightMatrix.fromRowMajor(m, n, p.length == m * n ? p : Arrays.copyOf(p, m * n));
        if (Math.min(m, n) >= options.getFastTopKThreshold()) {
            Spectrum top = solver.top(product, 1, ElementType.FLOAT32);
            return ProductSigma.refine(f, t, d, n, m, top.rightVector(0));
        }
        return DenseSvd.singularValues(product, ElementType.FLOAT32).singularValue(0);
    }
}
