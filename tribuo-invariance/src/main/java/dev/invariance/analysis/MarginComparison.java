package dev.invariance.analysis;

import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * The end-to-end linear predictor {@code w = Pᵀ} of a single-output linear network against the hard-margin SVM
 * direction û (science.md 2.8; Ji &amp; Telgarsky: cos → 1 under logistic/exponential loss on separable data).
 *
 * <p>The network's own figures ({@code predictor}, {@code normalisedMargin}) always exist; the SVM figures
 * ({@code cosine}, {@code svmMargin}, {@code marginRatio}) are NaN unless the SVM solution is
 * {@link SvmStatus#OPTIMAL}, and {@link #note()} then says why (data not separable, solver stopped at its limit).
 *
 * @param predictor         w = Pᵀ ∈ R^{d_0}
 * @param cosine            wᵀû / ‖w‖ ∈ [−1, 1] (NaN when w = 0 or without an optimal SVM)
 * @param normalisedMargin  γ(w) = min_n y_n wᵀx_n / ‖w‖ (NaN when w = 0)
 * @param svmMargin         γ* of the SVM (NaN without an optimal SVM)
 * @param marginRatio       γ(w)/γ* ∈ (−∞, 1] (NaN without an optimal SVM)
 * @param svm               the SVM solution used
 */
public record MarginComparison(List<Double> predictor, double cosine, double normalisedMargin, double svmMargin,
                               double marginRatio, SvmSolution svm) {
    /** Copies the predictor. */
    public MarginComparison {
        predictor = List.copyOf(predictor);
    }

    /**
     * Compares the network's end-to-end predictor with the SVM of {@code data} solved by {@link HardMarginSvm#create()}.
     * Data that are not separable give NaN SVM figures and a {@link #note()}, not an exception.
     *
     * @throws IllegalArgumentException if the network is not linear or has more than one output
     */
    public static MarginComparison of(NetworkDescription network, LabelledData data) {
        return of(network, data, HardMarginSvm.create().fit(data));
    }

    /** Why the SVM figures are NaN (the SVM solution's note), or empty when they exist. */
    public String note() {
        return svm.note();
    }

    /** As {@link #of(NetworkDescription, LabelledData)} with a precomputed SVM solution (e.g. reused over time). */
    public static MarginComparison of(NetworkDescription network, LabelledData data, SvmSolution svm) {
        WeightMatrix p = EndToEndPredictor.endToEndMatrix(network);
        if (p.getRows() != 1) {
            throw new IllegalArgumentException("the margin comparison needs one output, the network has " + p.getRows());
        }
        double[] w = p.getRow(0);
        double norm = Math.sqrt(AlignmentMeasures.dot(w, w));
        double cos = 0;
        for (int i = 0; i < w.length; i++) {
            cos += w[i] * svm.direction().get(i);
        }
        cos = norm > 0 && svm.isOptimal() ? cos / norm : Double.NaN;
        double margin = Double.POSITIVE_INFINITY;
        for (int n = 0; n < data.size(); n++) {
            margin = Math.min(margin, data.labels().get(n) * AlignmentMeasures.dot(w, data.inputs().getRow(n)) / norm);
        }
        if (!(norm > 0)) {
            margin = Double.NaN;
        }
        List<Double> pred = new ArrayList<>(w.length);
        for (double v : w) {
            pred.add(v);
        }
        double svmMargin = svm.isOptimal() ? svm.margin() : Double.NaN;
        return new MarginComparison(pred, cos, margin, svmMargin, margin / svmMargin, svm);
    }
}
