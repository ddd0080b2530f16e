package dev.invariance.onnx.running.internal;

import dev.invariance.analysis.LayerActivation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The running sign statistics of one observed value of d units (science.md 2.11:
 * {@code Act[n, j] = 1[h_j(x_n) > 0]}): per unit, whether it was ever positive, ever non-positive (or NaN), and how
 * many observations were exactly 0. Memory does not grow with the observations. Each observation is a row of d values;
 * exact zeros are rare, so a cheap scan looks for one first: without any, only the units not yet seen on both sides
 * of 0 are visited; with one, every unit is counted (its zeros included).
 */
final class SignCounts {
    private final int units;
    private final boolean[] positive;
    private final boolean[] nonPositive;
    private final long[] zero;
    private long observations;
    /** The units not yet seen on both sides of 0 (the first {@code undecidedCount} entries). */
    private final int[] undecided;
    private int undecidedCount;
    private final int[] batchPositive;
    private final int[] batchZero;

    /** Empty statistics of {@code units} units. */
    SignCounts(int units) {
        this.units = units;
        positive = new boolean[units];
        nonPositive = new boolean[units];
        zero = new long[units];
        undecided = new int[units];
        for (int j = 0; j < units; j++) {
            undecided[j] = j;
        }
        undecidedCount = units;
        batchPositive = new int[units];
        batchZero = new int[units];
    }

    /** Adds the first n values of {@code v}: n / d observations of d units each, row-major. */
    void add(float[] v, int n) {
        int d = units;
        observations += n / d;
        boolean[] pos = positive;
        boolean[] non = nonPositive;
        if (anyZero(v, n)) {
            count(v, n, d, batchPositive, batchZero);
            int rows = n / d;
            long[] zer = zero;
            int[] bp = batchPositive;
            int[] bz = batchZero;
            for (int j = 0; j < d; j++) {
                pos[j] |= bp[j] > 0;
                non[j] |= bp[j] < rows;
                zer[j] += bz[j];
            }
        } else {
            int[] open = undecided;
            int u = undecidedCount;
            for (int k = 0; k < n && u > 0; k += d) {
                for (int i = 0; i < u; i++) {
                    int j = open[i];
                    if (v[k + j] > 0) {
                        pos[j] = true;
                    } else {
                        non[j] = true;
                    }
                }
            }
        }
        int[] open = undecided;
        int kept = 0;
        for (int i = 0; i < undecidedCount; i++) {
            int j = open[i];
            if (!(pos[j] && non[j])) {
                open[kept++] = j;
            }
        }
        undecidedCount = kept;
    }

    /**
     * The activation pattern so far: S = units positive at every observation, Z = units never positive, ties
     * (h = 0 exactly, counted as inactive) reported separately.
     *
     * @param layer the layer index in the network description
     * @param name  the layer's name
     */
    LayerActivation activation(int layer, String name) {
        List<Integer> active = new ArrayList<>();
        List<Integer> dead = new ArrayList<>();
        int tiedUnits = 0;
        long ties = 0;
        for (int j = 0; j < units; j++) {
            if (observations > 0 && positive[j] && !nonPositive[j]) {
                active.add(j);
            } else if (!positive[j]) {
                dead.add(j);
            }
            if (zero[j] > 0) {
                tiedUnits++;
                ties += zero[j];
            }
        }
        return new LayerActivation(layer, name, active, dead, units - active.size() - dead.size(), tiedUnits, ties);
    }

    /** Whether any of the first n values is exactly 0 (either sign; branch-free so the JIT vectorises it). */
    private static boolean anyZero(float[] v, int n) {
        int z = 0;
        for (int k = 0; k < n; k++) {
            z |= v[k] == 0 ? 1 : 0;
        }
        return z != 0;
    }

    /**
     * Per unit j, the entries {@code v[k·d + j] > 0} and {@code == 0} among the first n values (branch-free, so the
     * JIT vectorises it; NaN counts as neither, so as inactive).
     */
    private static void count(float[] v, int n, int d, int[] positive, int[] zero) {
        Arrays.fill(positive, 0);
        Arrays.fill(zero, 0);
        for (int k = 0; k < n; k += d) {
            for (int j = 0; j < d; j++) {
                float x = v[k + j];
                positive[j] += x > 0 ? 1 : 0;
                zero[j] += x == 0 ? 1 : 0;
            }
        }
    }
}
