package dev.invariance.onnx.running;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.TensorInfo;
import dev.invariance.onnx.reading.InvalidModelException;
import ai.onnxruntime.OnnxJavaType;
import dev.invariance.onnx.running.internal.ActivationProbe;
import dev.invariance.onnx.running.internal.ModelInput;
import dev.invariance.onnx.running.internal.SingleScoreLabelTransformer;
import org.jspecify.annotations.Nullable;
import org.tribuo.interop.onnx.LabelTransformer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the model's outputs become predictions: a column per class is read by Tribuo's {@link LabelTransformer} (scores
 * are probabilities when the output comes out of a {@code Softmax}); a single column of a two-class model by
 * {@link SingleScoreLabelTransformer} (a probability when it comes out of a {@code Sigmoid}, else a logit); a
 * two-output model (labels and scores, as sklearn-onnx writes) by {@code LabelTransformer}. The output read is the one
 * named ({@code --output}), else the model's only output, else the scores of a (labels, scores) pair; a model with
 * other outputs besides (a hidden state, a detector's boxes) must name it.
 *
 * @param transformer the Tribuo transformer
 * @param first       index of the first model output the transformer reads
 * @param count       how many outputs it reads (1, or 2 for labels and scores)
 */
record OutputReading(LabelTransformer transformer, int first, int count) {
    /** The outputs the transformer reads, of the model's outputs of one batch. */
    List<OnnxValue> select(List<OnnxValue> outputs) {
        return outputs.subList(first, first + count);
    }

    /**
     * How to read the outputs of the model {@code probe} runs, for the class order {@code classes}.
     *
     * @param source the model file's name for messages
     * @param wanted the output to read as class scores, or null to take the only one (or a labels-and-scores pair)
     * @throws InvalidModelException when the model has no outputs, no output {@code wanted}, several outputs and none
     *                               is named, or the scores do not have one column per class
     */
    static OutputReading of(OnnxMl.ModelProto proto, ActivationProbe probe, List<String> classes, String source,
                            @Nullable String wanted) {
        List<String> outputs = probe.getModelOutputs();
        if (outputs.isEmpty()) {
            throw new InvalidModelException(source + ": the model has no outputs");
        }
        int chosen = wanted == null ? (outputs.size() == 1 ? 0 : -1) : outputs.indexOf(wanted);
        if (wanted != null && chosen < 0) {
            throw new InvalidModelException(source + ": no output '" + wanted + "' (outputs: "
                    + described(proto, outputs) + ")");
        }
        if (chosen < 0) {
            if (outputs.size() == 2 && isLabels(probe.outputInfo(outputs.get(0)))) {
                TensorInfo scores = probe.outputInfo(outputs.get(1));
                checkColumns(source, outputs.get(1), scores, classes, false);
                return new OutputReading(new LabelTransformer(true), 0, 2);
            }
            throw new InvalidModelException(source + ": the model has " + outputs.size() + " outputs ("
                    + described(proto, outputs) + "); name the one with class scores with --output (report: "
                    + "--model-output), or leave the evaluation out with --no-label-evaluation");
        }
        String name = outputs.get(chosen);
        TensorInfo info = probe.outputInfo(name);
        boolean single = checkColumns(source, name, info, classes, true);
        String producer = producer(proto, name);
        if (single) {
            return new OutputReading(new SingleScoreLabelTransformer(producer.equals("Sigmoid")), chosen, 1);
        }
        return new OutputReading(new LabelTransformer(producer.equals("Softmax")), chosen, 1);
    }

    /** Whether an output holds predicted labels (sklearn-onnx's first output): int64 or strings, one per example. */
    private static boolean isLabels(TensorInfo info) {
        long[] shape = info.getShape();
        return (info.type == OnnxJavaType.INT64 || info.type == OnnxJavaType.STRING)
                && (shape.length == 1 || (shape.length == 2 && shape[1] == 1));
    }

    /** The outputs with their declared shapes, for messages: {@code hidden [N, 6], logits [N, 3]}. */
    private static String described(OnnxMl.ModelProto proto, List<String> outputs) {
        List<String> shown = new ArrayList<>();
        for (OnnxMl.ValueInfoProto o : proto.getGraph().getOutputList()) {
            if (outputs.contains(o.getName()) && shown.size() < 20) {
                shown.add(o.getName() + " " + ModelInput.describe(o));
            }
        }
        return String.join(", ", shown) + (outputs.size() > 20 ? ", ..." : "");
    }

    /** Whether the scores have one column (two classes); otherwise checks one column per class. */
    private static boolean checkColumns(String source, String name, TensorInfo info, List<String> classes,
                                        boolean allowSingle) {
        long[] shape = info.getShape();
        if (shape.length != 2) {
            throw new InvalidModelException(source + ": output '" + name + "' has shape " + Arrays.toString(shape)
                    + "; class scores need [batch, classes]");
        }
        long k = shape[1];
        if (allowSingle && k == 1 && classes.size() == 2) {
            return true;
        }
        if (k > 0 && k != classes.size()) {
            throw new InvalidModelException(source + ": output '" + name + "' has " + k + " columns but there are "
                    + classes.size() + " classes (" + String.join(", ", classes)
                    + "); name the output of class scores with --output (report: --model-output), or give the model's "
                    + "class order with --classes");
        }
        return false;
    }

    /** The op type that produces {@code value}, looking through Identity / Reshape / Flatten / Squeeze. */
    static String producer(OnnxMl.ModelProto proto, String value) {
        Map<String, OnnxMl.NodeProto> byOutput = new HashMap<>();
        for (OnnxMl.NodeProto n : proto.getGraph().getNodeList()) {
            for (String o : n.getOutputList()) {
                byOutput.put(o, n);
            }
        }
        String v = value;
        for (int hops = 0; hops < 8; hops++) {
            OnnxMl.NodeProto n = byOutput.get(v);
            if (n == null) {
                return "";
            }
            switch (n.getOpType()) {
                case "Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze" -> v = n.getInput(0);
                default -> {
                    return n.getOpType();
                }
            }
        }
        return "";
    }
}
