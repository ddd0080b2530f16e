package dev.invariance.evaluation;

import dev.invariance.analysis.ActivationPatterns;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.ConservationDrift;
import dev.invariance.analysis.DriftMetrics;
import dev.invariance.analysis.HardMarginSvm;
import dev.invariance.analysis.LabelledData;
import dev.invariance.analysis.SvmProgress;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.FeatureStandardization;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.NetworkProvider;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;
import org.tribuo.DataSource;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.evaluation.Evaluator;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates a model that exposes its weights ({@link NetworkProvider}, for example {@code DeepNetModel}) in
 * Tribuo's style. Without data it analyses the weights (science.md 2.1–2.7). With data (a Tribuo dataset, data
 * source or prediction list) it adds the model's {@link LabelEvaluation}, the end-to-end predictor against the
 * hard-margin SVM for linear single-output networks (2.8), the ReLU activation sets and the metrics of the
 * stably-active submatrices (2.11), and, if initial weights were given, the conservation drift (2.9).
 * Inputs are arranged in the model's feature-id order, which is W_0's column order.
 */
public final class InvarianceEvaluator implements Evaluator<Label, InvarianceEvaluation> {
    /** The description of the data provenance of a weights-only evaluation. */
    static final String WEIGHTS_ONLY = "no data: weights only";

    private static final SvmProgress SILENT = (epoch, active, size, violation, nanos) -> { };

    private final WeightAnalyzer analyzer;
    private final @Nullable NetworkDescription initial;
    private final HardMarginSvm svm;
    private final SvmProgress svmProgress;

    private InvarianceEvaluator(WeightAnalyzer analyzer, @Nullable NetworkDescription initial, HardMarginSvm svm,
                                SvmProgress svmProgress) {
        this.analyzer = analyzer;
        this.initial = initial;
        this.svm = svm;
        this.svmProgress = svmProgress;
    }

    /** An evaluator with the analyzer's default options. */
    public static InvarianceEvaluator create() {
        return create(WeightAnalyzer.create());
    }

    /**
     * An evaluator using the given analyzer (for example with all singular values, or reporting its progress:
     * {@link WeightAnalyzer#withProgress}). An analyzer that selects layers ({@code AnalysisOptions.getLayers()})
     * evaluates weights only: the evaluations with data refuse it.
     */
    public static InvarianceEvaluator create(WeightAnalyzer analyzer) {
        return new InvarianceEvaluator(analyzer, null, HardMarginSvm.create(), SILENT);
    }

    /** The same evaluator that also reports conservation drift relative to {@code initialWeights}. */
    public InvarianceEvaluator withInitialWeights(NetworkDescription initialWeights) {
        return new InvarianceEvaluator(analyzer, initialWeights, svm, svmProgress);
    }

    /**
     * The same evaluator with another max-margin solver (tolerance, time limit) for the SVM comparison, reporting
     * its passes over the data to {@code progress} (last, so Kotlin can pass a trailing lambda).
     */
    public InvarianceEvaluator withSvm(HardMarginSvm solver, SvmProgress progress) {
        return new InvarianceEvaluator(analyzer, initial, solver, progress);
    }

    /**
     * Analyses the weights only, of any model that exposes them: a classifier or a regressor
     * ({@code DeepNetRegressionModel}).
     */
    public InvarianceEvaluation evaluate(Model<?> model) {
        NetworkDescription network = networkOf(model);
        DataProvenance none = new SimpleDataSourceProvenance(WEIGHTS_ONLY, new LabelFactory());
        List<DriftMetrics> drift = initial == null ? List.of() : ConservationDrift.between(initial, network, null);
        DataAnalysis data = drift.isEmpty() ? null : new DataAnalysis(0, null, "no data", List.of(), null, drift);
        return new InvarianceEvaluation(analyzer.analyze(network), data, null, List.of(),
                new EvaluationProvenance(model.getProvenance(), none));
    }

    /**
     * {@inheritDoc}
     * <p>The evaluation's {@link InvarianceEvaluation#getExecution() execution} is {@link Execution#inJava}: the
     * examples, and the seconds of Tribuo's predictions and of the forward pass that records the ReLU patterns.
     */
    @Override
    public InvarianceEvaluation evaluate(Model<Label> model, Dataset<Label> dataset) {
        long start = System.nanoTime();
        List<Prediction<Label>> predictions = model.predict(dataset);
        return evaluate(model, predictions, dataset.getProvenance(), System.nanoTime() - start);
    }

