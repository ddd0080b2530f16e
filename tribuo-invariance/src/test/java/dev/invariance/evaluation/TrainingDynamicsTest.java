package dev.invariance.evaluation;

import dev.invariance.testsupport.DeepLinearRun;
import dev.invariance.analysis.MetricsTrace;
import dev.invariance.analysis.TraceEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An analysis attached to the trainer's listener gives every metric as a time series (the papers' curves). */
class TrainingDynamicsTest {

    @Test
    void metricsTraceFollowsRankOneAndAlignmentOverTraining() {
        MetricsTrace trace = DeepLinearRun.get().trace(); // trained once per suite, traced every 2,000 steps
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
