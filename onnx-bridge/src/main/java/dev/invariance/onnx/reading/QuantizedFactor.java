package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.invariance.network.WeightMatrix;

/**
 * A factor operand B (K × N, the second operand of a {@code MatMul}) quantised symmetrically per output column, as
 * {@code DequantizeLinear(q, s, z)} with axis 1 reads it: {@code s_j = max_i |B_ij| / 127} (1 for a zero column),
 * {@code q_ij = round(B_ij / s_j) + z} and {@code z} 0 for int8, 128 for uint8, so that every {@code |q − z| ≤ 127}
 * and the dequantised value is within {@code s_j / 2} of B_ij. Without per-axis support (opset below 13) one scale
 * serves the whole tensor.
 *
 * @param rows       K
 * @param columns    N
 * @param integers   q, row-major, as bytes
 * @param scales     s (N entries, or one)
 * @param zeroPoint  z
 * @param target     the integer type and scale granularity
 */
record QuantizedFactor(int rows, int columns, byte[] integers, float[] scales, int zeroPoint, Target target) {

    /**
     * What the quantised factors are stored as: {@code elementType} {@link TensorPayload#INT8} or
     * {@link TensorPayload#UINT8}, per column ({@code perAxis}) or per tensor, with a float scale of
     * {@code scaleType}.
     */
    record Target(int elementType, boolean perAxis, int scaleType) {
    }

    /** B quantised for {@code target}. */
    static QuantizedFactor of(WeightMatrix b, Target target) {
        int k = b.getRows();
        int n = b.getColumns();
        double[] v = b.toRowMajorArray();
        float[] scales = new float[target.perAxis() ? n : 1];
        for (int i = 0; i < v.length; i++) {
            int j = target.perAxis() ? i % n : 0;
            scales[j] = (float) Math.max(scales[j], Math.abs(v[i]) / 127.0);
        }
        for (int j = 0; j < scales.length; j++) {
            if (scales[j] == 0 || !Float.isFinite(scales[j])) {
                scales[j] = 1f;
            }
        }
        int zero = target.elementType() == TensorPayload.UINT8 ? 128 : 0;
        byte[] q = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            long level = Math.round(v[i] / scales[target.perAxis() ? i % n : 0]);
            q[i] = (byte) (Math.max(-127, Math.min(127, level)) + zero);
        }
        return new QuantizedFactor(k, n, q, scales, zero, target);
    }

    /** q as the tensor {@code name}, K × N. */
    TensorProto integers(String name) {
        return TensorProto.newBuilder().setName(name).setDataType(target.elementType()).addDims(rows).addDims(columns)
                .setRawData(ByteString.copyFrom(integers)).build();
    }

    /** s as the tensor {@code name}: N entries per column, or a scalar. */
    TensorProto scale(String name) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(target.scaleType());
        if (target.perAxis()) {
            t.addDims(scales.length);
        }
        for (float s : scales) {
            t.addFloatData(s);
        }
        return t.build();
    }

    /** z as the tensor {@code name}, shaped as the scale. */
    TensorProto zeroPoint(String name) {
        byte[] zeros = new byte[scales.length];
        java.util.Arrays.fill(zeros, (byte) zeroPoint);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(target.elementType())
                .setRawData(ByteString.copyFrom(zeros));
        if (target.perAxis()) {
            t.addDims(scales.length);
        }
        return t.build();
    }
}
