package dev.invariance.examples;

import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MetricsTrace;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.TraceEntry;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.network.Activation;
import dev.invariance.training.LossFunction;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.util.ArrayList;
import java.util.List;

/**
 * Experiment E4, Net A of science.md 3.4 (Le and Jegelka 2022, "Training invariances and the low-rank phenomenon:
 * beyond linear networks"): a ReLU body followed by a linear head, W_0 (20×10) → ReLU → W_1 (20×20) → W_2 (20×20) →
 * W_3 (1×20), no biases, init scale 0.1, logistic loss, full-batch gradient descent with η = 0.2 for 3·10⁴ steps, on
 * the separable data of E1 (N = 40, d = 10). The linear head W_1, W_2 becomes rank one, ρ(W) = ‖W‖₂/‖W‖_F → 1, and
 * aligned, |v_2ᵀ u_1| → 1, while the ReLU input layer W_0 does not become rank one.
 */
public final class ReluHeadExample {
    /** Number of gradient steps of the A4.1 run. */
    public static final long STEPS = 30_000;
    /** Steps between two recorded checkpoints. */
    public static final int CHECKPOINT_INTERVAL = 3_000;

    private ReluHeadExample() {
    }

    /**
     * The outcome of one Net A run.
     *
     * @param layerNames     the layer names, input side first
     * @param rank1Ratios    ρ(W_i) per layer after training, in the same order
     * @param headAlignment  |v_2ᵀ u_1|: the top left singular vector of W_1 against the top right one of W_2
     * @param finalLoss      the training loss after the last step
     * @param trace          all layer and pair metrics every {@link #CHECKPOINT_INTERVAL} steps
     */
    public record Result(List<String> layerNames, List<Double> rank1Ratios, double headAlignment, double finalLoss,
                         List<TraceEntry> trace) {
        /** Copies the lists. */
        public Result {
            layerNames = List.copyOf(layerNames);
            rank1Ratios = List.copyOf(rank1Ratios);
            trace = List.copyOf(trace);
        }

        /** The science.md A4.1 criteria this run misses, in words; empty when it passes. */
        public List<String> failures() {
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                if (!(rank1Ratios.get(i) > 0.98)) {
                    out.add("rho(" + layerNames.get(i) + ") = " + rank1Ratios.get(i) + " is not above 0.98");
                }
            }
            if (!(headAlignment > 0.99)) {
                out.add("alignment " + layerNames.get(1) + " -> " + layerNames.get(2) + " = " + headAlignment
                        + " is not above 0.99");
            }
            return List.copyOf(out);
        }

        /** Whether the run meets science.md A4.1. */
        public boolean passed() {
            return failures().isEmpty();
        }
    }

    /** Trains Net A on the E1 data (data seed 0, trainer seed 2) and collects its metrics. */
    public static Result reproduce() {
        return reproduce(0L, 2L);
    }

    /** Trains Net A on the E1 data drawn with {@code dataSeed}, initialised with {@code trainerSeed}. */
    public static Result reproduce(long dataSeed, long trainerSeed) {
        MutableDataset<Label> data = data(dataSeed);
        MetricsTrace trace = MetricsTrace.create();
        DeepNetModel model = trainer(List.of(Activation.RELU, Activation.LINEAR, Activation.LINEAR), false, STEPS,
                trainerSeed).train(data, CHECKPOINT_INTERVAL, trace);
        List<TraceEntry> entries = trace.getEntries();
        TraceEntry last = entries.get(entries.size() - 1);
        List<String> names = last.layers().stream().map(LayerMetrics::name).toList();
        List<Double> rhos = last.layers().stream().map(LayerMetrics::rank1Ratio).toList();
        double alignment = last.pairs().stream()
                .filter(p -> p.producer() == 1 && p.consumer() == 2)
                .mapToDouble(PairMetrics::adjacentAlignment)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no W_1 -> W_2 pair in " + last.pairs()));
        return new Result(names, rhos, alignment, model.getLossCurve().getFinalLoss(), entries);
    }

    /** The E1 data of E4: N = 40 points x ~ N(0, I_10) labelled by a random teacher through the origin. */
    static MutableDataset<Label> data(long dataSeed) {
        return new MutableDataset<>(SeparableDataSource.builder().samples(40).dimension(10).seed(dataSeed).build());
    }

    /**
     * The trainer of E4's networks: hidden widths 20 with the given activations (Net A: ReLU, linear, linear; Nets B
     * and C: ReLU, ReLU), biases or not, init scale 0.1, logistic loss, full-batch gradient descent with η = 0.2.
     */
    static DeepNetTrainer trainer(List<Activation> activations, boolean bias, long steps, long trainerSeed) {
        return DeepNetTrainer.builder()
                .hidden(java.util.Collections.nCopies(activations.size(), 20))
                .activations(activations)
                .bias(bias)
                .loss(LossFunction.LOGISTIC)
                .initScale(0.1)
                .learningRate(0.2)
                .steps(steps)
                .seed(trainerSeed)
                .build();
    }

    /** Prints the rank-1 ratios over training and the head's alignment; exits 1 when A4.1 fails. */
    public static void main(String[] args) {
        Result result = reproduce();
        System.out.println("E4 Net A (Le and Jegelka): 10 -> 20 (ReLU) -> 20 -> 20 -> 1, scale 0.1, eta 0.2, "
                + STEPS + " steps");
        System.out.println("step      loss        rho per layer (" + String.join(", ", result.layerNames()) + ")");
        for (TraceEntry e : result.trace()) {
            if (e.step() % 15_000 == 0 || e.step() == CHECKPOINT_INTERVAL) {
                StringBuilder rhos = new StringBuilder();
                for (LayerMetrics m : e.layers()) {
                    rhos.append(String.format("%.4f ", m.rank1Ratio()));
                }
                System.out.printf("%-8d  %-10.3e  %s%n", e.step(), e.loss(), rhos.toString().trim());
            }
        }
        System.out.println();
        for (int i = 0; i < result.layerNames().size(); i++) {
            String role = i == 0 ? " (ReLU input layer)" : i == result.layerNames().size() - 1 ? " (output, 1 row)"
                    : " (linear head)";
            System.out.printf("rank-1 ratio %s%s: %.5f%n", result.layerNames().get(i), role, result.rank1Ratios().get(i));
        }
        System.out.printf("alignment %s -> %s: %.6f%n", result.layerNames().get(1), result.layerNames().get(2),
                result.headAlignment());
        System.out.printf("final loss: %.3e%n", result.finalLoss());
        if (result.passed()) {
            System.out.println("A4.1 PASS");
        } else {
            System.out.println("A4.1 FAIL: " + String.join("; ", result.failures()));
            System.exit(1);
        }
    }
}
