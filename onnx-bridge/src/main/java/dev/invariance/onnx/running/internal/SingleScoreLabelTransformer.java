package dev.invariance.onnx.running.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.interop.onnx.LabelTransformer;
import org.tribuo.interop.onnx.protos.LabelTransformerProto;
import org.tribuo.interop.onnx.protos.OutputTransformerProto;

import java.util.Arrays;
import java.util.List;

/**
 * Tribuo's {@link LabelTransformer} for a two-class model with one output column ({@code [batch, 1]}), which
 * {@code LabelTransformer} itself rejects (it wants one column per class). The column becomes two class scores, in
 * the class order of the output info (output id 1 is the positive class):
 * <ul>
 *   <li>a probability p of the positive class (the output comes out of a {@code Sigmoid};
 *       {@code generatesProbabilities = true}) becomes {@code [1 − p, p]};</li>
 *   <li>a logit z (anything else; {@code generatesProbabilities = false}) becomes {@code [0, z]}, the convention of
 *       this project's own two-class head: the positive class wins exactly when z &gt; 0.</li>
 * </ul>
 * Every other shape is handed to {@code LabelTransformer} unchanged.
 */
public final class SingleScoreLabelTransformer extends LabelTransformer {
    private static final long serialVersionUID = 1L;

    /** For ONNXExternalModel's configuration system; a logit. */
    public SingleScoreLabelTransformer() {
        super(false);
    }

    /**
     * @param probability whether the single column is the positive class's probability (else a logit)
     */
    public SingleScoreLabelTransformer(boolean probability) {
        super(probability);
    }

    /** Reads the form written by {@link #serialize()}. */
    public static SingleScoreLabelTransformer deserializeFromProto(int version, String className, Any message)
            throws InvalidProtocolBufferException {
        if (version != 0) {
            throw new IllegalArgumentException("unknown version " + version + " of " + className + " (this class reads 0)");
        }
        return new SingleScoreLabelTransformer(message.unpack(LabelTransformerProto.class).getGeneratesProbabilities());
    }

    @Override
    public OutputTransformerProto serialize() {
        return OutputTransformerProto.newBuilder().setClassName(SingleScoreLabelTransformer.class.getName()).setVersion(0)
                .setSerializedData(Any.pack(LabelTransformerProto.newBuilder()
                        .setGeneratesProbabilities(generatesProbabilities).build()))
                .build();
    }

    @Override
    protected float[][] getBatchPredictions(List<OnnxValue> outputs, ImmutableOutputInfo<Label> outputIDInfo) {
        if (outputs.size() == 1 && outputs.get(0) instanceof OnnxTensor t && t.getInfo().type == OnnxJavaType.FLOAT) {
            long[] shape = t.getInfo().getShape();
            if (shape.length == 2 && shape[1] == 1) {
                if (outputIDInfo.size() != 2) {
                    throw new IllegalArgumentException("a single output column needs two classes, found "
                            + outputIDInfo.size());
                }
                float[][] column;
                try {
                    column = (float[][]) t.getValue();
                } catch (OrtException e) {
                    throw new IllegalStateException("cannot read the model's output: " + e.getMessage(), e);
                }
                float[][] scores = new float[column.length][];
                for (int i = 0; i < column.length; i++) {
                    float s = column[i][0];
                    scores[i] = generatesProbabilities ? new float[] {1f - s, s} : new float[] {0f, s};
                }
                return scores;
            }
        }
        return super.getBatchPredictions(outputs, outputIDInfo);
    }

    @Override
    public String toString() {
        return "SingleScoreLabelTransformer(" + (generatesProbabilities ? "probability" : "logit") + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SingleScoreLabelTransformer other && other.generatesProbabilities == generatesProbabilities;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {SingleScoreLabelTransformer.class, generatesProbabilities});
    }
}
