package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.StreamedNetwork;
import dev.invariance.network.WeightPanels;

import java.util.ArrayList;
import java.util.List;

/**
 * An opened ONNX model as a data-flow graph of dense layers ({@link StreamedNetwork}): the outline (layers without
 * weights, and edges) is known as soon as the file is opened, and {@link #load(int)} reads one layer's weight (and
 * bias) at a time in the {@code W} (d_out × d_in) convention of science.md 1.2, so models larger than memory can be
 * analysed layer by layer. Layer names are the weight tensors' names in the file (for our own exports the names the
 * exported model uses, {@link ExportedLayerNames}). Thread-safe; {@link #close()} holds
 * nothing open beyond a call (external data is read by positioned reads of just the tensor's range), so it is cheap.
 */
public final class OnnxModel implements StreamedNetwork {
    private final ModelProto proto;
    private final OnnxModelInfo info;
    private final List<LayerPlan> plans;
    private final NetworkOutline outline;
    private final List<String> notes;
    private final List<OnnxLayerBinding> bindings;
    private final ExternalData externalData;

    OnnxModel(ModelProto proto, OnnxModelInfo info, GraphReading reading, ExternalData externalData) {
        this.proto = proto;
        this.externalData = externalData;
        this.info = info;
        this.plans = List.copyOf(ExportedLayerNames.restore(info, reading.layers));
        List<LayerOutline> outlines = new ArrayList<>(plans.size());
        List<OnnxLayerBinding> b = new ArrayList<>(plans.size());
        for (int i = 0; i < plans.size(); i++) {
            LayerPlan p = plans.get(i);
            outlines.add(p.outline());
            b.add(new OnnxLayerBinding(i, p.name, p.node.name, p.output.name(), p.reluOutput, p.subgraph));
        }
        this.outline = new NetworkOutline(info.path(), outlines, reading.edges, reading.inputs, reading.outputs,
                reading.boundaryEdges);
        this.notes = List.copyOf(reading.notes);
        this.bindings = List.copyOf(b);
    }

    /** What the file says about itself: producer, opset, IR version, graph name, Tribuo provenance. */
    public OnnxModelInfo info() {
        return info;
    }

    /** The dense layers (without weights) and the data-flow edges between them. */
    @Override
    public NetworkOutline outline() {
        return outline;
    }

    /**
     * Reads layer {@code index}: only its weight and bias tensors (external data by positioned reads of their byte
     * ranges).
     *
     * @throws InvalidModelException if a weight is NaN or infinite (naming the tensor) or cannot be read
     */
    @Override
    public DenseLayer load(int index) {
        return plans.get(index).load(info.path());
    }

    /**
     * Whether layer {@code index}'s weight can be read a panel at a time from the file ({@link LayerPlan#hasPanels}: a
     * float32, float16, bfloat16 or dequantised int8 tensor stored as such), so that the top-k spectrum never copies
     * it onto the heap.
     */
    @Override
    public boolean hasPanels(int index) {
        return plans.get(index).hasPanels();
    }

    /**
     * Layer {@code index}'s weight as panels of its stored matrix: external data mapped read-only, or the tensor's
     * {@code raw_data}; the caller closes them (which unmaps the file).
     *
     * @throws IllegalStateException when {@link #hasPanels} is false for the layer
     * @throws InvalidModelException when the external data cannot be mapped
     */
    @Override
    public WeightPanels panels(int index) {
        return plans.get(index).panels(info.path());
    }

    /** Every layer in memory: the whole network description (for models that fit in memory). */
    public NetworkDescription readAll() {
        List<DenseLayer> layers = new ArrayList<>(plans.size());
        for (int i = 0; i < plans.size(); i++) {
            layers.add(load(i));
        }
        return NetworkDescription.graph(info.path(), layers, outline.inputs(), outline.outputs(), outline.edges(),
                outline.boundaryEdges());
    }

    /** The checked locations of the external tensors (for the compressor's copy of them). */
    ExternalData externalData() {
        return externalData;
    }

    /** How each layer is read, in the outline's order (for the compressor's rewriting). */
    List<LayerPlan> plans() {
        return plans;
    }

    /** Where each layer's values live in the graph, for the ONNX Runtime probe. */
    public List<OnnxLayerBinding> bindings() {
        return bindings;
    }

    /** Remarks about the reading (no dense layer, activations other than ReLU, layers read without bias). */
    public List<String> notes() {
        return notes;
    }

    /** The parsed model (external tensors hold only their location); the probe adds outputs to a copy of it. */
    public ModelProto getModelProto() {
        return proto;
    }

    /** Whether some tensor of the model keeps its bytes outside the model file. */
    public boolean hasExternalTensors() {
        return !externalData.isEmpty();
    }

    /**
     * A copy of the parsed model in which every tensor stored outside the file (weights, other initializers, constants
     * in attributes, control-flow bodies, functions) is replaced by what {@code rewrite} returns for it, given the
     * location of its bytes that was checked when the model was opened. The model itself is returned when no tensor
     * is stored outside. This is how a runtime is handed the model without ever resolving a location itself.
     */
    public ModelProto rewriteExternalTensors(ExternalTensorRewrite rewrite) {
        if (externalData.isEmpty()) {
            return proto;
        }
        return StoredTensors.map(proto, t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL
                ? rewrite.rewrite(t, externalData.of(t)) : t);
    }

    /** Nothing is held open between calls; present for {@link StreamedNetwork}. */
    @Override
    public void close() {
    }
}
