package dev.invariance.analysis;

import java.util.List;

/**
 * The activation pattern of one layer on a data set (science.md 2.11): with {@code Act[n, j] = 1[h_j(x_n) > 0]},
 * the stably active set S = {j : Act[n, j] = 1 for all n}, the stably dead set Z = {j : Act[n, j] = 0 for all n},
 * and the rest unstable. A linear layer is fully stable: S is every unit, Z is empty.
 *
 * @param layer            layer index
 * @param name             layer name
 * @param stablyActive     S, ascending unit indexes
 * @param stablyDead       Z, ascending unit indexes
 * @param unstableCount    d_out − |S| − |Z|
 * @param tiedUnitCount    units with h_j(x_n) = 0 exactly for some n (counted as inactive there)
 * @param tieCount         entries (n, j) with h_j(x_n) = 0 exactly
 */
public record LayerActivation(int layer, String name, List<Integer> stablyActive, List<Integer> stablyDead,
                              int unstableCount, int tiedUnitCount, long tieCount) {
    /** Copies the lists. */
    public LayerActivation {
        stablyActive = List.copyOf(stablyActive);
        stablyDead = List.copyOf(stablyDead);
    }
}
