package dev.invariance.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/** Runs the command line in-process for the CLI tests, and writes the small CSV files they train on. */
final class CliRun {
    private CliRun() {
    }

    /** Exit code and the two streams of one run. */
    record Result(int code, String out, String err) {
    }

    /** {@code invariance ARGS...} with captured output. */
    static Result invariance(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = InvarianceCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Writes {@code rows} examples with Gaussian features named a, b, c, … (one per entry of {@code w}) and the label
     * {@code up} when wᵀx > 0, else {@code down}: separable by a hyperplane through the origin.
     */
    static Path hyperplaneCsv(Path file, long seed, double[] w, int rows) throws IOException {
        Random rng = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < w.length; j++) {
            sb.append((char) ('a' + j)).append(',');
        }
        sb.append("label\n");
        for (int i = 0; i < rows; i++) {
            double s = 0;
            StringBuilder row = new StringBuilder();
            for (double wj : w) {
                double x = rng.nextGaussian();
                s += wj * x;
                row.append(String.format(Locale.ROOT, "%.6f,", x));
            }
            sb.append(row).append(s > 0 ? "up" : "down").append('\n');
        }
        return Files.writeString(file, sb.toString());
    }
}
