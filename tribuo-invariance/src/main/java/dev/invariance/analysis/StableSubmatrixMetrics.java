package dev.invariance.analysis;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * Metrics on the stably active submatrices of science.md 2.11 (Le &amp; Jegelka): for layer i,
 * {@code W_i[S_i, C_i]}, where C_i are the columns of W_i that read values linear on the data: the stably active
 * units of the layers that feed it (every unit of a linear layer) and every value of a graph input, placed where the
 * graph's edges put them (an offset after a {@code Concat}, a window after a {@code Slice}); for an edge
 * (from, to), {@code W_from[S_from, C_from]} feeding {@code W_to[:, S_from]} (S_from's columns in W_to). C_i is not
 * defined (null, with a one-line reason) when layer i's input is a sum of several producers (a residual addition)
 * or passes an operation that mixes units. A null metric means "not applicable", never a pass.
 *
 * @param activations the activation pattern of every layer
 * @param layers      one entry per layer
 * @param pairs       one entry per edge between two layers, in edge order
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
     * @param columns C_i, or null when it is not defined
     * @param metrics the metrics, or null when rows or columns is empty or columns is not defined
     * @param reason  why the metrics are null (one line), or null when they are not
     */
    public record StableLayer(int layer, List<Integer> rows, @Nullable List<Integer> columns,
                              @Nullable LayerMetrics metrics, @Nullable String reason) {
        /** Copies the lists. */
        public StableLayer {
            rows = List.copyOf(rows);
            columns = columns == null ? null : List.copyOf(columns);
        }
    }

    /**
     * Pair metrics of {@code W_from[S_from, C_from]} feeding {@code W_to[:, S_from]}.
     *
     * @param from        producing layer
     * @param to          consuming layer
     * @param viaResidual whether the edge passes a residual addition
     * @param metrics     the metrics, or null when not applicable
     * @param reason      why the metrics are null (one line), or null when they are not
     */
    public record StablePair(int from, int to, boolean viaResidual, @Nullable PairMetrics metrics,
                             @Nullable String reason) {
    }
}
