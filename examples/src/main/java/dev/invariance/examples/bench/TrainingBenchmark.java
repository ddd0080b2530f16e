package dev.invariance.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.invariance.linalg.LinearAlgebraBackend;
import dev.invariance.network.Activation;
import dev.invariance.network.ElementType;
import dev.invariance.training.internal.Architecture;
import dev.invariance.training.internal.GradientTraining;
import dev.invariance.training.Initialization;
import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.StepSchedule;
import dev.invariance.training.internal.TrainingConfig;
import dev.invariance.training.internal.TrainingData;
import dev.invariance.training.internal.TrainingResult;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Workloads B1 (minibatch MLP training) and B2 (deep linear full-batch GD) of the shared benchmark README,
 * timed around the training loop only (as {@code anchor.py} times PyTorch's loop), median of several runs.
 * Prints one JSON object: {@code {"B1": {"examples_per_s", "seconds", "train_accuracy", ...}, "B2": {"steps_per_s",
 * "seconds", "final_loss", ...}}}. Usage: {@code TrainingBenchmark [B1] [B2] [--repeats N]}.
 */
public final class TrainingBenchmark {
    private static final Logger NETLIB_LOGGER = Logger.getLogger("dev.ludovic.netlib");

    private TrainingBenchmark() {
    }

    /** Runs the requested workloads and prints the JSON line. */
    public static void main(String[] args) {
        NETLIB_LOGGER.setLevel(Level.SEVERE);
        List<String> which = Arrays.stream(args).filter(a -> a.startsWith("B")).toList();
        if (which.isEmpty()) {
            which = List.of("B1", "B2");
        }
        int repeats = 3;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--repeats")) {
                repeats = Integer.parseInt(args[i + 1]);
            }
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("backend", LinearAlgebraBackend.describe());
        out.put("openblas_threads", String.valueOf(System.getenv("OPENBLAS_NUM_THREADS")));
        if (which.contains("B1")) {
            out.set("B1", b1(json, repeats));
        }
        if (which.contains("B2")) {
            out.set("B2", b2(json, repeats, ElementType.FLOAT32));
            out.set("B2_float64", b2(json, repeats, ElementType.FLOAT64));
        }
        System.out.println(out);
    }

    /** B1: 10-class data (centres N(0,1), noise 2.0), n = 20000, d = 784, 784-512-512-10 ReLU + bias, batch 256, SGD 0.05, 2 epochs, float32. */
    static ObjectNode b1(ObjectMapper json, int repeats) {
        int n = 20_000;
        int d = 784;
        int k = 10;
        SplittableRandom rng = new SplittableRandom(0);
        double[][] centres = new double[k][d];
        for (double[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = rng.nextGaussian();
            }
        }
        double[] x = new double[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(k);
            for (int j = 0; j < d; j++) {
                x[i * d + j] = centres[y[i]][j] + 2.0 * rng.nextGaussian();
            }
        }
        double[] w = new double[n];
        Arrays.fill(w, 1.0);
        TrainingData data = new TrainingData(x, d, y, k, w);
        Architecture arch = Architecture.of(d, List.of(512, 512), List.of(Activation.RELU), k, true, false);
        int steps = 2 * ((n + 255) / 256);
        TrainingConfig config = new TrainingConfig(LossFunction.LOGISTIC, OptimizerKind.SGD, 256, 0.05,
                StepSchedule.CONSTANT, 0.5, 10, false, steps, 0.9, 0.999, 1e-8, ElementType.FLOAT32);
        double[] seconds = new double[repeats];
        TrainingResult result = null;
        for (int r = 0; r < repeats; r++) {
            // PyTorch's nn.Linear init has std 1/sqrt(3·fan_in): LeCun scale 1/sqrt(3)
            double[][] init = Initialization.GAUSSIAN.initialWeights(new int[] {d, 512, 512, k}, 1 / Math.sqrt(3),
                    new SplittableRandom(r));
            long t0 = System.nanoTime();
            result = GradientTraining.train(arch, config, data, init, null, new SplittableRandom(r), "B1", Integer.MAX_VALUE, null);
            seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
        double median = median(seconds);
        TrainingResult last = Objects.requireNonNull(result); // repeats >= 1 (checked in main): the loop ran
        ObjectNode node = json.createObjectNode();
        node.put("examples_per_s", 2.0 * n / median);
        node.put("seconds", median);
        node.put("train_accuracy", accuracy(last, data, 2000));
        node.put("runs", Arrays.toString(seconds));
        return node;
    }

    /** B2: n = 1000, d = 100, 4 bias-free layers of width 100 (last 1), logistic, init N(0, 0.05²), lr 0.5, 2000 steps. */
    static ObjectNode b2(ObjectMapper json, int repeats, ElementType precision) {
        int n = 1000;
        int d = 100;
        SplittableRandom rng = new SplittableRandom(1);
        double[] teacher = new double[d];
        for (int j = 0; j < d; j++) {
            teacher[j] = rng.nextGaussian();
        }
        double[] x = new double[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = rng.nextGaussian();
                s += teacher[j] * x[i * d + j];
            }
            y[i] = s > 0 ? 1 : 0;
        }
        double[] w = new double[n];
        Arrays.fill(w, 1.0);
        TrainingData data = new TrainingData(x, d, y, 2, w);
        Architecture arch = Architecture.of(d, List.of(100, 100, 100), List.of(Activation.LINEAR), 1, false, false);
        int steps = 2000;
        TrainingConfig config = new TrainingConfig(LossFunction.LOGISTIC, OptimizerKind.GD, n, 0.5,
                StepSchedule.CONSTANT, 0.5, 10, false, steps, 0.9, 0.999, 1e-8, precision);
        double[] seconds = new double[repeats];
        TrainingResult result = null;
        for (int r = 0; r < repeats; r++) {
            // N(0, 0.05²) absolute = LeCun scale 0.05·sqrt(100) = 0.5
            double[][] init = Initialization.GAUSSIAN.initialWeights(new int[] {d, 100, 100, 100, 1}, 0.5,
                    new SplittableRandom(r));
            long t0 = System.nanoTime();
            result = GradientTraining.train(arch, config, data, init, null, new SplittableRandom(r), "B2", Integer.MAX_VALUE, null);
            seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
        double median = median(seconds);
        TrainingResult last = Objects.requireNonNull(result); // repeats >= 1 (checked in main): the loop ran
        ObjectNode node = json.createObjectNode();
        node.put("steps_per_s", steps / median);
        node.put("seconds", median);
        node.put("final_loss", last.lossCurve().getFinalLoss());
        node.put("precision", precision.name().toLowerCase(java.util.Locale.ROOT));
        node.put("runs", Arrays.toString(seconds));
        return node;
    }

    /** Training accuracy on the first {@code limit} examples (a plain-loop forward pass; the full set would dominate the run). */
    private static double accuracy(TrainingResult result, TrainingData data, int limit) {
        dev.invariance.network.NetworkDescription net = result.network();
        int n = Math.min(limit, data.size());
        int d = data.numFeatures();
        double[][] weights = new double[net.depth()][];
        for (int l = 0; l < net.depth(); l++) {
            weights[l] = net.layer(l).weights().toRowMajorArray();
        }
        int correct = 0;
        for (int i = 0; i < n; i++) {
            double[] v = Arrays.copyOfRange(data.features(), i * d, (i + 1) * d);
            for (int l = 0; l < net.depth(); l++) {
                var layer = net.layer(l);
                double[] wl = weights[l];
                double[] h = new double[layer.outputWidth()];
                for (int r = 0; r < h.length; r++) {
                    double s = layer.bias() == null ? 0 : layer.bias().get(r);
                    for (int c = 0; c < v.length; c++) {
                        s += wl[r * v.length + c] * v[c];
                    }
                    h[r] = layer.activation() == Activation.RELU ? Math.max(0, s) : s;
                }
                v = h;
            }
            int best = 0;
            for (int c = 1; c < v.length; c++) {
                if (v[c] > v[best]) {
                    best = c;
                }
            }
            if (best == data.classes()[i]) {
                correct++;
            }
        }
        return (double) correct / n;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}
