package dev.invariance.deepnet.internal;

import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import org.jspecify.annotations.Nullable;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What both deep-net models say about their inputs: the feature names in id order (the ONNX input's order), how
 * many of an example's features the model knows, the features ranked by the magnitude of their end-to-end weight,
 * and the layer shapes for {@code toString}.
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because both deep-net
 * models ({@code deepnet.DeepNetModel}, {@code deepnet.regression.DeepNetRegressionModel}) use it.
 */
public final class ModelFeatures {
    private ModelFeatures() {
    }

    /** The feature names in feature-id order. */
    public static List<String> names(ImmutableFeatureMap featureMap) {
        List<String> names = new ArrayList<>(featureMap.size());
        for (int j = 0; j < featureMap.size(); j++) {
            names.add(featureMap.get(j).getName());
        }
        return names;
    }

    /** The number of the example's features that the feature map knows. */
    public static int countKnown(ImmutableFeatureMap featureMap, Example<?> example) {
        int known = 0;
        for (Feature f : example) {
            if (featureMap.getID(f.getName()) >= 0) {
                known++;
            }
        }
        return known;
    }

    /**
     * The features with their weights in {@code row} (feature-id order), plus {@link Model#BIAS_FEATURE} with
     * {@code bias} when it is not null, by decreasing magnitude: the first n (all for n &lt; 0).
     */
    public static List<Pair<String, Double>> ranked(ImmutableFeatureMap featureMap, double[] row,
                                                    @Nullable Double bias, int n) {
        List<Pair<String, Double>> features = new ArrayList<>();
        for (int j = 0; j < row.length; j++) {
            features.add(new Pair<>(featureMap.get(j).getName(), row[j]));
        }
        if (bias != null) {
            features.add(new Pair<>(Model.BIAS_FEATURE, bias));
        }
        features.sort(Comparator.comparingDouble((Pair<String, Double> e) -> -Math.abs(e.getB())));
        return n < 0 ? features : features.subList(0, Math.min(n, features.size()));
    }

    /**
     * The layers as {@code d_out x d_in} (with {@code relu} for ReLU layers), joined by arrows, followed by the
     * structure of the hidden layers unless it is DENSE ({@code ", circulant"}).
     */
    public static String layerShapes(NetworkDescription network, LayerStructure structure) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < network.depth(); i++) {
            DenseLayer l = network.layer(i);
            sb.append(i == 0 ? "" : " -> ").append(l.outputWidth()).append('x').append(l.inputWidth())
                    .append(l.activation() == Activation.RELU ? " relu" : "");
        }
        return sb.append(structure != LayerStructure.DENSE ? ", " + structure.getConfigName() : "").toString();
    }
}
