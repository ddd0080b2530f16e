package dev.invariance.reproduction;

import java.nio.file.Path;

/**
 * One experiment of science.md section 3, runnable on its own: it trains with the project's trainer, measures with its
 * analyzer, decides every acceptance check and writes its figures (PNG and SVG) and HTML report. Implementations have
 * a public no-argument constructor and are listed in {@code META-INF/services/dev.invariance.reproduction.Reproduction}
 * so that {@link java.util.ServiceLoader} (and {@code bin/invariance reproduce}) finds them.
 */
public interface Reproduction {
    /** The experiment's id in science.md, {@code "E1"} to {@code "E5"}. */
    String id();

    /** What the experiment shows, in a few words. */
    String title();

    /** The paper it reproduces: authors, year and title. */
    String paper();

    /**
     * Runs the experiment within {@code budget}, writing its figures and report into {@code outDir} (created when
     * missing), and returns every check it decided.
     *
     * @throws java.io.UncheckedIOException when a file cannot be written
     */
    ReproductionRun run(ReproductionBudget budget, Path outDir);
}
