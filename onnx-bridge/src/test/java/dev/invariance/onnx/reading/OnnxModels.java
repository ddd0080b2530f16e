package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds small ONNX models with the protobuf classes, for tests that need malformed or unusual files. */
public final class OnnxModels {
    private OnnxModels() {
    }

    public static ModelProto model(GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("OnnxModels")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(graph).build();
    }

    /** A float32 tensor of the given shape with its values in raw_data (little-endian). */
    public static TensorProto floats(String name, long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return TensorProto.newBuilder().setName(name).setDataType(TensorPayload.FLOAT).addAllDims(box(shape))
                .setRawData(ByteString.copyFrom(b.array())).build();
    }

    /** A float32 tensor stored externally at {@code location}, bytes [offset, offset + length). */
    public static TensorProto external(String name, long[] shape, String location, long offset, long length) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorPayload.FLOAT)
                .addAllDims(box(shape)).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location)).addExternalData(entry("offset", Long.toString(offset)));
        if (length >= 0) {
            t.addExternalData(entry("length", Long.toString(length)));
        }
        return t.build();
    }

    public static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    public static java.util.List<Long> box(long[] shape) {
        java.util.List<Long> out = new java.util.ArrayList<>();
        for (long d : shape) {
            out.add(d);
        }
        return out;
    }

    public static ValueInfoProto value(String name) {
        return ValueInfoProto.newBuilder().setName(name).build();
    }

    /** A float32 value of shape [N, dims...] (N a dynamic batch axis), as ONNX Runtime needs for graph inputs. */
    public static ValueInfoProto floatValue(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorPayload.FLOAT).setShape(shape))
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    /** Float32 values as little-endian bytes, as raw_data or an external data file holds them. */
    public static byte[] littleEndian(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    public static NodeProto node(String op, String name, String[] inputs, String[] outputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name);
        for (String i : inputs) {
            n.addInput(i);
        }
        for (String o : outputs) {
            n.addOutput(o);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    public static AttributeProto graphAttribute(String name, GraphProto g) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(g).build();
    }

    /** {@code y = MatMul(x, W)} with W the given initializer. */
    public static GraphProto matMul(TensorProto weight) {
        return GraphProto.newBuilder().setName("g").addInput(value("x")).addOutput(value("y")).addInitializer(weight)
                .addNode(node("MatMul", "mm", new String[] {"x", weight.getName()}, new String[] {"y"})).build();
    }

    public static Path write(Path file, ModelProto model) throws IOException {
        Files.write(file, model.toByteArray());
        return file;
    }
}
