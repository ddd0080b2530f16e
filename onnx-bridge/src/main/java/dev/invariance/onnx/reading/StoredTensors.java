package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TrainingInfoProto;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Every tensor an ONNX model stores, wherever it is: the initializers and sparse initializers of the main graph and of
 * every graph nested in it (control-flow bodies, at any depth), the tensors of node attributes ({@code Constant}'s
 * {@code value} and any {@code TENSOR}, {@code TENSORS}, {@code SPARSE_TENSOR} or {@code SPARSE_TENSORS}
 * attribute), the nodes of the model's functions and the graphs of its training information. Any of them may keep
 * its bytes in an external file, so this is the walk {@link ExternalData} checks them with and the walk that makes the
 * copy ONNX Runtime opens. The recursion is as deep as the graphs are nested, which protobuf's parse limit bounds.
 */
final class StoredTensors {
    private StoredTensors() {
    }

    /**
     * The model with every stored tensor t replaced by {@code f(t)}. Only the messages that hold a tensor {@code f}
     * changed (returned a different object for) are rebuilt, so a walk that changes nothing returns {@code model}
     * itself and allocates nothing of the model's size. {@code f} sees the tensors of {@code model} itself (the same
     * objects), in file order.
     */
    static ModelProto map(ModelProto model, UnaryOperator<TensorProto> f) {
        ModelProto.Builder b = null;
        if (model.hasGraph()) {
            GraphProto g = graph(model.getGraph(), f);
            if (g != model.getGraph()) {
                b = model.toBuilder().setGraph(g);
            }
        }
        List<FunctionProto> functions = mapAll(model.getFunctionsList(), fn -> function(fn, f));
        if (functions != null) {
            b = (b == null ? model.toBuilder() : b).clearFunctions().addAllFunctions(functions);
        }
        List<TrainingInfoProto> training = mapAll(model.getTrainingInfoList(), t -> training(t, f));
        if (training != null) {
            b = (b == null ? model.toBuilder() : b).clearTrainingInfo().addAllTrainingInfo(training);
        }
        return b == null ? model : b.build();
    }

    private static GraphProto graph(GraphProto g, UnaryOperator<TensorProto> f) {
        List<TensorProto> initializers = mapAll(g.getInitializerList(), f);
        List<SparseTensorProto> sparse = mapAll(g.getSparseInitializerList(), s -> sparse(s, f));
        List<NodeProto> nodes = mapAll(g.getNodeList(), n -> node(n, f));
        if (initializers == null && sparse == null && nodes == null) {
            return g;
        }
        GraphProto.Builder b = g.toBuilder();
        if (initializers != null) {
            b.clearInitializer().addAllInitializer(initializers);
        }
        if (sparse != null) {
            b.clearSparseInitializer().addAllSparseInitializer(sparse);
        }
        if (nodes != null) {
            b.clearNode().addAllNode(nodes);
        }
        return b.build();
    }

    private static NodeProto node(NodeProto n, UnaryOperator<TensorProto> f) {
        List<AttributeProto> attributes = mapAll(n.getAttributeList(), a -> attribute(a, f));
        return attributes == null ? n : n.toBuilder().clearAttribute().addAllAttribute(attributes).build();
    }

    private static AttributeProto attribute(AttributeProto a, UnaryOperator<TensorProto> f) {
        AttributeProto.Builder b = null;
        if (a.hasT()) {
            TensorProto t = f.apply(a.getT());
            if (t != a.getT()) {
                b = a.toBuilder().setT(t);
            }
        }
        List<TensorProto> tensors = mapAll(a.getTensorsList(), f);
        if (tensors != null) {
            b = (b == null ? a.toBuilder() : b).clearTensors().addAllTensors(tensors);
        }
        if (a.hasSparseTensor()) {
            SparseTensorProto s = sparse(a.getSparseTensor(), f);
            if (s != a.getSparseTensor()) {
                b = (b == null ? a.toBuilder() : b).setSparseTensor(s);
            }
        }
        List<SparseTensorProto> sparse = mapAll(a.getSparseTensorsList(), s -> sparse(s, f));
        if (sparse != null) {
            b = (b == null ? a.toBuilder() : b).clearSparseTensors().addAllSparseTensors(sparse);
        }
        if (a.hasG()) {
            GraphProto g = graph(a.getG(), f);
            if (g != a.getG()) {
                b = (b == null ? a.toBuilder() : b).setG(g);
            }
        }
        List<GraphProto> graphs = mapAll(a.getGraphsList(), g -> graph(g, f));
        if (graphs != null) {
            b = (b == null ? a.toBuilder() : b).clearGraphs().addAllGraphs(graphs);
        }
        return b == null ? a : b.build();
    }

    private static SparseTensorProto sparse(SparseTensorProto s, UnaryOperator<TensorProto> f) {
        SparseTensorProto.Builder b = null;
        if (s.hasValues()) {
            TensorProto v = f.apply(s.getValues());
            if (v != s.getValues()) {
                b = s.toBuilder().setValues(v);
            }
        }
        if (s.hasIndices()) {
            TensorProto i = f.apply(s.getIndices());
            if (i != s.getIndices()) {
                b = (b == null ? s.toBuilder() : b).setIndices(i);
            }
        }
        return b == null ? s : b.build();
    }

    private static FunctionProto function(FunctionProto fn, UnaryOperator<TensorProto> f) {
        List<NodeProto> nodes = mapAll(fn.getNodeList(), n -> node(n, f));
        return nodes == null ? fn : fn.toBuilder().clearNode().addAllNode(nodes).build();
    }

    private static TrainingInfoProto training(TrainingInfoProto t, UnaryOperator<TensorProto> f) {
        TrainingInfoProto.Builder b = null;
        if (t.hasInitialization()) {
            GraphProto g = graph(t.getInitialization(), f);
            if (g != t.getInitialization()) {
                b = t.toBuilder().setInitialization(g);
            }
        }
        if (t.hasAlgorithm()) {
            GraphProto g = graph(t.getAlgorithm(), f);
            if (g != t.getAlgorithm()) {
                b = (b == null ? t.toBuilder() : b).setAlgorithm(g);
            }
        }
        return b == null ? t : b.build();
    }

    /** The list mapped by {@code f}, or null when {@code f} returned every element itself. */
    private static <T> @Nullable List<T> mapAll(List<T> list, UnaryOperator<T> f) {
        List<T> out = null;
        for (int i = 0; i < list.size(); i++) {
            T before = list.get(i);
            T after = f.apply(before);
            if (after != before && out == null) {
                out = new ArrayList<>(list.subList(0, i));
            }
            if (out != null) {
                out.add(after);
            }
        }
        return out;
    }
}
