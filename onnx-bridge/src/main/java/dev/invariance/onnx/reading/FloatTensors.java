package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.invariance.network.WeightMatrix;
import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A matrix as an ONNX tensor of float32 or float64, row-major in {@code raw_data} (little-endian, as ONNX stores it). */
final class FloatTensors {
    private FloatTensors() {
    }

    /**
     * The tensor {@code name} holding {@code m} row-major with shape {@code dims} (or [rows, columns] when null).
     *
     * @param elementType {@link TensorPayload#FLOAT} or {@link TensorPayload#DOUBLE}
     */
    static TensorProto of(String name, WeightMatrix m, int elementType, long @Nullable [] dims) {
        double[] values = m.toRowMajorArray();
        boolean doubles = elementType == TensorPayload.DOUBLE;
        ByteBuffer bytes = ByteBuffer.allocate(values.length * (doubles ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (doubles) {
                bytes.putDouble(v);
            } else {
                bytes.putFloat((float) v);
            }
        }
        bytes.flip();
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(doubles ? TensorPayload.DOUBLE
                : TensorPayload.FLOAT).setRawData(ByteString.copyFrom(bytes));
        if (dims == null) {
            t.addDims(m.getRows()).addDims(m.getColumns());
        } else {
            for (long d : dims) {
                t.addDims(d);
            }
        }
        return t.build();
    }
}
