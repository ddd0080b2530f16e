package dev.invariance.bench;

import dev.invariance.linalg.DenseSvd;
import dev.invariance.linalg.LinearAlgebraBackend;
import dev.invariance.linalg.Spectrum;
import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightMatrix;
import dev.invariance.testsupport.Matrices;

import java.util.Arrays;
import java.util.Locale;

/**
 * Benchmarks B3 and B4 of {@code shared/bench/README.md}, printing one JSON line per workload with the keys of
 * {@code anchor.py}'s counterparts (median of 3 runs after one warm-up):
 * <ul>
 *   <li>B3: all singular values of an n × n float32 Gaussian matrix, n = 1024 and 2048
 *       ({@code DenseSvd.singularValues(w, FLOAT32)}, i.e. sgesdd jobz = "N");</li>
 *   <li>B4: top-10 singular values of a 4096 × 4096 float32 Gaussian matrix by {@link TruncatedSvd}, with the
 *       largest relative error against a dense double-precision SVD (dgesdd) of the same matrix.</li>
 * </ul>
 * Run: {@code java -cp target/classes:target/test-classes:$(deps) dev.invariance.bench.SpectrumBenchmark [B3] [B4]}.
 */
public final class SpectrumBenchmark {
    private SpectrumBenchmark() {
    }

    /** Runs the workloads named on the command line (default: both). */
    public static void main(String[] args) {
        boolean all = args.length == 0;
        boolean b3 = all || Arrays.asList(args).contains("B3");
        boolean b4 = all || Arrays.asList(args).contains("B4");
        System.out.println("{\"backend\": \"" + LinearAlgebraBackend.describe() + "\", \"openblas_threads\": \""
                + System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "default") + "\"}");
        if (b3) {
            StringBuilder sb = new StringBuilder("{\"B3_svdvals_seconds\": {");
            int[] sizes = {1024, 2048};
            for (int i = 0; i < sizes.length; i++) {
                WeightMatrix w = Matrices.gaussianFloat32(sizes[i], sizes[i], sizes[i]);
                double t = median(() -> DenseSvd.singularValues(w, ElementType.FLOAT32));
                sb.append(i > 0 ? ", " : "").append('"').append(sizes[i]).append("\": ").append(fmt(t));
            }
            System.out.println(sb.append("}}"));
        }
        if (b4) {
            WeightMatrix w = Matrices.gaussianFloat32(4096, 4096, 4);
            // B4 asks for the top-10 values at relative error 1e-6: request exactly that accuracy
            TruncatedSvd solver = TruncatedSvd.builder().tolerance(1e-6).build();
            Spectrum[] last = new Spectrum[1];
            double t = median(() -> last[0] = solver.top(w, 10, ElementType.FLOAT32));
            long t0 = System.nanoTime();
            Spectrum reference = DenseSvd.singularValues(w);
            double refSeconds = (System.nanoTime() - t0) * 1e-9;
            double err = 0;
            for (int j = 0; j < 10; j++) {
                err = Math.max(err, Math.abs(last[0].singularValue(j) - reference.singularValue(j))
                        / reference.singularValue(j));
            }
            System.out.println("{\"B4_top10_seconds\": " + fmt(t) + ", \"relative_error\": "
                    + String.format(Locale.ROOT, "%.3e", err) + ", \"reference_dgesdd_seconds\": " + fmt(refSeconds)
                    + ", \"sigma_1\": " + fmt(reference.singularValue(0)) + "}");
        }
    }

    private static double median(Runnable task) {
        task.run(); // warm-up (JIT, native library loading)
        double[] t = new double[3];
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            task.run();
            t[i] = (System.nanoTime() - start) * 1e-9;
        }
        Arrays.sort(t);
        return t[1];
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
