package dev.invariance.analysis;

import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairMetricsTest {
    private static DenseLayer layer(String name, WeightMatrix w) {
        return new DenseLayer(name, "Dense", w, null, Activation.LINEAR, ElementType.FLOAT64);
    }

    private static PairMetrics pair(WeightMatrix from, WeightMatrix to) {
        return WeightAnalyzer.create().analyzePair(layer("a", from), layer("b", to));
    }

    private static double[][] permuteAndFlip(double[][] q, int[] perm, double[] signs) {
        double[][] out = new double[q.length][q.length];
        for (int i = 0; i < q.length; i++) {
            for (int c = 0; c < q.length; c++) {
                out[i][c] = signs[c] * q[i][perm[c]];
            }
        }
        return out;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                for (int t = 0; t < b.length; t++) {
                    c[i][j] += a[i][t] * b[t][j];
                }
            }
        }
        return c;
    }

    @Test
    void alignedLayersFromSharedOrthogonalBasesHaveCommutatorBelow1e12() {
        // science.md A2.3: W0 = Q1 S0 Q0ᵀ, W1 = Q2 S1 Q1ᵀ
        double[][] q0 = Matrices.randomOrthogonal(6, 1);
        double[][] q1 = Matrices.randomOrthogonal(6, 2);
        double[][] q2 = Matrices.randomOrthogonal(6, 3);
        double[] s0 = {3.0, 2.5, 1.7, 1.1, 0.6, 0.2};
        double[] s1 = {2.0, 1.9, 1.0, 0.8, 0.3, 0.1};
        WeightMatrix w0 = Matrices.compose(q1, s0, q0);
        WeightMatrix w1 = Matrices.compose(q2, s1, q1);
        PairMetrics p = pair(w0, w1);
        assertTrue(p.commutatorScore() < 1e-12, "c = " + p.commutatorScore());
        assertEquals(1.0, p.adjacentAlignment(), 1e-12);
        assertEquals(1.0, p.weightedAlignment(), 1e-12);
        assertEquals(1.0, p.subspaceScore(), 1e-12);
        assertTrue(p.matchedIsPermutation());
    }

    @Test
    void signsAndPermutationsOfTheSharedBasisKeepTheScoreBelow1e12() {
        double[][] q0 = Matrices.randomOrthogonal(5, 4);
        double[][] q1 = Matrices.randomOrthogonal(5, 5);
        double[][] q2 = Matrices.randomOrthogonal(5, 6);
        double[][] q1p = permuteAndFlip(q1, new int[] {3, 0, 4, 2, 1}, new double[] {-1, 1, -1, 1, 1});
        WeightMatrix w0 = Matrices.compose(q1, new double[] {4, 3, 2, 1, 0.5}, q0);
        // W1 uses the permuted, sign-flipped copy of Q1 as its right factor: still a common eigenbasis
        WeightMatrix w1 = Matrices.compose(q2, new double[] {5, 2.2, 1.3, 0.7, 0.4}, q1p);
        assertTrue(pair(w0, w1).commutatorScore() < 1e-12);
    }

    @Test
    void aNonCommutingRotationOfOneLayerRaisesTheScoreAbove1e2() {
        double[][] q0 = Matrices.randomOrthogonal(6, 7);
        double[][] q1 = Matrices.randomOrthogonal(6, 8);
        double[][] q2 = Matrices.randomOrthogonal(6, 9);
        double[] s0 = {3.0, 2.5, 1.7, 1.1, 0.6, 0.2};
        double[] s1 = {2.0, 1.9, 1.0, 0.8, 0.3, 0.1};
        double[][] rotated = multiply(Matrices.randomOrthogonal(6, 10), q1);
        WeightMatrix w0 = Matrices.compose(rotated, s0, q0); // R W0
        WeightMatrix w1 = Matrices.compose(q2, s1, q1);
        PairMetrics p = pair(w0, w1);
        assertTrue(p.commutatorScore() > 1e-2, "c = " + p.commutatorScore());
        assertTrue(p.commutatorAlignment() < 1 - 1e-2);
    }

    @Test
    void adjacentAlignmentIsTheCosineBetweenTheTopVectors() {
        // u_from = first column of Q1; v_to = first column of Q1' with angle θ between them
        double theta = 0.4;
        double[][] q1 = Matrices.identity(3);
        double[][] q1r = {{Math.cos(theta), -Math.sin(theta), 0}, {Math.sin(theta), Math.cos(theta), 0}, {0, 0, 1}};
        WeightMatrix w0 = Matrices.compose(q1, new double[] {3, 1}, Matrices.rotation(2, 0.3));
        WeightMatrix w1 = Matrices.compose(Matrices.rotation(2, 1.0), new double[] {2, 0.5}, q1r);
        PairMetrics p = pair(w0, w1);
        assertEquals(Math.cos(theta), p.adjacentAlignment(), 1e-13);
        // W1 W0 = U1 diag(2, .5) [[cos, sin], [-sin, cos]] diag(3, 1) V0ᵀ in the leading 2 × 2 block
        double[][] core = {{2 * 3 * Math.cos(theta), 2 * 1 * Math.sin(theta)}, {-0.5 * 3 * Math.sin(theta), 0.5 * Math.cos(theta)}};
        double top = dev.invariance.linalg.DenseSvd.singularValues(WeightMatrix.fromRows(core)).singularValue(0);
        assertEquals(top / 6.0, p.weightedAlignment(), 1e-13);
    }

    @Test
    void zeroLayerGivesNaNScoresWithoutException() {
        PairMetrics p = pair(WeightMatrix.zeros(3, 2), Matrices.gaussian(2, 3, 1));
        assertTrue(Double.isNaN(p.adjacentAlignment()));
        assertTrue(Double.isNaN(p.weightedAlignment()));
        assertTrue(Double.isNaN(p.commutatorScore()));
        assertTrue(Double.isNaN(p.subspaceScore()));
        assertEquals(Boolean.FALSE, p.matchedIsPermutation());
    }

    @Test
    void residualAdditionsAddPairsThatSkipOverLayers() {
        // x2 = W1 x1 + x1: the output of layer 0 also feeds layer 2
        double[][] q = Matrices.randomOrthogonal(4, 12);
        WeightMatrix w0 = Matrices.compose(q, new double[] {3, 1, 0.5}, Matrices.rotation(3, 0.2));
        WeightMatrix w1 = Matrices.gaussian(4, 4, 13);
        WeightMatrix w2 = Matrices.compose(Matrices.rotation(2, 0.1), new double[] {2, 1}, q); // v_2 = u_0
        NetworkDescription net = NetworkDescription.residualChain("residual",
                List.of(layer("l0", w0), layer("l1", w1), layer("l2", w2)), List.of(false, true, false));
        AnalysisReport r = WeightAnalyzer.create().analyze(net);
        assertEquals(3, r.pairs().size());
        PairMetrics skip = r.pairs().stream().filter(PairMetrics::viaResidual).findFirst().orElseThrow();
        assertEquals(List.of(0, 2, 1), List.of(skip.producer(), skip.consumer(), skip.viaResidual() ? 1 : 0));
        assertEquals(1.0, skip.adjacentAlignment(), 1e-12);
    }
}
