package dev.invariance.onnx.running;

import dev.invariance.onnx.reading.OnnxAnalysis;
import com.oracle.labs.mlrg.olcut.util.Pair;
import org.tribuo.Example;
import org.tribuo.Excuse;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.MutableFeatureMap;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.ModelProvenance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ONNX model as Tribuo's {@code LabelEvaluator} sees it: a {@link Model} carrying the model's provenance
 * ({@link OnnxAnalysis#provenance}: the Tribuo provenance our own exports store, else an external model's naming the
 * file and its hash), the feature names, the labels with the ids of the model's output columns, and whether its scores
 * are probabilities. That is all the evaluator reads of a model. The predictions come from the one ONNX Runtime
 * session of {@link OnnxDataAnalyzer}, so this model does not predict by itself: a second session only to stand here
 * would load the weights twice.
 */
final class EvaluatedOnnxModel extends Model<Label> {
    private static final long serialVersionUID = 1L;

    private EvaluatedOnnxModel(String name, ModelProvenance provenance, ImmutableFeatureMap features,
                               ImmutableOutputInfo<Label> labels, boolean probabilities) {
        super(name, provenance, features, labels, probabilities);
    }

    /**
     * The model of {@code file} as evaluated.
     *
     * @param features      the feature names, in input order
     * @param columns       the label of each output column ({@link #columns})
     * @param probabilities whether the scores are probabilities (the output transformer's answer)
     */
    static EvaluatedOnnxModel of(String file, ModelProvenance provenance, List<String> features,
                                 ImmutableOutputInfo<Label> columns, boolean probabilities) {
        MutableFeatureMap featureMap = new MutableFeatureMap();
        for (String f : features) {
            featureMap.add(f, 1.0);
        }
        return new EvaluatedOnnxModel(file, provenance, new ImmutableFeatureMap(featureMap), columns, probabilities);
    }

    /** The labels {@code classes} with the ids of their output columns: class k is column k. */
    static ImmutableOutputInfo<Label> columns(List<String> classes) {
        Map<Label, Integer> columns = new LinkedHashMap<>();
        for (int k = 0; k < classes.size(); k++) {
            columns.put(new Label(classes.get(k)), k);
        }
        return new LabelFactory().constructInfoForExternalModel(columns);
    }

    /**
     * Not supported: this model's predictions were made by ONNX Runtime ({@link OnnxDataAnalyzer}).
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Prediction<Label> predict(Example<Label> example) {
        throw new UnsupportedOperationException(name + ": the predictions of an ONNX model come from its ONNX Runtime "
                + "session (OnnxDataAnalyzer); this model describes it to Tribuo's evaluator");
    }

    /** None: an ONNX model does not say which features matter. */
    @Override
    public Map<String, List<Pair<String, Double>>> getTopFeatures(int n) {
        return Map.of();
    }

    /** None: an ONNX model does not explain its predictions. */
    @Override
    public Optional<Excuse<Label>> getExcuse(Example<Label> example) {
        return Optional.empty();
    }

    @Override
    protected EvaluatedOnnxModel copy(String newName, ModelProvenance newProvenance) {
        return new EvaluatedOnnxModel(newName, newProvenance, featureIDMap, outputIDInfo, generatesProbabilities);
    }
}
