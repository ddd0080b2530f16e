package dev.invariance.cli;

import dev.invariance.analysis.AnalysisProgress;
import dev.invariance.analysis.AnalysisStatus;
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
 * The one progress line on standard error of the commands. While training runs: steps done, rate, remaining time
 * and the current loss; it is a {@link TrainingListener} set on the trainer, so it follows any {@code train(Dataset)}
 * call. While a model is analysed ({@link #forAnalysis}): weights read of their total, elapsed and remaining time
 * (estimated from the bytes read, since layers differ in size), and layers and pairs done of their totals; it is an
 * {@link AnalysisProgress} given to {@link dev.invariance.analysis.WeightAnalyzer#withProgress}.
 *
 * <p>The bar is me.tongfei:progressbar's, drawn with {@code \r} on one line in ASCII style, no other terminal
 * escape; it shows counts and our own words only, never a layer or file name (docs/security.md: nothing from a
 * model reaches the terminal unescaped). Closing it completes the line, so what follows on the terminal (the table
 * on standard output) starts on a line of its own; the commands close it before they print their result.
 *
 * <p>Whether to draw is decided by the stream it draws on: only when standard error is a terminal. So
 * {@code 2>log} gets no {@code \r} frames, and {@code >out.txt} still shows the bar. Java 17 has no
 * {@code isatty(2)} ({@code System.console()} looks at standard input and output), so {@link #stderrIsTerminal()}
 * reads what file descriptor 2 points at on Linux ({@code /proc/self/fd/2} is a {@code /dev/pts/N} or
 * {@code /dev/ttyN} device) and elsewhere asks {@code test -t 2} in a child process that inherits standard error.
 */
final class TerminalProgress implements TrainingListener, AnalysisProgress, AutoCloseable {
    private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");

    private final String task;
    private final boolean draw;
    /** Null when not drawing; for an analysis, until the first update brings the totals. */
    private @Nullable ProgressBar bar;

    /** A training bar of {@code totalSteps}, drawn when standard error is a terminal. */
    TerminalProgress(String task, long totalSteps) {
        this(task, totalSteps, stderrIsTerminal());
    }

    TerminalProgress(String task, long totalSteps, boolean draw) {
        this.task = task;
        this.draw = draw;
        bar = !draw ? null : bar(task, totalSteps, "", 1);
    }

    private TerminalProgress(String task, boolean draw) {
        this.task = task;
        this.draw = draw;
    }

    /**
     * An analysis bar, drawn when {@code draw} (the commands pass {@code !quiet && stderrIsTerminal()}); it appears
     * with the first {@link AnalysisStatus}, which carries the totals.
     */
    static TerminalProgress forAnalysis(String task, boolean draw) {
        return new TerminalProgress(task, draw);
    }

    /** Whether a command should draw: not with {@code --quiet}, and only on a terminal. */
    static boolean shouldDraw(boolean quiet) {
        return !quiet && stderrIsTerminal();
    }

    private static ProgressBar bar(String task, long max, String unit, long unitSize) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setUnit(unit, unitSize)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(200).build();
    }

    /**
     * The unit the bytes are counted in on the bar: the largest of B, KB, MB and GB (binary) that still shows the
     * total as 100 units or more (the library prints whole units).
     */
    static long byteUnit(long totalBytes) {
        long unit = 1;
        while (unit < (1L << 30) && totalBytes / (unit << 10) >= 100) {
            unit <<= 10;
        }
        return unit;
    }

    private static String unitName(long unit) {
        return unit == 1 ? " B" : unit == 1L << 10 ? " KB" : unit == 1L << 20 ? " MB" : " GB";
    }

    /** The words after the bar: layers and pairs done of their totals, e.g. {@code layers 12/225, pairs 0/224}. */
    static String analysisMessage(AnalysisStatus status) {
        return "layers " + status.layersDone() + "/" + status.layersTotal() + ", pairs " + status.pairsDone() + "/"
                + status.pairsTotal();
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
    public synchronized void onCheckpoint(TrainingCheckpoint checkpoint) {
        if (bar != null) {
            bar.stepTo(checkpoint.step());
            bar.setExtraMessage(String.format(" loss %.3e", checkpoint.loss()));
        }
    }

    @Override
    public synchronized void onProgress(AnalysisStatus status) {
        if (!draw || status.weightBytesTotal() == 0) {
            return; // nothing to show for a model without weights to read
        }
        ProgressBar b = bar;
        if (b == null) {
            long unit = byteUnit(status.weightBytesTotal());
            b = bar(task, status.weightBytesTotal(), unitName(unit), unit);
            bar = b;
        }
        b.stepTo(status.weightBytesDone());
        b.setExtraMessage(analysisMessage(status));
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
