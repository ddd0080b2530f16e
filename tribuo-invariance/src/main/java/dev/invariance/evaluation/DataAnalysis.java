package dev.invariance.evaluation;

import dev.invariance.analysis.DriftMetrics;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.StableSubmatrixMetrics;
import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * The data-dependent part of an analysis.
 *
 * @param examples     number of examples analysed
 * @param margin       the end-to-end predictor against the hard-margin SVM (science.md 2.8); null unless the
 *                     network is linear with one output; its SVM figures are NaN when the data are not separable
 *                     through the origin or the solver stopped at its limit
 * @param marginNote   why {@code margin} is absent or has no SVM figures, or empty
 * @param activations  per layer, the stably active / stably dead / unstable units over the data (science.md 2.11)
 * @param stable       every layer and pair metric on the stably-active submatrices; null for a network without ReLU
 * @param drift        conservation drift against the initial weights, when a training trace was given; else empty
 */
public record DataAnalysis(int examples, @Nullable MarginComparison margin, String marginNote,
                           List<LayerActivation> activations, @Nullable StableSubmatrixMetrics stable,
                           List<DriftMetrics> drift) {
    /** Copies the lists. */
    public DataAnalysis {
        activations = List.copyOf(activations);
        drift = List.copyOf(drift);
    }
}
