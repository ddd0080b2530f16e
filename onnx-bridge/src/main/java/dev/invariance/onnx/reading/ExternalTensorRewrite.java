package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * What to put in place of one externally stored tensor in a copy of the model ({@link OnnxModel#rewriteExternalTensors}):
 * for example the same tensor with its bytes inlined, or with its location cleared because the bytes are handed to a
 * runtime separately.
 */
@FunctionalInterface
public interface ExternalTensorRewrite {
    /**
     * The tensor to store in the copy instead of {@code tensor}.
     *
     * @param tensor one of the model's tensors stored outside the file, as the file declares it
     * @param bytes  where its bytes are, checked when the model was opened
     */
    TensorProto rewrite(TensorProto tensor, ExternalTensor bytes);
}
