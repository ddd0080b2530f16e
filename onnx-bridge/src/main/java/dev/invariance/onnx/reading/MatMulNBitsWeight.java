package dev.invariance.onnx.reading;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * The weight of a {@code com.microsoft} {@code MatMulNBits} node, dequantised: {@code Y = A · Bᵀ} with the logical
 * weight {@code B} of N × K (N outputs, K inputs) stored by rows in blocks of {@code blockSize} consecutive values
 * along K, each block as {@code blockSize · bits / 8} bytes (the first value in the lowest bits of a byte), with one
 * scale per block and one zero point per block (packed likewise, {@code ceil(blocks · bits / 8)} bytes per row, or
 * {@code 2^(bits−1)} when the node has none): {@code B[n, k] = (q − zero_point) · scale}. The codes that pad the last
 * block of a row beyond K are not part of the weight. The values are those of the K × N matrix {@code Bᵀ} that a
 * {@code MatMul(A, ·)} would multiply by, so the layer is read as such a product: {@code W = B}, N × K.
 */
final class MatMulNBitsWeight extends ConstantTensor {
    /** The operator's name. */
    static final String OPERATOR = "MatMulNBits";

    final ConstantTensor packed;
    final ConstantTensor scales;
    final @Nullable ConstantTensor zeroPoints;
    final int outputs;
    final int inputs;
    final int bits;
    final int blockSize;

    /**
     * The weight of N = {@code outputs} rows and K = {@code inputs} columns; the operands' sizes were checked against
     * these ({@code packed}: N · blocks · blockSize · bits / 8 bytes, {@code scales}: N · blocks values,
     * {@code zeroPoints}: N · ceil(blocks · bits / 8) bytes).
     */
    MatMulNBitsWeight(ConstantTensor packed, ConstantTensor scales, @Nullable ConstantTensor zeroPoints, int outputs,
                      int inputs, int bits, int blockSize) {
        super(packed.rootName, new long[] {inputs, outputs}, scales.precision);
        this.packed = packed;
        this.scales = scales;
        this.zeroPoints = zeroPoints;
        this.outputs = outputs;
        this.inputs = inputs;
        this.bits = bits;
        this.blockSize = blockSize;
    }

    /** Blocks per row of B: {@code ceil(K / blockSize)}. */
    static long blocks(long inputs, long blockSize) {
        return (inputs + blockSize - 1) / blockSize;
    }

    @Override
    List<ConstantTensor> sources() {
        return zeroPoints == null ? List.of(packed, scales) : List.of(packed, scales, zeroPoints);
    }

    @Override
    int elementCode() {
        return scales.elementCode();
    }

    @Override
    double[] compute(ConstantEvaluation in) {
        double[] q = in.read(packed);
        double[] s = in.read(scales);
        double[] z = zeroPoints == null ? null : in.read(zeroPoints);
        int blocks = (int) blocks(inputs, blockSize);
        int perByte = 8 / bits;
        int blockBytes = blockSize / perByte;
        int zeroBytes = (blocks + perByte - 1) / perByte;
        int mask = (1 << bits) - 1;
        double[] out = new double[inputs * outputs];
        for (int n = 0; n < outputs; n++) {
            for (int b = 0; b < blocks; b++) {
                double zero = z == null ? 1 << (bits - 1) : code(z[n * zeroBytes + b / perByte], b % perByte, mask);
                double scale = s[n * blocks + b];
                int first = b * blockSize;
                int end = Math.min(inputs, first + blockSize);
                int base = (n * blocks + b) * blockBytes;
                for (int k = first; k < end; k++) {
                    int p = k - first;
                    out[k * outputs + n] = (code(q[base + p / perByte], p % perByte, mask) - zero) * scale;
                }
            }
        }
        return out;
    }

    /** Value {@code index} of the byte {@code packed} (the first in the lowest bits). */
    private int code(double packed, int index, int mask) {
        return ((int) packed >> (bits * index)) & mask;
    }
}
