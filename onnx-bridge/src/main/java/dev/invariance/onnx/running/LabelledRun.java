package dev.invariance.onnx.running;

import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.onnx.reading.InvalidModelException;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An ONNX model run by ONNX Runtime over labelled data ({@link OnnxDataAnalyzer}'s data pass): Tribuo's
 * {@link LabelEvaluation} and the predicted label of each example, in data order, so that two models' predictions can
 * be compared ({@link #agreement}).
 *
 * @param evaluation the model's LabelEvaluation on the data
 * @param predicted  the predicted label of each example
 */
public record LabelledRun(LabelEvaluation evaluation, List<String> predicted) {
    /** Copies the list. */
    public LabelledRun {
        predicted = List.copyOf(predicted);
    }

    /**
     * Runs {@code model} over {@code data} with {@code options} (which must make the LabelEvaluation).
     *
     * @param notes receives the run's one-line notes
     * @throws InvalidModelException when the model cannot be run on the data or makes no LabelEvaluation
     */
    public static LabelledRun of(Path model, Path data, String labelColumn, OnnxDataOptions options,
                                 Consumer<String> notes) {
        // the weights' own figures are not wanted here: the cheapest analysis (top-1 from panels) stands beside the run
        WeightAnalyzer analyzer = WeightAnalyzer.create(AnalysisOptions.builder().topK(1)
                .spectrum(SpectrumMode.TOP_K).build());
        try (OnnxModel m = OnnxModelReader.open(model)) {
            OnnxDataEvaluation e = OnnxDataAnalyzer.create(analyzer, options).analyze(m, data, labelColumn, notes);
            LabelEvaluation evaluation = e.evaluation().getLabelEvaluation();
            if (evaluation == null) {
                throw new InvalidModelException(model + ": no LabelEvaluation was made of the data " + data);
            }
            List<String> predicted = new ArrayList<>();
            for (Prediction<Label> p : e.evaluation().getPredictions()) {
                predicted.add(p.getOutput().getLabel());
            }
            return new LabelledRun(evaluation, predicted);
        }
    }

    /** The accuracy on the data, in [0, 1]. */
    public double accuracy() {
        return evaluation.accuracy();
    }

    /**
     * The share of examples on which this run and {@code other} predict the same label.
     *
     * @throws IllegalArgumentException when the runs cover different numbers of examples
     */
    public double agreement(LabelledRun other) {
        if (other.predicted.size() != predicted.size()) {
            throw new IllegalArgumentException("runs over " + predicted.size() + " and " + other.predicted.size()
                    + " examples cannot be compared");
        }
        if (predicted.isEmpty()) {
            return 1.0;
        }
        int same = 0;
        for (int i = 0; i < predicted.size(); i++) {
            same += predicted.get(i).equals(other.predicted.get(i)) ? 1 : 0;
        }
        return (double) same / predicted.size();
    }
}