    @Override
    public InvarianceEvaluation evaluate(Model<Label> model, DataSource<Label> source) {
        return evaluate(model, new MutableDataset<>(source));
    }

    /**
     * {@inheritDoc}
     * <p>With predictions, the evaluation's {@link InvarianceEvaluation#getExecution() execution} is
     * {@link Execution#inJava}: the examples, and the seconds of the forward pass that records the ReLU patterns (the
     * predictions were made by the caller).
     */
    @Override
    public InvarianceEvaluation evaluate(Model<Label> model, List<Prediction<Label>> predictions,
                                         DataProvenance dataProvenance) {
        return evaluate(model, predictions, dataProvenance, 0L);
    }

    /** The evaluation, its execution counting {@code predictionNanos} already spent predicting. */
    private InvarianceEvaluation evaluate(Model<Label> model, List<Prediction<Label>> predictions,
                                          DataProvenance dataProvenance, long predictionNanos) {
        if (analyzer.getOptions().getLayers() != null) {
            // the activations, stable submatrices and drift are indexed by the whole network's layers
            throw new IllegalArgumentException("a layer selection applies to the analysis of the weights alone, not "
                    + "with data");
        }
        NetworkDescription network = networkOf(model);
        AnalysisReport report = analyzer.analyze(network);
        LabelEvaluation classification = predictions.isEmpty() ? null
                : new LabelEvaluator().evaluate(model, predictions, dataProvenance);
        List<Example<Label>> examples = new ArrayList<>(predictions.size());
        for (Prediction<Label> p : predictions) {
            examples.add(p.getExample());
        }
        DataRun run = examples.isEmpty() ? null : analyseData(model, network, examples);
        InvarianceEvaluation evaluation = new InvarianceEvaluation(report, run == null ? null : run.analysis(),
                classification, predictions, new EvaluationProvenance(model.getProvenance(), dataProvenance));
        return run == null ? evaluation : evaluation.withExecution(
                Execution.inJava(examples.size(), (predictionNanos + run.forwardNanos()) / 1e9));
    }

    /** The data-dependent figures and the nanoseconds the forward pass over the examples took. */
    private record DataRun(DataAnalysis analysis, long forwardNanos) {
    }

    private DataRun analyseData(Model<Label> model, NetworkDescription network, List<Example<Label>> examples) {
        // the network's own inputs: standardised when the model standardises (the analysis is of the weights as trained)
        FeatureStandardization standardization = model instanceof DeepNetModel dm ? dm.getStandardization() : null;
        WeightMatrix inputs = TribuoData.inputs(model.getFeatureIDMap(), examples);
        if (standardization != null) {
            inputs = standardization.transform(inputs);
        }
        MarginComparison margin = null;
        String note = "";
        int outputs = network.layer(network.depth() - 1).outputWidth();
        if (!network.isLinear()) {
            note = "the network is not linear and bias-free";
        } else if (outputs != 1 || model.getOutputIDInfo().size() != 2) {
            note = "the network has " + outputs + " outputs (the SVM comparison needs two classes, one output)";
        } else {
            try {
                LabelledData labelled = new LabelledData(inputs, TribuoData.labelled(model, examples).labels());
                margin = MarginComparison.of(network, labelled, svm.fit(labelled, svmProgress));
                note = margin.note();
            } catch (IllegalArgumentException e) {
                String message = e.getMessage();
                note = message != null ? message : e.toString();
            }
        }
        boolean relu = false;
        for (DenseLayer l : network.layers()) {
            relu |= l.activation() == Activation.RELU;
        }
        List<LayerActivation> activations = new ArrayList<>();
        StableSubmatrixMetrics stable = null;
        long forwardNanos = 0;
        if (relu) {
            long start = System.nanoTime();
            List<LayerActivation> patterns = ActivationPatterns.of(network, inputs);
            forwardNanos = System.nanoTime() - start;
            for (LayerActivation a : patterns) {
                if (network.layer(a.layer()).activation() == Activation.RELU) {
                    activations.add(a);
                }
            }
            stable = analyzer.analyzeStableSubmatrices(network, patterns);
        }
        List<DriftMetrics> drift = initial == null ? List.of() : ConservationDrift.between(initial, network, inputs);
        return new DataRun(new DataAnalysis(examples.size(), margin, note, activations, stable, drift), forwardNanos);
    }

    private static NetworkDescription networkOf(Model<?> model) {
        if (model instanceof NetworkProvider provider) {
            return provider.getNetwork();
        }
        throw new IllegalArgumentException("model " + model.getClass().getName()
                + " does not expose its weights (it is not a NetworkProvider)");
    }
}
