package dev.invariance.report;

import dev.invariance.analysis.LayerMetrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Which layers (or edges) get their own series when a plot cannot show all of them: a model of 200 layers is shown
 * by its overview along the depth plus its most and least low-rank layers, not by 200 curves.
 */
final class LayerSelection {
    /** Up to this many items are all shown; beyond, the {@value #EACH_END} highest and lowest. */
    static final int ALL_UP_TO = 8;
    static final int EACH_END = 4;

    private LayerSelection() {
    }

    /**
     * The indexes of every item when there are at most {@value #ALL_UP_TO}, otherwise of the {@value #EACH_END} with the
     * highest and the {@value #EACH_END} with the lowest score (NaN scores last), in index order.
     */
    static <T> List<Integer> extremes(List<T> items, ToDoubleFunction<T> score) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            all.add(i);
        }
        if (items.size() <= ALL_UP_TO) {
            return all;
        }
        List<Integer> finite = new ArrayList<>();
        for (int i : all) {
            if (Double.isFinite(score.applyAsDouble(items.get(i)))) {
                finite.add(i);
            }
        }
        finite.sort(Comparator.comparingDouble(i -> -score.applyAsDouble(items.get(i))));
        TreeSet<Integer> chosen = new TreeSet<>();
        for (int k = 0; k < Math.min(EACH_END, finite.size()); k++) {
            chosen.add(finite.get(k));
            chosen.add(finite.get(finite.size() - 1 - k));
        }
        return List.copyOf(chosen);
    }

    /** The most and least low-rank layers by rank-1 ratio (all of them when there are few). */
    static List<Integer> lowRankExtremes(List<LayerMetrics> layers) {
        return extremes(layers, LayerMetrics::rank1Ratio);
    }

    /** Whether {@link #extremes} leaves some of {@code count} items out. */
    static boolean isSubset(int count) {
        return count > ALL_UP_TO;
    }

    /** The median of the finite values, or NaN when there is none. */
    static double median(List<Double> values) {
        double[] v = values.stream().filter(d -> d != null && Double.isFinite(d)).mapToDouble(Double::doubleValue)
                .sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : 0.5 * (v[v.length / 2 - 1] + v[v.length / 2]);
    }
}
