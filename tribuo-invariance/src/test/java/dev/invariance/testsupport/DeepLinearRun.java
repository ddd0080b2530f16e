package dev.invariance.testsupport;

import dev.invariance.analysis.MetricsTrace;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

/**
 * The deep-linear run of science.md A1.1 that several test classes check from different sides: 40 separable points in
 * 10 dimensions (seed 0), hidden widths 10 and 10, initial scale 0.1, learning rate 0.5, 2·10⁴ full-batch GD steps,
 * seed 1, with the metrics traced every 2,000 steps. Trained once per test JVM (it is the slowest fixture of the
 * suite); the model, data and trace are read-only.
 */
public final class DeepLinearRun {
    /** Steps between trace entries. */
    public static final int TRACE_INTERVAL = 2_000;
    private static DeepLinearRun run;

    private final MutableDataset<Label> data;
    private final DeepNetModel model;
    private final MetricsTrace trace;

    private DeepLinearRun() {
        data = new MutableDataset<>(new SeparableDataSource(40, 10, 0.0, 0));
        trace = MetricsTrace.create();
        model = DeepNetTrainer.builder().hidden(10, 10).initScale(0.1).learningRate(0.5).steps(20_000).seed(1).build()
                .train(data, TRACE_INTERVAL, trace);
    }

    /** The run, trained on first use. */
    public static synchronized DeepLinearRun get() {
        if (run == null) {
            run = new DeepLinearRun();
        }
        return run;
    }

    /** The training data. */
    public MutableDataset<Label> data() {
        return data;
    }

    /** The trained model. */
    public DeepNetModel model() {
        return model;
    }

    /** The metrics every {@link #TRACE_INTERVAL} steps. */
    public MetricsTrace trace() {
        return trace;
    }
}
