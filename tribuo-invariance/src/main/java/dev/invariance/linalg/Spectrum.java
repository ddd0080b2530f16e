package dev.invariance.linalg;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Singular values, and optionally leading singular vectors, of a matrix {@code W} (m × n, m = d_out rows,
 * n = d_in columns): {@code W = Σ_j σ_j u_j v_jᵀ} with {@code σ_1 ≥ σ_2 ≥ … ≥ 0}, {@code u_j ∈ R^m} (left,
 * output side) and {@code v_j ∈ R^n} (right, input side).
 *
 * <p>{@link #getSingularValues()} holds either all {@code min(m, n)} values (from a dense SVD) or only the
 * leading ones (from {@link TruncatedSvd}); {@link #isComplete()} says which. Vectors are available for
 * {@code j < getVectorCount()}; each vector's sign is arbitrary (as in any SVD), so metrics must use
 * sign-invariant quantities such as {@code |vᵀu|}. Immutable.
 */
public final class Spectrum {
    private final int rows;
    private final int columns;
    private final double[] values;
    private final boolean complete;
    private final double[][] left;
    private final double[][] right;

    Spectrum(int rows, int columns, double[] values, boolean complete, double[][] left, double[][] right) {
        if (left.length != right.length) {
            throw new IllegalArgumentException("need as many left as right singular vectors, got "
                    + left.length + " and " + right.length);
        }
        this.rows = rows;
        this.columns = columns;
        this.values = values;
        this.complete = complete;
        this.left = left;
        this.right = right;
    }

    /** Number of rows m (d_out) of the decomposed matrix. */
    public int getRows() {
        return rows;
    }

    /** Number of columns n (d_in) of the decomposed matrix. */
    public int getColumns() {
        return columns;
    }

    /** The singular values in descending order (all {@code min(m, n)} of them when {@link #isComplete()}). */
    public List<Double> getSingularValues() {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return Collections.unmodifiableList(out);
    }

    /** A fresh copy of the singular values in descending order. */
    public double[] singularValueArray() {
        return values.clone();
    }

    /** σ_{j+1} (0-based index j). */
    public double singularValue(int j) {
        return values[j];
    }

    /** How many singular values are held. */
    public int getValueCount() {
        return values.length;
    }

    /** Whether all {@code min(m, n)} singular values are held (a dense SVD), not just the leading ones. */
    public boolean isComplete() {
        return complete;
    }

    /** How many leading singular vector pairs (u_j, v_j) are held. */
    public int getVectorCount() {
        return left.length;
    }

    /** A fresh copy of the left singular vector u_{j+1} ∈ R^m (0-based index j). */
    public double[] leftVector(int j) {
        checkVector(j);
        return left[j].clone();
    }

    /** A fresh copy of the right singular vector v_{j+1} ∈ R^n (0-based index j). */
    public double[] rightVector(int j) {
        checkVector(j);
        return right[j].clone();
    }

    private void checkVector(int j) {
        if (j < 0 || j >= left.length) {
            throw new IndexOutOfBoundsException("singular vector " + j + " requested but only " + left.length
                    + " were computed");
        }
    }

    @Override
    public String toString() {
        return "Spectrum(" + rows + " x " + columns + ", " + values.length + " values, " + left.length + " vector pairs)";
    }
}
