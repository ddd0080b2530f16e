package dev.invariance.network;

import org.jspecify.annotations.Nullable;

import java.io.Serializable;

/**
 * How a layer's weights were stored as integers: the analysed matrix is the dequantised one,
 * {@code W = (q − zero_point) · scale}, which is what the model computes with.
 *
 * @param bits       bits per stored weight (8 for int8/uint8, 4 for 4-bit blocks)
 * @param signed     whether the stored integers are signed (int8) or not (uint8, 4-bit)
 * @param perChannel whether scale and zero point vary along an axis (one per output unit or per block) rather than
 *                   being one number for the whole tensor
 * @param axis       the axis of the stored tensor the scales vary along, or null for per-tensor quantisation
 * @param blockSize  the number of consecutive weights sharing one scale along the input axis, or null when the
 *                   quantisation is not blocked
 * @param operator   the operator that holds the quantised weight ({@code MatMulInteger}, {@code QLinearMatMul},
 *                   {@code DequantizeLinear}, {@code MatMulNBits}, …)
 */
public record Quantization(int bits, boolean signed, boolean perChannel, @Nullable Integer axis,
                           @Nullable Integer blockSize, String operator) implements Serializable {
    /** Checks the bit width and block size. */
    public Quantization {
        if (bits < 1 || bits > 32) {
            throw new IllegalArgumentException("quantisation bits must be in [1, 32], got " + bits);
        }
        if (blockSize != null && blockSize < 1) {
            throw new IllegalArgumentException("quantisation block size must be >= 1, got " + blockSize);
        }
        if (operator == null) {
            throw new IllegalArgumentException("operator");
        }
    }
}
