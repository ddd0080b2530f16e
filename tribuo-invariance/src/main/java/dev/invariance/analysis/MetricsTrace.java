package dev.invariance.analysis;

import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import dev.invariance.training.TrainingCheckpoint;
import dev.invariance.training.TrainingListener;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TrainingListener} that records, at every checkpoint, all layer and pair metrics of
 * {@link WeightAnalyzer} and the conservation drift relative to the first checkpoint it saw (science.md 2.9), as a
 * time series. Attach it to the trainer; read {@link #getEntries()} afterwards. Thread-safe.
 */
public final class MetricsTrace implements TrainingListener {
    private final WeightAnalyzer analyzer;
    private final @Nullable WeightMatrix inputs;
    private final List<TraceEntry> entries = new ArrayList<>();
    private @Nullable NetworkDescription initial;

    private MetricsTrace(WeightAnalyzer analyzer, @Nullable WeightMatrix inputs) {
        this.analyzer = analyzer;
        this.inputs = inputs;
    }

    /** A trace with the default analyzer and no data (the D[S, S] drift is then NaN). */
    public static MetricsTrace create() {
        return new MetricsTrace(WeightAnalyzer.create(), null);
    }

    /**
     * A trace with the given analyzer; {@code inputs} (N × d_0, rows are examples) sets the stably active units
     * for the D[S, S] drift, or null to skip it.
     */
    public static MetricsTrace create(WeightAnalyzer analyzer, @Nullable WeightMatrix inputs) {
        return new MetricsTrace(analyzer, inputs);
    }

    /** Records one checkpoint. */
    @Override
    public synchronized void onCheckpoint(TrainingCheckpoint checkpoint) {
        NetworkDescription net = checkpoint.network();
        if (initial == null) {
            initial = net;
        }
        AnalysisReport report = analyzer.analyze(net);
        entries.add(new TraceEntry(checkpoint.step(), checkpoint.loss(), report.layers(), report.pairs(),
                ConservationDrift.between(initial, net, inputs)));
    }

    /** An immutable copy of the entries recorded so far, in checkpoint order. */
    public synchronized List<TraceEntry> getEntries() {
        return List.copyOf(entries);
    }
}
