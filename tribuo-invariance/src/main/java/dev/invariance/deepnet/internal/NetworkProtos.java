package dev.invariance.deepnet.internal;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.invariance.deepnet.protos.DeepNetModelProto;
import dev.invariance.deepnet.protos.DenseLayerProto;
import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import dev.invariance.training.LossCurve;
import dev.invariance.training.StopReason;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelDataProto;
import org.tribuo.protos.core.ModelProto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The protobuf form of a deep-net model ({@link DeepNetModelProto}, for the classifier and the regressor alike): the
 * Tribuo metadata, one {@link DenseLayerProto} per layer (W row-major d_out × d_in), the residual additions as
 * (source, target) index pairs (a residual around layer i being (i, i)), the {@link LayerStructure} of the hidden
 * layers (field 17; empty, read as DENSE, in messages written before it existed) and the training record (loss curve,
 * steps, stop reason).
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
    private static List<DenseLayerProto> layers(NetworkDescription network) {
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
    private static List<Integer> residualIndexes(NetworkDescription network) {
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
     * @throws IllegalArgumentException for unpaired skips or a skip that is not a residual around one layer
     */
    private static NetworkDescription network(String model, String source, ElementType elementType,
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

    /**
     * A message holding what every deep-net model stores: metadata, element type, network, structure of the hidden
     * layers, loss curve, steps and stop reason; the caller adds its own fields (loss, classes, standardisation) and
     * builds it.
     */
    public static DeepNetModelProto.Builder write(ModelDataCarrier<?> carrier, NetworkDescription network,
                                                  LayerStructure structure, LossCurve lossCurve, long stepsRun,
                                                  StopReason stopReason) {
        DeepNetModelProto.Builder b = DeepNetModelProto.newBuilder()
                .setMetadata(Any.pack(carrier.serialize()))
                .setElementType(network.layer(0).elementType().name())
                .setStepsRun(stepsRun)
                .setStopReason(stopReason.name())
                .setNetworkSource(network.source())
                .setStructure(structure.name())
                .addAllLayers(layers(network));
        for (int i : residualIndexes(network)) {
            // the protobuf keeps the (source, target) pair of earlier versions: a residual around layer i is (i, i)
            b.addSkipSource(i).addSkipTarget(i);
        }
        return b.addAllCurveSteps(lossCurve.steps()).addAllCurveLosses(lossCurve.losses())
                .addAllCurveLogLosses(lossCurve.logLosses());
    }

    /**
     * Unpacks a deep-net model's message after checking its version.
     *
     * @param model          the model class's simple name, for messages
     * @param currentVersion the newest version the model class reads
     * @throws InvalidProtocolBufferException if the message is not a {@code DeepNetModelProto}
     * @throws IllegalArgumentException       if the version is newer than {@code currentVersion}
     */
    public static DeepNetModelProto read(String model, int version, int currentVersion, Any message)
            throws InvalidProtocolBufferException {
        if (version < 0 || version > currentVersion) {
            throw new IllegalArgumentException(model + " protobuf version " + version
                    + " is newer than this library understands (" + currentVersion + ")");
        }
        return message.unpack(DeepNetModelProto.class);
    }

    /** The Tribuo metadata (name, provenance, feature and output domains) of a message. */
    public static ModelDataCarrier<?> carrier(DeepNetModelProto proto) throws InvalidProtocolBufferException {
        return ModelDataCarrier.deserialize(proto.getMetadata().unpack(ModelDataProto.class));
    }

    /** The network of a message. */
    public static NetworkDescription network(String model, DeepNetModelProto proto) {
        return network(model, proto.getNetworkSource(), ElementType.valueOf(proto.getElementType()),
                proto.getLayersList(), proto.getSkipSourceList(), proto.getSkipTargetList());
    }

    /**
     * The structure of a message's hidden layers: DENSE when it was written before structures existed.
     *
     * @throws IllegalArgumentException for a name that is not a {@link LayerStructure}
     */
    public static LayerStructure structure(DeepNetModelProto proto) {
        return proto.getStructure().isEmpty() ? LayerStructure.DENSE : LayerStructure.valueOf(proto.getStructure());
    }

    /** The loss curve of a message. */
    public static LossCurve lossCurve(DeepNetModelProto proto) {
        return new LossCurve(proto.getCurveStepsList(), proto.getCurveLossesList(), proto.getCurveLogLossesList());
    }

    /** Tribuo's envelope of a model: the model class, the version of its form and the message. */
    public static ModelProto envelope(Class<?> modelClass, int version, DeepNetModelProto.Builder message) {
        return ModelProto.newBuilder().setVersion(version).setClassName(modelClass.getName())
                .setSerializedData(Any.pack(message.build())).build();
    }
}
