package dev.invariance.onnx.running;

import dev.invariance.compression.RankChoice;
import dev.invariance.onnx.reading.OnnxCompression;
import dev.invariance.onnx.reading.OnnxCompressor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-layer ranks chosen greedily under an accuracy budget ({@code --max-drop}): the layers are taken in order of the
 * largest saving first (d_out·d_in − r_min·(d_in + d_out) at rank 1, i.e. the largest layers first); for each, the
 * smallest rank from 1 to its largest saving rank whose model (with the layers already accepted factored too) keeps
 * the accuracy on the data at least {@code original − maxDrop} is found by bisection over the rank, each candidate
 * written and run by ONNX Runtime ({@code evaluate}); a layer for which even the largest saving rank breaks the budget
 * is kept. One layer's spectrum is held at a time: once its rank is settled only its factors at that rank stay
 * ({@link OnnxCompressor#retainFactors}). Bisection assumes accuracy does not fall as the rank grows; where it does, a smaller passing rank may be
 * missed, never a failing one accepted: every accepted model was itself evaluated, so the result respects the budget.
 */
public final class AccuracyBudgetCompression {
    private AccuracyBudgetCompression() {
    }

    /**
     * One model evaluated on the data during the search.
     *
     * @param ranks    the rank of each layer factored in it
     * @param accuracy its accuracy on the data
     * @param accepted whether it stayed within the budget
     */
    public record Trial(Map<String, Integer> ranks, double accuracy, boolean accepted) {
        /** Copies the map. */
        public Trial {
            ranks = Map.copyOf(ranks);
        }
    }

    /**
     * The search's result: the compressed model written to the target, its run, and every trial.
     *
     * @param compression what was written
     * @param run         the written model's run on the data
     * @param trials      every candidate evaluated, in order
     */
    public record Outcome(OnnxCompression compression, LabelledRun run, List<Trial> trials) {
        /** Copies the list. */
        public Outcome {
            trials = List.copyOf(trials);
        }
    }

    /**
     * Searches ranks for the candidates of {@code compressor} and writes the chosen model to {@code target}.
     *
     * @param maxDrop  the accuracy the compressed model may lose, in percentage points (≥ 0)
     * @param original the original model's run on the data
     * @param evaluate runs a written model file on the data
     */
    public static Outcome compress(OnnxCompressor compressor, Path target, double maxDrop, LabelledRun original,
                                   Function<Path, LabelledRun> evaluate) {
        if (!(maxDrop >= 0 && maxDrop <= 100)) {
            throw new IllegalArgumentException("the accuracy drop must be 0 to 100 percentage points (got " + maxDrop
                    + ")");
        }
        double floor = original.accuracy() - maxDrop / 100.0;
        List<String> order = new ArrayList<>(compressor.getCandidates());
        order.sort(Comparator.comparingLong((String l) -> saving(compressor.shape(l))).reversed());
        Map<String, Integer> accepted = new LinkedHashMap<>();
        List<Trial> trials = new ArrayList<>();
        String settings = String.format(Locale.ROOT, "max-drop %s", maxDrop);
        for (String layer : order) {
            int[] shape = compressor.shape(layer);
            int high = RankChoice.maxSavingRank(shape[0], shape[1]);
            if (high == 0) {
                continue;
            }
            compressor.spectrum(layer, high); // every saving rank's factors of this layer, computed once
            int low = 1;
            int best = 0;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                Map<String, Integer> ranks = new LinkedHashMap<>(accepted);
                ranks.put(layer, mid);
                compressor.write(target, ranks, settings);
                double accuracy = evaluate.apply(target).accuracy();
                boolean ok = accuracy >= floor - 1e-12;
                trials.add(new Trial(ranks, accuracy, ok));
                if (ok) {
                    best = mid;
                    high = mid - 1;
                } else {
                    low = mid + 1;
                }
            }
            compressor.retainFactors(layer, best); // only the accepted rank's factors stay held
            if (best > 0) {
                accepted.put(layer, best);
            }
        }
        OnnxCompression written = compressor.write(target, accepted, settings);
        return new Outcome(written, evaluate.apply(target), trials);
    }

    /** d_out·d_in − (d_in + d_out): what rank 1 saves. */
    private static long saving(int[] shape) {
        return (long) shape[0] * shape[1] - ((long) shape[0] + shape[1]);
    }
}
