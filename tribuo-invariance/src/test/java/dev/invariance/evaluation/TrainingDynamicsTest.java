package dev.invariance.evaluation;

import dev.invariance.analysis.MetricsTrace;
import dev.invariance.analysis.TraceEntry;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetTrainer;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An analysis attached to the trainer's listener gives every metric as a time series (the papers' curves). */
class TrainingDynamicsTest {

    @Test
    void metricsTraceFollowsRankOneAndAlignmentOverTraining() {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(40, 10, 0.0, 0));
        MetricsTrace trace = MetricsTrace.create();
        DeepNetTrainer.builder().hidden(10, 10).initScale(0.1).learningRate(0.5).steps(20_000).seed(1).build()
                .train(data, 2_000, trace);
        List<TraceEntry> entries = trace.getEntries();
        assertEquals(11, entries.size(), "steps 0, 2000, …, 20000");
        assertEquals(20_000L, entries.get(entries.size() - 1).step());
        TraceEntry first = entries.get(0);
        TraceEntry last = entries.get(entries.size() - 1);
        assertTrue(last.loss() < first.loss() / 1000, "loss falls by orders of magnitude");
        assertTrue(first.layers().get(0).rank1Ratio() < 0.8, "a random init is far from rank one: " + first.layers().get(0).rank1Ratio());
        assertTrue(last.layers().get(0).rank1Ratio() > 0.99, "and training makes it rank one");
        assertTrue(last.pairs().get(0).adjacentAlignment() > first.pairs().get(0).adjacentAlignment());
        assertTrue(last.drift().get(0).drift() < 0.05, "linear nets nearly conserve D_i under small-step GD");
    }
}
