package dev.invariance.analysis;

import dev.invariance.network.WeightMatrix;

import java.util.List;

/**
 * A binary classification data set in the analyzer's neutral form: {@code inputs} is N × d_0 (row n is x_nᵀ)
 * and {@code labels} holds y_n ∈ {−1, +1}.
 *
 * @param inputs the examples as rows
 * @param labels one ±1 label per row
 */
public record LabelledData(WeightMatrix inputs, List<Double> labels) {
    /** Checks sizes and that every label is −1 or +1; copies the labels. */
    public LabelledData {
        labels = List.copyOf(labels);
        if (labels.size() != inputs.getRows()) {
            throw new IllegalArgumentException(inputs.getRows() + " examples but " + labels.size() + " labels");
        }
        for (double y : labels) {
            if (y != 1.0 && y != -1.0) {
                throw new IllegalArgumentException("labels must be -1 or +1, got " + y);
            }
        }
    }

    /** Number of examples N. */
    public int size() {
        return labels.size();
    }

    /** Input dimension d_0. */
    public int dimension() {
        return inputs.getColumns();
    }
}
