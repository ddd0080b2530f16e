package dev.invariance.onnx.reading;

import dev.invariance.network.Quantization;
import org.jspecify.annotations.Nullable;

/**
 * How a layer's weight was stored as integers, read off the constant it is computed from: a dequantised tensor
 * ({@link ConstantTensor.Dequantize}: {@code W = (q − zero_point) · scale} per tensor, per axis or per block), the
 * 4-bit blocks of a {@code MatMulNBits} ({@link MatMulNBitsWeight}), or integers cast to floating point without a
 * scale, each possibly reshaped or transposed on the way. The axis is that of the stored integer tensor, as ONNX
 * counts it.
 */
final class WeightQuantization {
    private WeightQuantization() {
    }

    /** The quantisation of {@code weight}, or null when it was not stored as integers. */
    static @Nullable Quantization of(ConstantTensor weight) {
        ConstantTensor t = weight;
        while (true) {
            if (t instanceof ConstantTensor.Dequantize d) {
                int code = d.x.elementCode();
                int bits = TensorPayload.integerBits(code);
                if (bits == 0) {
                    return null;
                }
                boolean perAxis = d.perAxis();
                return new Quantization(bits, TensorPayload.isSignedInteger(code), perAxis, perAxis ? d.axis : null,
                        d.blockSize > 0 ? d.blockSize : null, d.operator);
            }
            if (t instanceof MatMulNBitsWeight b) {
                return new Quantization(b.bits, false, true, 1, b.blockSize, MatMulNBitsWeight.OPERATOR);
            }
            if (t instanceof ConstantTensor.Cast c && c.source.precision == null) {
                int code = c.source.elementCode();
                int bits = TensorPayload.integerBits(code);
                return bits == 0 ? null
                        : new Quantization(bits, TensorPayload.isSignedInteger(code), false, null, null, "Cast");
            }
            if (t instanceof ConstantTensor.OfOne o) {
                t = o.source;
            } else {
                return null;
            }
        }
    }
}
