package dev.invariance.deepnet.internal;

import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.DenseLayer;
import ai.onnx.proto.OnnxMl;
import dev.invariance.network.NetworkDescription;
import org.tribuo.Model;
import org.tribuo.ONNXExportable;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Writes a deep-net model's layers into an ONNX graph: per layer {@code Gemm(x, W_i, b_i; transB = 1)} (W_i stored
 * d_out × d_in in float32, exactly as PyTorch stores it), {@code Relu} for ReLU layers and {@code Add} for residual
 * skips; and exports a whole model with its feature and output orders ({@link #export}).
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because both deep-net
 * models ({@code deepnet.DeepNetModel}, {@code deepnet.regression.DeepNetRegressionModel}) export through it.
 */
public final class OnnxNetwork {
    private OnnxNetwork() {
    }

    /**
     * Appends the network to {@code input} and returns its output node (the last layer's, before any head).
     *
     * @param input    the graph node holding the network's input x_0 (batch × d_0)
     * @param network  a chain of dense layers with residual additions (what the trainers produce)
     * @param residual per layer, whether its input is added to its output
     */
    public static ONNXNode writeLayers(ONNXRef<?> input, NetworkDescription network, List<Boolean> residual) {
        ONNXContext context = input.onnxContext();
        Map<String, Object> transB = Collections.singletonMap("transB", 1);
        ONNXRef<?> x = input;
        ONNXNode last = null;
        for (int i = 0; i < network.depth(); i++) {
            DenseLayer layer = network.layer(i);
            double[] w = layer.weights().toRowMajorArray();
            ONNXInitializer weights = context.floatTensor(layer.name() + "_W",
                    Arrays.asList(layer.outputWidth(), layer.inputWidth()), fb -> {
                        for (double v : w) {
                            fb.put((float) v);
                        }
                    });
            List<ONNXRef<?>> operands = new ArrayList<>();
            operands.add(weights);
            BiasVector bias = layer.bias();
            if (bias != null) {
                double[] bv = bias.toArray();
                float[] fbias = new float[bv.length];
                for (int j = 0; j < bv.length; j++) {
                    fbias[j] = (float) bv[j];
                }
                operands.add(context.array(layer.name() + "_b", fbias));
            }
            ONNXNode h = x.apply(ONNXOperators.GEMM, operands, List.of(layer.name()), transB).get(0);
            ONNXNode next = layer.activation() == Activation.RELU ? h.apply(OnnxActivation.RELU) : h;
            if (residual.get(i)) {
                next = next.apply(ONNXOperators.ADD, x);
            }
            x = next;
            last = next;
        }
        if (last == null) {
            throw new IllegalArgumentException("network " + network.source() + " has no layers");
        }
        return last;
    }

    /**
     * Exports a deep-net model as ONNX: input {@code input} takes the features in Tribuo's feature-id order, output
     * {@code output} gives {@code outputNames.size()} values in that order (the model's
     * {@link ONNXExportable#writeONNXGraph}); both orders are written as metadata ({@code feature_names} and
     * {@code outputsKey}, JSON arrays) and as the doc strings of the input ({@code inputDoc} + the feature names +
     * {@code inputNote}) and the output ({@code outputDoc} + the output names). The provenance goes into the
     * metadata as Tribuo writes it.
     */
    public static <M extends Model<?> & ONNXExportable> OnnxMl.ModelProto export(
            M model, String domain, long modelVersion, String inputDoc, String inputNote, String outputsKey,
            List<String> outputNames, String outputDoc) {
        ONNXContext context = new ONNXContext();
        context.setName(model.getClass().getSimpleName());
        ONNXPlaceholder input = context.floatInput("input", model.getFeatureIDMap().size());
        ONNXPlaceholder output = context.floatOutput("output", outputNames.size());
        model.writeONNXGraph(input).assignTo(output);
        OnnxMl.ModelProto built = ONNXExportable.buildModel(context, domain, modelVersion, model);
        String features = jsonArray(ModelFeatures.names(model.getFeatureIDMap()));
        String outputs = jsonArray(outputNames);
        OnnxMl.ModelProto.Builder b = built.toBuilder();
        b.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey("feature_names").setValue(features));
        b.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(outputsKey).setValue(outputs));
        OnnxMl.GraphProto.Builder g = b.getGraphBuilder();
        g.getInputBuilder(0).setDocString(inputDoc + features + inputNote);
        g.getOutputBuilder(0).setDocString(outputDoc + outputs);
        return b.build();
    }

    /** A JSON array of strings (Jackson escapes quotes, backslashes and control characters), for ONNX metadata. */
    public static String jsonArray(List<String> names) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(names);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write names as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
