package dev.invariance.analysis;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * Metrics on the stably active submatrices of science.md 2.11 (Le &amp; Jegelka): for layer i,
 * {@code W_i[S_i, S_{i−1}]} (S_{−1} = all inputs); for a pair (from, to), {@code W_from[S_from, S_{from−1}]} feeding
 * {@code W_to[:, S_from]}. A null metric means "not applicable" (an empty set), never a pass.
 *
 * @param activations the activation pattern of every layer
 * @param layers      one entry per layer
 * @param pairs       one entry per consecutive pair
 */
public record StableSubmatrixMetrics(List<LayerActivation> activations, List<StableLayer> layers,
                                     List<StablePair> pairs) {
    /** Copies the lists. */
    public StableSubmatrixMetrics {
        activations = List.copyOf(activations);
        layers = List.copyOf(layers);
        pairs = List.copyOf(pairs);
    }

    /**
     * Layer metrics of {@code W_i[rows, columns]}.
     *
     * @param layer   layer index
     * @param rows    S_i
     * @param columns S_{i−1} (all inputs for layer 0)
     * @param metrics the metrics, or null when rows or columns is empty
     */
    public record StableLayer(int layer, List<Integer> rows, List<Integer> columns, @Nullable LayerMetrics metrics) {
        /** Copies the lists. */
        public StableLayer {
            rows = List.copyOf(rows);
            columns = List.copyOf(columns);
        }
    }

    /**
     * Pair metrics of {@code W_from[S_from, S_{from−1}]} feeding {@code W_to[:, S_from]}.
     *
     * @param from    producing layer
     * @param to      consuming layer
     * @param metrics the metrics, or null when S_from or S_{from−1} is empty
     */
    public record StablePair(int from, int to, @Nullable PairMetrics metrics) {
    }
}
