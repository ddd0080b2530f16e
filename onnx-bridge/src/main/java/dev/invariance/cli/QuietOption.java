package dev.invariance.cli;

import picocli.CommandLine.Option;

/** {@code --quiet} (a picocli mixin of {@code train}, {@code analyze} and {@code report}): no progress on standard error. */
final class QuietOption {
    @Option(names = "--quiet", description = "No progress on standard error: neither the bar (drawn only on a "
            + "terminal) nor the max-margin solver's lines. Warnings, notes and errors still print.")
    private boolean quiet;

    /** Whether {@code --quiet} was given. */
    boolean isQuiet() {
        return quiet;
    }
}
