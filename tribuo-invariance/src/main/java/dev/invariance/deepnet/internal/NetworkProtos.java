package dev.invariance.deepnet.internal;

import dev.invariance.deepnet.protos.DenseLayerProto;
import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The protobuf form of a deep-net model's network: one {@link DenseLayerProto} per layer (W row-major
 * d_out × d_in) and the residual additions as (source, target) index pairs, a residual around layer i being (i, i).
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because both deep-net
 * models ({@code deepnet.DeepNetModel}, {@code deepnet.regression.DeepNetRegressionModel}) serialise through it.
 */
public final class NetworkProtos {
    private NetworkProtos() {
    }

    /** The residual flags of one of the trainers' chains (every network a deep-net model holds is one). */
    public static List<Boolean> residualLayers(NetworkDescription network) {
        List<Boolean> residual = network.residualLayers();
        if (residual == null) {
            throw new IllegalStateException("network " + network.source() + " is not a chain of dense layers");
        }
        return residual;
    }

    /** Every layer as a message. */
    public static List<DenseLayerProto> layers(NetworkDescription network) {
        List<DenseLayerProto> out = new ArrayList<>();
        for (DenseLayer layer : network.layers()) {
            DenseLayerProto.Builder lb = DenseLayerProto.newBuilder()
                    .setName(layer.name())
                    .setDOut(layer.outputWidth())
                    .setDIn(layer.inputWidth())
                    .setActivation(layer.activation().name())
                    .setHasBias(layer.hasBias());
            for (double w : layer.weights().toRowMajorArray()) {
                lb.addWeights(w);
            }
            BiasVector bias = layer.bias();
            if (bias != null) {
                for (double v : bias.toArray()) {
                    lb.addBias(v);
                }
            }
            out.add(lb.build());
        }
        return out;
    }

    /** The indexes of the layers with a residual addition around them (written as both source and target). */
    public static List<Integer> residualIndexes(NetworkDescription network) {
        List<Boolean> residual = residualLayers(network);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < residual.size(); i++) {
            if (residual.get(i)) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Reads the network back.
     *
     * @param model      the model class's simple name, for messages
     * @throws IllegalArgumentException for unpaired skips or a skip that is not a residual around one layer
     */
    public static NetworkDescription network(String model, String source, ElementType elementType,
                                             List<DenseLayerProto> layerProtos, List<Integer> skipSources,
                                             List<Integer> skipTargets) {
        List<DenseLayer> layers = new ArrayList<>();
        for (DenseLayerProto lp : layerProtos) {
            double[] w = lp.getWeightsList().stream().mapToDouble(Double::doubleValue).toArray();
            BiasVector bias = lp.getHasBias()
                    ? BiasVector.of(lp.getBiasList().stream().mapToDouble(Double::doubleValue).toArray()) : null;
            layers.add(new DenseLayer(lp.getName(), "Dense", WeightMatrix.fromRowMajor(lp.getDOut(), lp.getDIn(), w),
                    bias, Activation.valueOf(lp.getActivation()), elementType));
        }
        if (skipSources.size() != skipTargets.size()) {
            throw new IllegalArgumentException(model + " protobuf has unpaired skip connections");
        }
        List<Boolean> residual = new ArrayList<>(Collections.nCopies(layers.size(), false));
        for (int i = 0; i < skipSources.size(); i++) {
            int from = skipSources.get(i);
            if (from != skipTargets.get(i) || from < 0 || from >= layers.size()) {
                throw new IllegalArgumentException(model + " protobuf has a skip connection from layer " + from
                        + " to layer " + skipTargets.get(i) + "; only a residual around one of its "
                        + layers.size() + " layers is supported");
            }
            residual.set(from, true);
        }
        return NetworkDescription.residualChain(source, layers, residual);
    }
}
