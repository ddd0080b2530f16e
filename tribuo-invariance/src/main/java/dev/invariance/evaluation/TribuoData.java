package dev.invariance.evaluation;

import dev.invariance.analysis.LabelledData;
import dev.invariance.data.DenseFeatures;
import dev.invariance.network.WeightMatrix;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.classification.Label;

import java.util.ArrayList;
import java.util.List;

/**
 * Tribuo examples in the analyzer's neutral form: row n of the inputs is x_nᵀ with columns in feature-id order
 * (the column order of W_0 of a network trained on them), and for two classes y_n = +1 for the label with output
 * id 1, −1 otherwise, the convention by which a single-output network's logit is read.
 */
public final class TribuoData {
    private TribuoData() {
    }

    /** The examples as an N × d matrix in the feature map's id order (unknown features ignored, absent ones 0). */
    public static WeightMatrix inputs(ImmutableFeatureMap features, Iterable<Example<Label>> examples) {
        List<Example<Label>> list = new ArrayList<>();
        examples.forEach(list::add);
        int d = features.size();
        double[] x = new double[list.size() * d];
        int row = 0;
        for (Example<Label> e : list) {
            DenseFeatures.fill(features, e, x, row * d);
            row++;
        }
        return WeightMatrix.fromRowMajor(list.size(), d, x);
    }

    /** A two-class data set, in its own feature and label ids. */
    public static LabelledData labelled(Dataset<Label> data) {
        return labelled(data.getFeatureIDMap(), data.getOutputIDInfo(), data);
    }

    /** Data arranged for a model: the model's feature ids and its positive class (output id 1). */
    public static LabelledData labelled(Model<Label> model, Iterable<Example<Label>> data) {
        return labelled(model.getFeatureIDMap(), model.getOutputIDInfo(), data);
    }

    private static LabelledData labelled(ImmutableFeatureMap features, ImmutableOutputInfo<Label> outputs,
                                         Iterable<Example<Label>> data) {
        if (outputs.size() != 2) {
            throw new IllegalArgumentException("±1 labels need two classes, found " + outputs.getDomain());
        }
        String positive = outputs.getOutput(1).getLabel();
        List<Double> labels = new ArrayList<>();
        for (Example<Label> e : data) {
            labels.add(e.getOutput().getLabel().equals(positive) ? 1.0 : -1.0);
        }
        return new LabelledData(inputs(features, data), labels);
    }
}
