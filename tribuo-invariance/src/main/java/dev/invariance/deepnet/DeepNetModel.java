package dev.invariance.deepnet;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.oracle.labs.mlrg.olcut.util.Pair;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import dev.invariance.compression.CompressedLayer;
import dev.invariance.compression.FactoredNetwork;
import dev.invariance.compression.RankChoice;
import dev.invariance.deepnet.protos.DeepNetModelProto;
import dev.invariance.deepnet.internal.ModelFeatures;
import dev.invariance.deepnet.internal.NetworkFunction;
import dev.invariance.deepnet.internal.NetworkProtos;
import dev.invariance.deepnet.internal.OnnxNetwork;
import dev.invariance.data.DenseFeatures;
import dev.invariance.network.Activation;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.NetworkProvider;
import dev.invariance.training.internal.Architecture;
import dev.invariance.training.LossCurve;
import dev.invariance.training.LossFunction;
import dev.invariance.training.StopReason;
import org.jspecify.annotations.Nullable;
import org.tribuo.Example;
import org.tribuo.Excuse;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.ONNXExportable;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXRef;

import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A deep linear or ReLU feed-forward classifier trained by {@link DeepNetTrainer}: layer i computes
 * {@code x_{i+1} = σ_i(W_i x_i + b_i)} (+ x_i for a residual skip) with W_i d_out × d_in; the last layer is
 * linear. Two classes use one output f and the class scores of {@link LossFunction#classScores}: logistic
 * loss p(positive) = σ(f), exponential σ(2f), squared loss raw scores (−f, f). k > 2 classes use k outputs:
 * softmax(f), softmax(2f) or raw scores. Column j of W_0 is the feature with Tribuo id j.
 *
 * <p>Serialises with Java serialisation and Tribuo's protobuf format, and exports to ONNX (Gemm with
 * transB = 1, so the stored tensors are exactly the W_i, as PyTorch stores them) with the provenance in the
 * metadata. A structured model ({@link #getStructure()}) holds, analyses and exports its hidden layers as the dense
 * W they equal.
 */
public final class DeepNetModel extends Model<Label> implements ONNXExportable, NetworkProvider {
    private static final long serialVersionUID = 1L;

    /** Version of the protobuf form written by {@link #serialize()}. */
    public static final int CURRENT_VERSION = 0;

    /** Not final only so that {@link #readObject} can restore the residual additions of a 0.1.0 stream. */
    private NetworkDescription network;
    private final LossFunction loss;
    private final LossCurve lossCurve;
    private final long stepsRun;
    private final StopReason stopReason;
    private final @Nullable FeatureStandardization standardization;
    /** Not final only so that {@link #readObject} can give streams written before it existed DENSE. */
    private LayerStructure structure;
    private transient NetworkFunction function;

    DeepNetModel(String name, ModelProvenance provenance, ImmutableFeatureMap featureIDMap,
                 ImmutableOutputInfo<Label> outputIDInfo, NetworkDescription network, LossFunction loss,
                 LossCurve lossCurve, long stepsRun, StopReason stopReason,
                 @Nullable FeatureStandardization standardization, LayerStructure structure) {
        super(name, provenance, featureIDMap, outputIDInfo, loss.producesProbabilities());
        int outputs = outputIDInfo.size() == 2 ? 1 : outputIDInfo.size();
        if (network.layer(0).inputWidth() != featureIDMap.size()
                || network.layer(network.depth() - 1).outputWidth() != outputs) {
            throw new IllegalArgumentException("network shape " + network.layer(0).inputWidth() + " -> "
                    + network.layer(network.depth() - 1).outputWidth() + " does not fit " + featureIDMap.size()
                    + " features and " + outputIDInfo.size() + " classes");
        }
        this.network = network;
        this.loss = loss;
        this.lossCurve = lossCurve;
        this.stepsRun = stepsRun;
        this.stopReason = stopReason;
        if (standardization != null && standardization.getMeans().size() != featureIDMap.size()) {
            throw new IllegalArgumentException("standardisation of " + standardization.getMeans().size()
                    + " features does not fit " + featureIDMap.size() + " features");
        }
        this.standardization = standardization;
        this.structure = structure;
        this.function = new NetworkFunction(network);
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (structure == null) { // written before structured layers existed
            structure = LayerStructure.DENSE;
        }
        network = withTrainedResiduals(network);
        function = new NetworkFunction(network);
    }

    /**
     * A model Java-serialised by version 0.1.0 stored its residual additions in a form that is no longer read (its
     * network comes back as a plain chain); the trainer's configuration in the provenance says where they were:
     * around every square hidden-to-hidden layer when {@code skipConnections} is set (the trainer's only rule).
     */
    private NetworkDescription withTrainedResiduals(NetworkDescription read) {
        List<Boolean> residual = read.residualLayers();
        if (residual == null || residual.contains(true)) {
            return read;
        }
        var skip = getProvenance().getTrainerProvenance().getConfiguredParameters().get("skipConnections");
        if (skip == null || !Boolean.parseBoolean(skip.toString())) {
            return read;
        }
        // the trainer's own rule (Architecture.hasSkip) on the widths and activations read back
        List<Integer> widths = new ArrayList<>(read.depth() + 1);
        List<Activation> hidden = new ArrayList<>(read.depth());
        for (int i = 0; i < read.depth(); i++) {
            widths.add(read.layer(i).inputWidth());
            if (i < read.depth() - 1) {
                hidden.add(read.layer(i).activation());
            }
        }
        widths.add(read.layer(read.depth() - 1).outputWidth());
        Architecture architecture = new Architecture(widths, hidden, read.layer(0).hasBias(), true);
        List<Boolean> trained = new ArrayList<>(read.depth());
        for (int i = 0; i < read.depth(); i++) {
            trained.add(architecture.hasSkip(i));
        }
        return NetworkDescription.residualChain(read.source(), read.layers(), trained);
    }

    /**
     * Reads a model written by {@link #serializeToFile} (Tribuo's protobuf form), typed, so that callers need no
     * cast (Kotlin: {@code val model = DeepNetModel.deserializeFromFile(path)}). Hides
     * {@link Model#deserializeFromFile}, which returns {@code Model<?>}.
     *
     * @throws IOException              if the file cannot be read or does not hold a Tribuo protobuf model
     * @throws IllegalArgumentException if it holds another kind of model
     */
    public static DeepNetModel deserializeFromFile(Path path) throws IOException {
        Model<?> model = Model.deserializeFromFile(path);
        if (model instanceof DeepNetModel deepNet) {
            return deepNet;
        }
        throw new IllegalArgumentException(path + " holds a " + model.getClass().getName() + ", not a DeepNetModel");
    }

    /** The weights as the analyzer reads them: layers {@code layer-0} … {@code layer-(L−1)}, W d_out × d_in. */
    @Override
    public NetworkDescription getNetwork() {
        return network;
    }

    /**
     * The parameterisation its hidden layers were trained in ({@code DeepNetTrainerBuilder.structure}); DENSE for a
     * model saved before structures existed. {@link #getNetwork()} gives their dense W either way.
     */
    public LayerStructure getStructure() {
        return structure;
    }

    /** The loss the model was trained with (it sets how outputs become class scores). */
    public LossFunction getLoss() {
        return loss;
    }

    /** The training loss over steps. */
    public LossCurve getLossCurve() {
        return lossCurve;
    }

    /** The number of parameter updates applied in training. */
    public long getStepsRun() {
        return stepsRun;
    }

    /** Why training ended (completed, or the loss underflowed to 0). */
    public StopReason getStopReason() {
        return stopReason;
    }

    /**
     * The feature standardisation learned in training ({@code DeepNetTrainerBuilder.standardize(true)}), applied to
     * every input before the first layer, or null when the model takes raw features. The network's weights act on
     * standardised features.
     */
    public @Nullable FeatureStandardization getStandardization() {
        return standardization;
    }

    /** The element type of the weights (the training precision). */
    public ElementType getElementType() {
        return network.layer(0).elementType();
    }

    /**
     * The dense feature vector of an example in feature-id order (unknown features are ignored), standardised when
     * the model was trained with standardisation: the network's input.
     */
    double[] featureVector(Example<Label> example) {
        double[] x = new double[featureIDMap.size()];
        if (DenseFeatures.fill(featureIDMap, example, x, 0) == 0) {
            throw new IllegalArgumentException("No features found in Example " + example);
        }
        if (standardization != null) {
            standardization.applyInPlace(x);
        }
        return x;
    }

    /**
     * The training objective on {@code data}: the weighted mean loss Σ wₙ ℓ(f(xₙ), yₙ) / Σ wₙ of this model's
     * network (after its standardisation) under the loss it was trained with. On the training set this is the
     * full-batch loss at the final weights, whichever optimiser trained it (SGD and Adam record minibatch losses).
     *
     * @throws IllegalArgumentException if an example's label is not one of the model's classes
     */
    public double meanLoss(Iterable<Example<Label>> data) {
        List<double[]> outputs = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (Example<Label> example : data) {
            int id = outputIDInfo.getID(example.getOutput());
            if (id < 0) {
                throw new IllegalArgumentException("label '" + example.getOutput().getLabel()
                        + "' is not one of the model's classes " + outputIDInfo.getDomain());
            }
            outputs.add(function.outputs(featureVector(example)));
            classes.add(id);
            weights.add((double) example.getWeight());
        }
        int width = outputIDInfo.size() == 2 ? 1 : outputIDInfo.size();
        double[] flat = new double[outputs.size() * width];
        for (int r = 0; r < outputs.size(); r++) {
            System.arraycopy(outputs.get(r), 0, flat, r * width, width);
        }
        return loss.meanLoss(flat, classes.stream().mapToInt(Integer::intValue).toArray(), outputIDInfo.size(),
                weights.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Override
    public Prediction<Label> predict(Example<Label> example) {
        double[] x = featureVector(example);
        double[] scores = loss.classScores(function.outputs(x), outputIDInfo.size());
        Map<String, Label> scoreMap = new LinkedHashMap<>();
        Label best = null;
        for (int id = 0; id < scores.length; id++) {
            String name = outputIDInfo.getOutput(id).getLabel();
            Label scored = new Label(name, scores[id]);
            scoreMap.put(name, scored);
            if (best == null || scores[id] > best.getScore()) {
                best = scored;
            }
        }
        return new Prediction<>(best, scoreMap, ModelFeatures.countKnown(featureIDMap, example), example,
                generatesProbabilities);
    }

    /**
     * Per class, the n features with the largest absolute weight (all for n &lt; 0). For a network whose
     * activations are all linear this is the exact end-to-end weight (row of P = W_{L−1}…W_0, with identity terms
     * for skips; two classes: the positive class gets the row of P, the negative class its negation), and
     * {@link Model#BIAS_FEATURE} gets f(0). For ReLU networks it is the absolute path weight (row of
     * |W_{L−1}|…|W_0|), an upper bound on how much each feature can move each output. For a standardised model
     * the weights are per standard deviation of each feature (they act on standardised features).
     */
    @Override
    public Map<String, List<Pair<String, Double>>> getTopFeatures(int n) {
        boolean linear = function.allActivationsLinear();
        double[][] p = function.endToEnd(!linear);
        double[] offset = linear ? function.outputs(new double[featureIDMap.size()]) : null;
        Map<String, List<Pair<String, Double>>> out = new LinkedHashMap<>();
        int classes = outputIDInfo.size();
        for (int id = 0; id < classes; id++) {
            double[] row;
            double bias;
            if (classes == 2) {
                double sign = (id == 1 || !linear) ? 1.0 : -1.0;
                row = scaled(p[0], sign);
                bias = offset == null ? 0.0 : sign * offset[0];
            } else {
                row = p[id];
                bias = offset == null ? 0.0 : offset[id];
            }
            out.put(outputIDInfo.getOutput(id).getLabel(),
                    ModelFeatures.ranked(featureIDMap, row, offset == null ? null : bias, n));
        }
        return out;
    }

    private static double[] scaled(double[] v, double s) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = s * v[i];
        }
        return out;
    }

    /**
     * Explains a prediction exactly for piecewise-linear networks: with the activation pattern at x fixed the
     * network is linear, f(x) = J(x) x + c, and feature j contributes J(x)_{·j} x_j to each output. Per class the
     * contributions are listed by decreasing magnitude (two classes: the positive class gets J x, the negative
     * class its negation). For a standardised model x is the standardised input.
     */
    @Override
    public Optional<Excuse<Label>> getExcuse(Example<Label> example) {
        double[] x = featureVector(example);
        double[][] jac = function.localJacobian(x);
        Map<String, List<Pair<String, Double>>> scores = new HashMap<>();
        int classes = outputIDInfo.size();
        for (int id = 0; id < classes; id++) {
            double[] row = classes == 2 ? scaled(jac[0], id == 1 ? 1.0 : -1.0) : jac[id];
            List<Pair<String, Double>> contributions = new ArrayList<>();
            for (int j = 0; j < row.length; j++) {
                if (x[j] != 0.0) {
                    contributions.add(new Pair<>(featureIDMap.get(j).getName(), row[j] * x[j]));
                }
            }
            contributions.sort(Comparator.comparingDouble((Pair<String, Double> e) -> -Math.abs(e.getB())));
            scores.put(outputIDInfo.getOutput(id).getLabel(), contributions);
        }
        return Optional.of(new Excuse<>(example, predict(example), scores));
    }

    @Override
    protected DeepNetModel copy(String newName, ModelProvenance newProvenance) {
        return new DeepNetModel(newName, newProvenance, featureIDMap, outputIDInfo, network, loss, lossCurve,
                stepsRun, stopReason, standardization, structure);
    }

    /** Instance-provenance key of a compressed model: the source model's whole provenance. */
    public static final String COMPRESSED_FROM = "compression.source-model";
    /** Instance-provenance key of a compressed model: how the ranks were chosen ({@link RankChoice#toString}). */
    public static final String COMPRESSION_SETTINGS = "compression.settings";
    /**
     * Instance-provenance key of a compressed model: one entry per source layer, in order, with its {@code name},
     * {@code rank} (0: kept) and {@code error} σ_{r+1}.
     */
    public static final String COMPRESSION_LAYERS = "compression.layers";

    /**
     * This model with each layer W (d_out × d_in) whose rank-r truncation saves parameters
     * ({@code r·(d_in + d_out) < d_in·d_out}, r from {@code choice}) replaced by two layers, {@code R = Σ_r^{1/2}V_rᵀ}
     * (identity activation, no bias) then {@code L = U_rΣ_r^{1/2}} (the original activation and bias)
     * ({@link FactoredNetwork}); layers with a residual addition around them are kept. For a linear network whose
     * only factored layer is i, the outputs move by at most ‖W_{L−1}⋯W_{i+1}‖₂·σ_{r+1}(W_i)·‖x_i‖.
     * <p>
     * The result is a {@code DeepNetModel} like any other (it predicts, serialises, exports to ONNX, is analysed),
     * with the same name, features, classes, loss, standardisation and training record. Its provenance has the
     * source's dataset and trainer provenance (retraining from it gives the uncompressed model) and, besides the
     * source's instance values, {@link #COMPRESSED_FROM}, {@link #COMPRESSION_SETTINGS} and
     * {@link #COMPRESSION_LAYERS}.
     *
     * @throws IllegalArgumentException for a diagonal or circulant model: its hidden layers hold n parameters each,
     *                                  fewer than any factorisation
     */
    public DeepNetModel compress(RankChoice choice) {
        if (structure != LayerStructure.DENSE) {
            throw new IllegalArgumentException("a model with " + structure.name().toLowerCase(java.util.Locale.ROOT)
                    + " hidden layers is not compressed: each holds n parameters, fewer than any low-rank factors");
        }
        FactoredNetwork factored = FactoredNetwork.of(network, choice);
        ModelProvenance source = getProvenance();
        Map<String, Provenance> instance = new LinkedHashMap<>();
        source.getInstanceProvenance().getMap().forEach(instance::put);
        instance.put(COMPRESSED_FROM, source);
        instance.put(COMPRESSION_SETTINGS, new StringProvenance(COMPRESSION_SETTINGS, choice.toString()));
        List<MapProvenance<Provenance>> layers = new ArrayList<>();
        for (CompressedLayer l : factored.layers()) {
            Map<String, Provenance> entry = new LinkedHashMap<>();
            entry.put("name", new StringProvenance("name", l.name()));
            entry.put("rank", new IntProvenance("rank", l.rank()));
            entry.put("error", new DoubleProvenance("error", l.error()));
            layers.add(new MapProvenance<>(entry));
        }
        instance.put(COMPRESSION_LAYERS, new ListProvenance<>(layers));
        ModelProvenance provenance = new ModelProvenance(source.getClassName(), OffsetDateTime.now(),
                source.getDatasetProvenance(), source.getTrainerProvenance(), instance);
        return new DeepNetModel(name, provenance, featureIDMap, outputIDInfo, factored.network(), loss, lossCurve,
                stepsRun, stopReason, standardization, structure);
    }

    // ------------------------------------------------------------------ protobuf

    @Override
    public ModelProto serialize() {
        DeepNetModelProto.Builder b = NetworkProtos.write(createDataCarrier(), network, structure, lossCurve,
                        stepsRun, stopReason)
                .setLoss(loss.name())
                .setNumClasses(outputIDInfo.size());
        if (standardization != null) {
            b.addAllFeatureMeans(standardization.getMeans()).addAllFeatureDeviations(standardization.getStandardDeviations())
                    .setFeatureTargetMean(standardization.getTargetMean());
        }
        return NetworkProtos.envelope(DeepNetModel.class, CURRENT_VERSION, b);
    }

    /**
     * Deserialisation factory, called reflectively by Tribuo's {@code Model.deserialize}.
     *
     * @throws InvalidProtocolBufferException if the message is not a {@code DeepNetModelProto}
     * @throws IllegalArgumentException       if the version is newer than this code understands or the content is inconsistent
     */
    @SuppressWarnings("unchecked")
    public static DeepNetModel deserializeFromProto(int version, String className, Any message)
            throws InvalidProtocolBufferException {
        DeepNetModelProto proto = NetworkProtos.read("DeepNetModel", version, CURRENT_VERSION, message);
        ModelDataCarrier<?> carrier = NetworkProtos.carrier(proto);
        if (!carrier.outputDomain().getOutput(0).getClass().equals(Label.class)) {
            throw new IllegalArgumentException("DeepNetModel needs a Label output domain, found "
                    + carrier.outputDomain().getOutput(0).getClass().getName());
        }
        NetworkDescription network = NetworkProtos.network("DeepNetModel", proto);
        LossCurve curve = NetworkProtos.lossCurve(proto);
        if (proto.getFeatureMeansCount() != proto.getFeatureDeviationsCount()) {
            throw new IllegalArgumentException("DeepNetModel protobuf has " + proto.getFeatureMeansCount()
                    + " feature means but " + proto.getFeatureDeviationsCount() + " deviations");
        }
        FeatureStandardization standardization = proto.getFeatureMeansCount() == 0 ? null
                : new FeatureStandardization(proto.getFeatureMeansList().stream().mapToDouble(Double::doubleValue).toArray(),
                proto.getFeatureDeviationsList().stream().mapToDouble(Double::doubleValue).toArray(),
                proto.getFeatureTargetMean());
        return new DeepNetModel(carrier.name(), carrier.provenance(), carrier.featureDomain(),
                (ImmutableOutputInfo<Label>) carrier.outputDomain(), network, LossFunction.valueOf(proto.getLoss()),
                curve, proto.getStepsRun(), StopReason.valueOf(proto.getStopReason()), standardization,
                NetworkProtos.structure(proto));
    }

    // ------------------------------------------------------------------ ONNX

    /**
     * Exports the model. The input takes RAW features in Tribuo's feature-id order (sorted by name), which is not
     * necessarily the CSV's column order; the output holds the class scores in output-id order. Both orders are
     * written into the model: metadata {@code feature_names} and {@code class_names} (JSON arrays) and the
     * doc strings of the input and the output.
     */
    @Override
    public OnnxMl.ModelProto exportONNXModel(String domain, long modelVersion) {
        List<String> classes = new ArrayList<>();
        for (int id = 0; id < outputIDInfo.size(); id++) {
            classes.add(outputIDInfo.getOutput(id).getLabel());
        }
        return OnnxNetwork.export(this, domain, modelVersion, "Raw (unstandardised) features in this order: ",
                standardization != null ? "; the model standardises them itself" : "", "class_names", classes,
                (loss.producesProbabilities() ? "Class probabilities" : "Class scores") + " in this order: ");
    }

    /**
     * Writes the network: with a standardisation first {@code Add(Div(Sub(x, means), deviations), t)}, then per layer
     * {@code Gemm(x, W_i, b_i; transB = 1)} (W_i stored d_out × d_in, float32),
     * {@code Relu} for ReLU layers, {@code Add} for skips, then the class-score head (a broadcast {@code Mul}
     * and {@code Softmax} for probabilities).
     */
    @Override
    public ONNXNode writeONNXGraph(ONNXRef<?> input) {
        ONNXContext context = input.onnxContext();
        ONNXRef<?> x = input;
        if (standardization != null) {
            double[] mean = standardization.meansArray();
            double[] dev = standardization.deviationsArray();
            float[] fm = new float[mean.length];
            float[] fd = new float[dev.length];
            for (int j = 0; j < mean.length; j++) {
                fm[j] = (float) mean[j];
                fd[j] = (float) dev[j];
            }
            x = x.apply(ONNXOperators.SUB, context.array("feature_means", fm))
                    .apply(ONNXOperators.DIV, context.array("feature_deviations", fd));
            if (standardization.getTargetMean() != 0.0) {
                x = x.apply(ONNXOperators.ADD, context.constant("feature_target_mean", (float) standardization.getTargetMean()));
            }
        }
        x = OnnxNetwork.writeLayers(x, network, NetworkProtos.residualLayers(network));
        return writeHead(context, x);
    }

    private ONNXNode writeHead(ONNXContext context, ONNXRef<?> logits) {
        int classes = outputIDInfo.size();
        double factor = loss == LossFunction.EXPONENTIAL ? 2.0 : 1.0;
        ONNXNode scores;
        if (classes == 2) {
            float[] head = loss == LossFunction.SQUARED ? new float[] {-1f, 1f} : new float[] {0f, (float) factor};
            scores = logits.apply(ONNXOperators.MUL, context.array("class_head", head));
        } else {
            scores = logits.apply(ONNXOperators.MUL, context.constant("class_head", (float) factor));
        }
        return loss.producesProbabilities()
                ? scores.apply(ONNXOperators.SOFTMAX, Collections.singletonMap("axis", 1))
                : scores;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DeepNetModel(name=").append(name).append(", layers=")
                .append(ModelFeatures.layerShapes(network, structure));
        return sb.append(standardization != null ? ", standardized" : "").append(", loss=").append(loss.getConfigName())
                .append(", steps=").append(stepsRun)
                .append(", stop=").append(stopReason).append(')').toString();
    }
}
