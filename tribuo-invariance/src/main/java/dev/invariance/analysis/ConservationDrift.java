package dev.invariance.analysis;

import dev.invariance.linalg.internal.MatrixOps;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/** Computes {@link DriftMetrics} between an initial and a current network of the same architecture. */
public final class ConservationDrift {
    private ConservationDrift() {
    }

    /**
     * Drift of every consecutive pair of {@code current} relative to {@code initial}.
     *
     * @param inputs the training inputs (N × d_0) that define the stably active sets, or null to skip the
     *               D[S, S] drift (then NaN)
     * @throws IllegalArgumentException if the two networks' shapes differ
     */
    public static List<DriftMetrics> between(NetworkDescription initial, NetworkDescription current,
                                             @Nullable WeightMatrix inputs) {
        if (initial.depth() != current.depth()) {
            throw new IllegalArgumentException("networks differ in depth: " + initial.depth() + " vs " + current.depth());
        }
        List<LayerActivation> acts = inputs == null ? null : ActivationPatterns.of(current, inputs);
        List<DriftMetrics> out = new ArrayList<>();
        for (DataFlowEdge p : current.edges()) {
            WeightMatrix d0 = balanceMatrix(initial.layer(p.producer()), initial.layer(p.consumer()));
            WeightMatrix dt = balanceMatrix(current.layer(p.producer()), current.layer(p.consumer()));
            if (d0.getRows() != dt.getRows()) {
                throw new IllegalArgumentException("layer " + current.layer(p.producer()).name() + " changed shape");
            }
            int d = dt.getRows();
            WeightMatrix wf = current.layer(p.producer()).weights();
            double wNorm = MatrixOps.frobenius(wf);
            double diff = MatrixOps.frobeniusDistance(dt, d0);
            double diag = 0;
            for (int j = 0; j < d; j++) {
                diag = Math.max(diag, Math.abs(dt.get(j, j) - d0.get(j, j)));
            }
            double stable = Double.NaN;
            double stableRel = Double.NaN;
            int size = 0;
            if (acts != null && !acts.get(p.producer()).stablyActive().isEmpty()) {
                List<Integer> s = acts.get(p.producer()).stablyActive();
                size = s.size();
                stable = MatrixOps.frobeniusDistance(MatrixOps.submatrix(dt, s, s), MatrixOps.submatrix(d0, s, s));
                double rows = MatrixOps.frobenius(MatrixOps.submatrix(wf, s, MatrixOps.range(wf.getColumns())));
                stableRel = stable / Math.max(1.0, rows * rows);
            }
            out.add(new DriftMetrics(p.producer(), p.consumer(), diff / Math.max(1.0, wNorm * wNorm),
                    MatrixOps.frobenius(dt), diag, stable, stableRel, size));
        }
        return List.copyOf(out);
    }

    /** D = W_toᵀ W_to − W̃_from W̃_fromᵀ with W̃ = [W | b] for a layer with bias. */
    static WeightMatrix balanceMatrix(DenseLayer from, DenseLayer to) {
        WeightMatrix wf = from.bias() == null ? from.weights()
                : MatrixOps.appendColumn(from.weights(), from.bias().toArray());
        double[] a = MatrixOps.multiply(to.weights(), true, to.weights(), false).toRowMajorArray();
        double[] b = MatrixOps.multiply(wf, false, wf, true).toRowMajorArray();
        for (int i = 0; i < a.length; i++) {
            a[i] -= b[i];
        }
        return WeightMatrix.fromRowMajor(from.outputWidth(), from.outputWidth(), a);
    }
}
