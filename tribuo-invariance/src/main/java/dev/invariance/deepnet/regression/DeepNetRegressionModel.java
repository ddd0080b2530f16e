package dev.invariance.deepnet.regression;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.data.DenseFeatures;
import dev.invariance.deepnet.internal.ModelFeatures;
import dev.invariance.deepnet.internal.NetworkFunction;
import dev.invariance.deepnet.internal.NetworkProtos;
import dev.invariance.deepnet.internal.OnnxNetwork;
import dev.invariance.deepnet.protos.DeepNetModelProto;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.NetworkProvider;
import dev.invariance.training.LossCurve;
import dev.invariance.training.LossFunction;
import dev.invariance.training.StopReason;
import org.tribuo.Example;
import org.tribuo.Excuse;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.ONNXExportable;
import org.tribuo.Prediction;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.regression.Regressor;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXRef;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A deep linear or ReLU feed-forward regressor trained by {@link DeepNetRegressionTrainer}: layer i computes
 * {@code x_{i+1} = σ_i(W_i x_i + b_i)} (+ x_i for a residual skip) with W_i d_out × d_in, the last layer is linear,
 * and output j is the predicted value of regression dimension j in {@link #getDimensionNames()} (Tribuo's output-id
 * order). Column j of W_0 is the feature with Tribuo id j. {@link #getNetwork()} is what the analyzer reads, as for
 * {@code DeepNetModel}.
 *
 * <p>Serialises with Java serialisation and Tribuo's protobuf format ({@link #CURRENT_VERSION}), and exports to ONNX
 * (one {@code Gemm} per layer with transB = 1, so the stored tensors are exactly the W_i; the output holds the values
 * in output-id order) with the provenance in the metadata. A structured model ({@link #getStructure()}) holds,
 * analyses and exports its hidden layers as the dense W they equal.
 */
public final class DeepNetRegressionModel extends Model<Regressor> implements ONNXExportable, NetworkProvider {
    private static final long serialVersionUID = 1L;

    /** Version of the protobuf form written by {@link #serialize()}. */
    public static final int CURRENT_VERSION = 0;

    private final NetworkDescription network;
    private final LossCurve lossCurve;
    private final long stepsRun;
    private final StopReason stopReason;
    private final String[] dimensionNames;
    /** Not final only so that {@link #readObject} can give streams written before it existed DENSE. */
    private LayerStructure structure;
    private transient NetworkFunction function;

    DeepNetRegressionModel(String name, ModelProvenance provenance, ImmutableFeatureMap featureIDMap,
                           ImmutableOutputInfo<Regressor> outputIDInfo, NetworkDescription network,
                           LossCurve lossCurve, long stepsRun, StopReason stopReason, LayerStructure structure) {
        super(name, provenance, featureIDMap, outputIDInfo, false);
        if (network.layer(0).inputWidth() != featureIDMap.size()
                || network.layer(network.depth() - 1).outputWidth() != outputIDInfo.size()) {
            throw new IllegalArgumentException("network shape " + network.layer(0).inputWidth() + " -> "
                    + network.layer(network.depth() - 1).outputWidth() + " does not fit " + featureIDMap.size()
                    + " features and " + outputIDInfo.size() + " regression dimensions");
        }
        this.network = network;
        this.lossCurve = lossCurve;
        this.stepsRun = stepsRun;
        this.stopReason = stopReason;
        this.dimensionNames = DeepNetRegressionTrainer.dimensionNames(outputIDInfo).toArray(new String[0]);
        this.structure = structure;
        this.function = new NetworkFunction(network);
    }

    private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (structure == null) { // written before structured layers existed
            structure = LayerStructure.DENSE;
        }
        function = new NetworkFunction(network);
    }

    /**
     * Reads a model written by {@link #serializeToFile} (Tribuo's protobuf form), typed (Kotlin:
     * {@code val model = DeepNetRegressionModel.deserializeFromFile(path)}). Hides {@link Model#deserializeFromFile}.
     *
     * @throws IOException              if the file cannot be read or does not hold a Tribuo protobuf model
     * @throws IllegalArgumentException if it holds another kind of model
     */
    public static DeepNetRegressionModel deserializeFromFile(Path path) throws IOException {
        Model<?> model = Model.deserializeFromFile(path);
        if (model instanceof DeepNetRegressionModel regression) {
            return regression;
        }
        throw new IllegalArgumentException(path + " holds a " + model.getClass().getName()
                + ", not a DeepNetRegressionModel");
    }

    /** The weights as the analyzer reads them: layers {@code layer-0} … {@code layer-(L−1)}, W d_out × d_in. */
    @Override
    public NetworkDescription getNetwork() {
        return network;
    }

    /**
     * The parameterisation its hidden layers were trained in ({@code DeepNetRegressionTrainerBuilder.structure});
     * DENSE for a model saved before structures existed. {@link #getNetwork()} gives their dense W either way.
     */
    public LayerStructure getStructure() {
        return structure;
    }

    /** The regression dimensions in output order: output j of the network predicts dimension j. */
    public List<String> getDimensionNames() {
        return List.of(dimensionNames);
    }

    /** The training loss L = mean of ½‖f(x) − y‖² over steps. */
    public LossCurve getLossCurve() {
        return lossCurve;
    }

    /** The number of parameter updates applied in training. */
    public long getStepsRun() {
        return stepsRun;
    }

    /** Why training ended (completed, or the loss reached exactly 0). */
    public StopReason getStopReason() {
        return stopReason;
    }

    /** The element type of the weights (the training precision). */
    public ElementType getElementType() {
        return network.layer(0).elementType();
    }

    /** The network outputs f(x), in {@link #getDimensionNames()} order, for an example's features. */
    private double[] outputs(Example<Regressor> example) {
        double[] x = new double[featureIDMap.size()];
        if (DenseFeatures.fill(featureIDMap, example, x, 0) == 0) {
            throw new IllegalArgumentException("No features found in Example " + example);
        }
        return function.outputs(x);
    }

    /** Predicts every dimension: the regressor holds f(x)_j under dimension name j. */
    @Override
    public Prediction<Regressor> predict(Example<Regressor> example) {
        Regressor predicted = new Regressor(dimensionNames, outputs(example));
        return new Prediction<>(predicted, ModelFeatures.countKnown(featureIDMap, example), example);
    }

    /**
     * Per dimension, the n features with the largest absolute weight (all for n &lt; 0): for a network whose
     * activations are all linear the exact end-to-end weight (row of P = W_{L−1}…W_0, with identity terms for skips)
     * plus {@link Model#BIAS_FEATURE} for f(0); for ReLU networks the absolute path weight (row of |W_{L−1}|…|W_0|),
     * an upper bound on how much each feature can move each output.
     */
    @Override
    public Map<String, List<Pair<String, Double>>> getTopFeatures(int n) {
        boolean linear = function.allActivationsLinear();
        double[][] p = function.endToEnd(!linear);
        double[] offset = linear ? function.outputs(new double[featureIDMap.size()]) : null;
        Map<String, List<Pair<String, Double>>> out = new LinkedHashMap<>();
        for (int j = 0; j < dimensionNames.length; j++) {
            out.put(dimensionNames[j], ModelFeatures.ranked(featureIDMap, p[j], offset == null ? null : offset[j], n));
        }
        return out;
    }

    /** No excuses: a regressor's local explanation is its Jacobian, which {@code DeepNetModel} offers for classes. */
    @Override
    public Optional<Excuse<Regressor>> getExcuse(Example<Regressor> example) {
        return Optional.empty();
    }

    @Override
    protected DeepNetRegressionModel copy(String newName, ModelProvenance newProvenance) {
        return new DeepNetRegressionModel(newName, newProvenance, featureIDMap, outputIDInfo, network, lossCurve,
                stepsRun, stopReason, structure);
    }

    // ------------------------------------------------------------------ protobuf

    @Override
    public ModelProto serialize() {
        DeepNetModelProto.Builder b = NetworkProtos.write(createDataCarrier(), network, structure, lossCurve,
                        stepsRun, stopReason)
                .setLoss(LossFunction.SQUARED.name());
        return NetworkProtos.envelope(DeepNetRegressionModel.class, CURRENT_VERSION, b);
    }

    /**
     * Deserialisation factory, called reflectively by Tribuo's {@code Model.deserialize}. The message is a
     * {@code DeepNetModelProto}, as the classifier's, with a regression output domain.
     *
     * @throws InvalidProtocolBufferException if the message is not a {@code DeepNetModelProto}
     * @throws IllegalArgumentException       if the version is newer than this code understands or the content is
     *                                        inconsistent
     */
    @SuppressWarnings("unchecked")
    public static DeepNetRegressionModel deserializeFromProto(int version, String className, Any message)
            throws InvalidProtocolBufferException {
        DeepNetModelProto proto = NetworkProtos.read("DeepNetRegressionModel", version, CURRENT_VERSION, message);
        ModelDataCarrier<?> carrier = NetworkProtos.carrier(proto);
        if (carrier.outputDomain().size() == 0
                || !carrier.outputDomain().getOutput(0).getClass().equals(Regressor.class)) {
            throw new IllegalArgumentException("DeepNetRegressionModel needs a Regressor output domain");
        }
        return new DeepNetRegressionModel(carrier.name(), carrier.provenance(), carrier.featureDomain(),
                (ImmutableOutputInfo<Regressor>) carrier.outputDomain(), NetworkProtos.network("DeepNetRegressionModel",
                proto), NetworkProtos.lossCurve(proto), proto.getStepsRun(), StopReason.valueOf(proto.getStopReason()),
                NetworkProtos.structure(proto));
    }

    // ------------------------------------------------------------------ ONNX

    /**
     * Exports the model: input {@code input} takes the features in Tribuo's feature-id order (sorted by name), output
     * {@code output} the predicted values in {@link #getDimensionNames()} order; both orders are written into the
     * model as metadata {@code feature_names} and {@code dimension_names} (JSON arrays) and as the doc strings of
     * the input and the output.
     */
    @Override
    public OnnxMl.ModelProto exportONNXModel(String domain, long modelVersion) {
        return OnnxNetwork.export(this, domain, modelVersion, "Features in this order: ", "", "dimension_names",
                getDimensionNames(), "Predicted values in this order: ");
    }

    /** Writes the network's layers ({@code Gemm}, {@code Relu}, {@code Add}); the outputs are the predictions. */
    @Override
    public ONNXNode writeONNXGraph(ONNXRef<?> input) {
        return OnnxNetwork.writeLayers(input, network, NetworkProtos.residualLayers(network));
    }

    @Override
    public String toString() {
        return "DeepNetRegressionModel(name=" + name + ", layers=" + ModelFeatures.layerShapes(network, structure)
                + ", dimensions=" + getDimensionNames() + ", steps=" + stepsRun + ", stop=" + stopReason + ")";
    }
}
