package dev.invariance.cli;

import dev.invariance.analysis.SvmProgress;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a long max-margin solve as plain lines on standard error (no carriage-return frames, so a redirected
 * log stays readable): nothing for the first {@code quietNanos}, then one line at most every {@code everyNanos}.
 */
final class SvmProgressLines implements SvmProgress {
    private final PrintWriter err;
    private final String prefix;
    private final long quietNanos;
    private final long everyNanos;
    private long lastPrinted = -1;

    SvmProgressLines(PrintWriter err, String prefix, long quietNanos, long everyNanos) {
        this.err = err;
        this.prefix = prefix;
        this.quietNanos = quietNanos;
        this.everyNanos = everyNanos;
    }

    /** The command line's reporter: silent for 2 s, then a line every 2 s; nothing at all with {@code --quiet}. */
    static SvmProgress forCommand(PrintWriter err, String commandName, boolean quiet) {
        return quiet ? (epoch, activeSize, size, violation, elapsedNanos) -> { }
                : new SvmProgressLines(err, commandName + ": ", 2_000_000_000L, 2_000_000_000L);
    }

    @Override
    public void onEpoch(int epoch, int activeSize, int size, double violation, long elapsedNanos) {
        if (elapsedNanos < quietNanos || (lastPrinted >= 0 && elapsedNanos - lastPrinted < everyNanos)) {
            return;
        }
        lastPrinted = elapsedNanos;
        err.println(String.format(Locale.ROOT, "%smax-margin solver: pass %d over %d examples, %d in the active set,"
                + " violation %.2e, %.1f s", prefix, epoch, size, activeSize, violation, elapsedNanos / 1e9));
        err.flush();
    }
}
