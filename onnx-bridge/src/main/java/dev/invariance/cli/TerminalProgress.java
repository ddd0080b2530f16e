package dev.invariance.cli;

import dev.invariance.training.TrainingCheckpoint;
import dev.invariance.training.TrainingListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A progress line on standard error while training runs: steps done, rate, remaining time and the current loss.
 * It is a {@link TrainingListener} set on the trainer, so it follows any {@code train(Dataset)} call.
 *
 * <p>Whether to draw is decided by the stream it draws on: only when standard error is a terminal. So
 * {@code 2>log} gets no {@code \r} frames, and {@code >out.txt} still shows the bar. Java 17 has no
 * {@code isatty(2)} ({@code System.console()} looks at standard input and output), so {@link #stderrIsTerminal()}
 * reads what file descriptor 2 points at on Linux ({@code /proc/self/fd/2} is a {@code /dev/pts/N} or
 * {@code /dev/ttyN} device) and elsewhere asks {@code test -t 2} in a child process that inherits standard error.
 */
final class TerminalProgress implements TrainingListener, AutoCloseable {
    private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");

    private final @Nullable ProgressBar bar;

    TerminalProgress(String task, long totalSteps) {
        this(task, totalSteps, stderrIsTerminal());
    }

    TerminalProgress(String task, long totalSteps, boolean draw) {
        bar = !draw ? null : new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(200).build();
    }

    /** How often to report: about 200 updates over the run. */
    static int interval(long totalSteps) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, totalSteps / 200));
    }

    /** Whether file descriptor 2 of this process is a terminal (see the class comment for how). */
    static boolean stderrIsTerminal() {
        if (Files.exists(STDERR_LINK, LinkOption.NOFOLLOW_LINKS)) {
            try {
                return isTerminalDevice(Files.readSymbolicLink(STDERR_LINK).toString());
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        try {
            Process test = new ProcessBuilder("test", "-t", "2").redirectError(Redirect.INHERIT)
                    .redirectOutput(Redirect.DISCARD).start();
            return test.waitFor(5, TimeUnit.SECONDS) && test.exitValue() == 0;
        } catch (IOException e) {
            return System.console() != null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether a {@code /proc/self/fd} link target names a terminal device rather than a file, pipe or socket. */
    static boolean isTerminalDevice(String linkTarget) {
        return linkTarget.startsWith("/dev/pts/") || linkTarget.startsWith("/dev/tty") || linkTarget.equals("/dev/console");
    }

    /** Whether this progress line draws anything. */
    boolean isDrawing() {
        return bar != null;
    }

    @Override
    public void onCheckpoint(TrainingCheckpoint checkpoint) {
        if (bar != null) {
            bar.stepTo(checkpoint.step());
            bar.setExtraMessage(String.format(" loss %.3e", checkpoint.loss()));
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
