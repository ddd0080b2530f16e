package dev.invariance.linalg;

import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DenseSvdTest {
    private static final double EPS64 = 0x1p-52;

    /** W = U diag(5, 3, 2, 0.5) Vᵀ with U 6 × 6 and V 4 × 4 built from rotations. */
    private static final double[] S = {5.0, 3.0, 2.0, 0.5};
    private static final double[][] U = Matrices.rotation(6, 0.3);
    private static final double[][] V = Matrices.rotation(4, -0.8);
    private static final WeightMatrix W = Matrices.compose(U, S, V);

    @Test
    void singularValuesOfAHandBuiltMatrixMatchItsConstruction() {
        Spectrum s = DenseSvd.singularValues(W);
        assertEquals(4, s.getValueCount());
        assertTrue(s.isComplete());
        // backward-stable SVD: |Δσ| ≤ p(m,n)·ε·σ₁; 100 ulps of σ₁ is generous for a 6 × 4 matrix
        for (int j = 0; j < 4; j++) {
            assertEquals(S[j], s.singularValue(j), 100 * EPS64 * S[0]);
        }
    }

    @Test
    void decomposeReturnsLeftVectorsInOutputSpaceAndRightVectorsInInputSpace() {
        Spectrum s = DenseSvd.decompose(W, 2);
        assertEquals(2, s.getVectorCount());
        for (int j = 0; j < 2; j++) {
            assertEquals(6, s.leftVector(j).length);
            assertEquals(4, s.rightVector(j).length);
            // up to sign, u_j is column j of U and v_j column j of V; the gaps are ≥ 1 so vectors are well determined
            assertEquals(1.0, Matrices.absDot(s.leftVector(j), Matrices.column(U, j)), 1e-13);
            assertEquals(1.0, Matrices.absDot(s.rightVector(j), Matrices.column(V, j)), 1e-13);
        }
    }

    @Test
    void wideMatrixHasTheSameValuesAsItsTranspose() {
        Spectrum tall = DenseSvd.decompose(W, 1);
        Spectrum wide = DenseSvd.decompose(W.transpose(), 1);
        for (int j = 0; j < 4; j++) {
            assertEquals(tall.singularValue(j), wide.singularValue(j), 100 * EPS64 * S[0]);
        }
        // transposing swaps the roles of the left and right vectors
        assertEquals(1.0, Matrices.absDot(wide.leftVector(0), Matrices.column(V, 0)), 1e-13);
        assertEquals(1.0, Matrices.absDot(wide.rightVector(0), Matrices.column(U, 0)), 1e-13);
    }

    @Test
    void emptyMatrixHasNoSingularValues() {
        Spectrum s = DenseSvd.decompose(WeightMatrix.zeros(0, 5), 0);
        assertEquals(0, s.getValueCount());
        assertEquals(0, DenseSvd.singularValues(WeightMatrix.zeros(3, 0)).getValueCount());
    }

    @Test
    void zeroMatrixHasAllZeroSingularValues() {
        Spectrum s = DenseSvd.decompose(WeightMatrix.zeros(3, 4), 1);
        assertEquals(3, s.getValueCount());
        for (double v : s.getSingularValues()) {
            assertEquals(0.0, v);
        }
    }

    @Test
    void rowVectorHasItsNormAsOnlySingularValue() {
        WeightMatrix row = WeightMatrix.fromRows(new double[] {3.0, 0.0, -4.0});
        Spectrum s = DenseSvd.decompose(row, 1);
        assertEquals(1, s.getValueCount());
        assertEquals(5.0, s.singularValue(0), 4 * EPS64 * 5.0);
        assertEquals(1.0, Math.abs(s.leftVector(0)[0]), 4 * EPS64);
        assertEquals(1.0, Matrices.absDot(s.rightVector(0), new double[] {0.6, 0.0, -0.8}), 4 * EPS64);
    }

    @Test
    void floatPathAgreesToSinglePrecision() {
        Spectrum s = DenseSvd.singularValues(W, ElementType.FLOAT32);
        // sgesdd's error is p(m,n)·ε₃₂·σ₁; 100 float ulps of σ₁
        for (int j = 0; j < 4; j++) {
            assertEquals(S[j], s.singularValue(j), 100 * 0x1p-23 * S[0]);
        }
    }

    @Test
    void askingForMoreVectorsThanTheRankIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> DenseSvd.decompose(W, 5));
    }
}
