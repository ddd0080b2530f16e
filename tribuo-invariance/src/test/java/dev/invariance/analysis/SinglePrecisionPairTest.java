package dev.invariance.analysis;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The single-precision Gram path of the pair scores (float32-stored pairs with d ≥
 * {@link FullMatrixScores#SINGLE_MIN}): its figures agree with double-precision products to the stated precision, and pairs whose differences cancel
 * (aligned, balanced) are still computed exactly.
 */
class SinglePrecisionPairTest {
    /** Unit roundoff of float32. */
    private static final double U = Math.ulp(1.0f) / 2;

    private static DenseLayer layer(String name, WeightMatrix w) {
        return new DenseLayer(name, "MatMul", w, null, Activation.LINEAR, ElementType.FLOAT32);
    }

    /**
     * A Gaussian float32 pair (600 × 600 into 600 × 600): c, ‖B − A‖_F and the weighted alignment against the same
     * formulas evaluated with double products of the float entries ({@link MatrixOps}, a separate implementation),
     * within the worst-case bounds of {@code SingleGramPairScores.scores}: 3·d·u/√2 absolute on c, 3·d·u relative on
     * the balancedness (against ‖A‖ + ‖B‖) and d·u relative on σ₁ of the product.
     */
    @Test
    void gaussianPairMatchesDoubleProductsToSinglePrecision() {
        int d = 600;
        WeightMatrix wf = Matrices.gaussianFloat32(d, d, 11);
        WeightMatrix wt = Matrices.gaussianFloat32(d, d, 12);
        assertTrue(FullMatrixScores.useSinglePath(wf, wt));
        PairMetrics p = WeightAnalyzer.create().analyzePair(layer("f", wf), layer("t", wt));
        double c = ReferencePairScores.commutator(wf, wt);
        assertTrue(c > FullMatrixScores.SINGLE_TRUST, "c = " + c); // the single path is what answered
        assertEquals(c, p.commutatorScore(), 3 * d * U / Math.sqrt(2));
        double scale = MatrixOps.frobenius(MatrixOps.multiply(wf, false, wf, true))
                + MatrixOps.frobenius(MatrixOps.multiply(wt, true, wt, false));
        assertEquals(ReferencePairScores.balancedness(wf, wt), p.balancedness(), 3 * d * U * scale);
        double product = DenseSvd.singularValues(MatrixOps.multiply(wt, wf)).singularValue(0);
        double expected = product / (DenseSvd.singularValues(wf).singularValue(0)
                * DenseSvd.singularValues(wt).singularValue(0));
        // the layers' σ₁ come from float32 LAPACK (relative error about d·u each), the product's from float Lanczos
        assertEquals(expected, p.weightedAlignment(), 3 * d * U * expected);
    }

    /**
     * A nearly aligned float32 pair: W_from = fl(Q diag(f)), W_to = fl(diag(t) Qᵀ) with Q a random 512 × 512 orthogonal
     * matrix, so A and B commute up to the rounding of the weights and c ≈ 10⁻⁸, far below what single-precision
     * products resolve (their error is about √d·u ≈ 10⁻⁶). The pair must fall back to double products and give c of
     * the stored weights to double precision: against {@link ReferencePairScores#commutator} (double products by
     * {@link MatrixOps}), whose cancellation error is about d·ε/c relative.
     */
    @Test
    void nearlyAlignedPairFallsBackToDouble() {
        int d = 512;
        double[][] q = Matrices.randomOrthogonal(d, 31);
        float[] from = new float[d * d];
        float[] to = new float[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                from[i * d + j] = (float) (q[i][j] * (1 + j % 7));   // Q diag(f)
                to[i * d + j] = (float) ((1 + i % 5) * q[j][i]);    // diag(t) Qᵀ
            }
        }
        WeightMatrix wf = WeightMatrix.fromRowMajor(d, d, from);
        WeightMatrix wt = WeightMatrix.fromRowMajor(d, d, to);
        assertTrue(FullMatrixScores.useSinglePath(wf, wt));
        PairMetrics p = WeightAnalyzer.create().analyzePair(layer("f", wf), layer("t", wt));
        double c = ReferencePairScores.commutator(wf, wt);
        assertTrue(c > 0 && c < 1e-5, "c = " + c);
        assertEquals(c, p.commutatorScore(), 1e-6 * c);
    }

    /**
     * A nearly balanced float32 pair: W_to = W_fromᵀ with every entry scaled by 1 ± 10⁻⁵, so ‖B − A‖_F is about 10⁻⁵
     * of ‖A‖_F, where single-precision Gram matrices (error about √d·u·‖A‖) would be off by several percent. The
     * fallback gives it to double precision, against {@link ReferencePairScores#balancedness} (double products by
     * {@link MatrixOps}).
     */
    @Test
    void nearlyBalancedPairFallsBackToDouble() {
        int d = 600;
        WeightMatrix wf = Matrices.gaussianFloat32(d, d, 21);
        float[] t = wf.transpose().toRowMajorFloatArray();
        Random r = new Random(22);
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) (t[i] * (1 + (r.nextBoolean() ? 1e-5 : -1e-5)));
        }
        WeightMatrix wt = WeightMatrix.fromRowMajor(d, d, t);
        assertTrue(FullMatrixScores.useSinglePath(wf, wt));
        PairMetrics p = WeightAnalyzer.create().analyzePair(layer("f", wf), layer("t", wt));
        double expected = ReferencePairScores.balancedness(wf, wt);
        double normA = MatrixOps.frobenius(MatrixOps.multiply(wf, false, wf, true));
        assertTrue(expected < 1e-3 * normA, "balancedness " + expected + " vs ||A|| " + normA);
        assertEquals(expected, p.balancedness(), 1e-8 * expected);
    }

    /** A balanced float32 pair, W_to = W_fromᵀ (B = A): ‖B − A‖_F and c vanish to double rounding. */
    @Test
    void balancedPairStaysAtRoundingLevel() {
        int d = 600;
        WeightMatrix wf = Matrices.gaussianFloat32(d, d, 21);
        WeightMatrix wt = wf.transpose();
        assertTrue(FullMatrixScores.useSinglePath(wf, wt));
        PairMetrics p = WeightAnalyzer.create().analyzePair(layer("f", wf), layer("t", wt));
        double normA = MatrixOps.frobenius(MatrixOps.multiply(wf, false, wf, true));
        assertTrue(p.balancedness() < 1e-13 * normA, "balancedness " + p.balancedness() + " vs ||A|| " + normA);
        assertTrue(p.commutatorScore() < 1e-14, "c = " + p.commutatorScore());
    }


    /** Double-stored pairs and small float32 pairs keep the double path. */
    @Test
    void singlePathOnlyForLargeFloatPairs() {
        WeightMatrix small = Matrices.gaussianFloat32(100, 100, 1);
        assertFalse(FullMatrixScores.useSinglePath(small, small));
        WeightMatrix doubles = WeightMatrix.fromRowMajor(600, 600,
                Matrices.gaussianFloat32(600, 600, 2).toRowMajorArray());
        assertFalse(FullMatrixScores.useSinglePath(doubles, doubles));
    }
}
