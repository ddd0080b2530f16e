package dev.invariance.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.invariance.analysis.HardMarginSvm;
import dev.invariance.analysis.LabelledData;
import dev.invariance.analysis.SvmSolution;
import dev.invariance.network.WeightMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Workload SVM (issue 10): the max-margin comparison's solver on N = 100,000 separable rows in d = 50 (x ~ N(0, I),
 * labels from a random teacher through the origin, points closer than 0.01 to its hyperplane redrawn, as
 * {@code SeparableDataSource} draws them), timed around {@link HardMarginSvm#fit} only, median of several runs.
 * Target: within 10 s. Prints one JSON object {@code {"SVM": {"seconds", "status", "epochs", "support_vectors",
 * "kkt_violation", "margin", ...}}}. Usage: {@code SvmBenchmark [--rows N] [--dim D] [--repeats R]}.
 */
public final class SvmBenchmark {
    private SvmBenchmark() {
    }

    /** Runs the workload and prints the JSON line. */
    public static void main(String[] args) {
        int rows = 100_000;
        int dim = 50;
        int repeats = 3;
        for (int i = 0; i < args.length - 1; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[i + 1]);
                case "--dim" -> dim = Integer.parseInt(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                default -> { }
            }
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        }
        LabelledData data = separable(rows, dim, 0.01, 7L);
        double[] seconds = new double[repeats];
        SvmSolution solution = null;
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            solution = HardMarginSvm.create().fit(data);
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        SvmSolution last = Objects.requireNonNull(solution); // repeats >= 1 (checked above): the loop ran
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        ObjectNode svm = out.putObject("SVM");
        svm.put("rows", rows);
        svm.put("dim", dim);
        svm.put("seconds", seconds[repeats / 2]);
        svm.put("status", last.status().name());
        svm.put("epochs", last.epochs());
        svm.put("support_vectors", last.supportVectors());
        svm.put("kkt_violation", last.kktViolation());
        svm.put("tolerance", HardMarginSvm.DEFAULT_TOLERANCE);
        svm.put("margin", last.margin());
        svm.put("cores", Runtime.getRuntime().availableProcessors());
        System.out.println(out);
    }

    static LabelledData separable(int rows, int dim, double minMargin, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] teacher = new double[dim];
        double norm = 0;
        for (int j = 0; j < dim; j++) {
            teacher[j] = gaussian(rng);
            norm += teacher[j] * teacher[j];
        }
        norm = Math.sqrt(norm);
        double[] x = new double[rows * dim];
        List<Double> labels = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            double s;
            do {
                s = 0;
                for (int j = 0; j < dim; j++) {
                    x[r * dim + j] = gaussian(rng);
                    s += teacher[j] * x[r * dim + j];
                }
            } while (Math.abs(s) / norm < minMargin);
            labels.add(s > 0 ? 1.0 : -1.0);
        }
        return new LabelledData(WeightMatrix.fromRowMajor(rows, dim, x), labels);
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1.0 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
