package dev.invariance.cli;

import dev.invariance.training.TrainingCheckpoint;
import dev.invariance.training.TrainingListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jspecify.annotations.Nullable;

/**
 * A progress line on standard error while training runs on a terminal (nothing when output is redirected):
 * steps done, rate, remaining time and the current loss.
 */
final class TerminalProgress implements TrainingListener, AutoCloseable {
    private final @Nullable ProgressBar bar;

    TerminalProgress(String task, long totalSteps) {
        bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(200).build();
    }

    /** How often to report: about 200 updates over the run. */
    static int interval(long totalSteps) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, totalSteps / 200));
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
