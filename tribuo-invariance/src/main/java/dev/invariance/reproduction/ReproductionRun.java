package dev.invariance.reproduction;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What one run of a {@link Reproduction} decided and wrote.
 *
 * @param id      the experiment's id, {@code "E1"} to {@code "E5"}
 * @param checks  every acceptance check, in science.md's order
 * @param figures the figure files written (each plot as PNG and as SVG)
 * @param report  the HTML report written
 * @param seconds the wall-clock time of the run
 */
public record ReproductionRun(String id, List<Check> checks, List<Path> figures, Path report, double seconds) {
    /** Copies the lists. */
    public ReproductionRun {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(report, "report");
        checks = List.copyOf(checks);
        figures = List.copyOf(figures);
    }

    /** Whether no asserted check failed ({@link Verdict#REPORTED} and {@link Verdict#NOT_APPLICABLE} never fail). */
    public boolean passed() {
        return checks.stream().noneMatch(c -> c.verdict().isFailure());
    }

    /** The checks that failed. */
    public List<Check> failures() {
        return checks.stream().filter(c -> c.verdict().isFailure()).toList();
    }
}
