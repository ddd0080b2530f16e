package dev.invariance.onnx.reading;

import dev.invariance.network.LayerOrigin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layer names of our own ONNX exports, so that a model and its export name their layers alike. Layers are named
 * after their weight tensors; {@code DeepNetModel}'s export names layer {@code layer-i}'s weight {@code layer-i_W},
 * and Tribuo's {@code ONNXContext} makes every name in the graph unique by appending {@code _<n>}, so the file holds
 * {@code layer-0_W_0}. The export cannot write the bare layer name (the context appends the suffix to every name, which
 * keeps names unique when a model is embedded in a larger graph such as an ensemble), so the reader takes the suffix
 * off again, for every export written so far (old files included), recognised by their metadata: producer
 * {@value #PRODUCER}, graph {@value #GRAPH} and a {@code TRIBUO_PROVENANCE} entry; the layer name is then also the
 * layer's module path, as for the trainer's own networks. Other files keep their tensor names.
 */
final class ExportedLayerNames {
    /** The producer name Tribuo's ONNX export writes. */
    static final String PRODUCER = "Tribuo";
    /** The graph name {@code DeepNetModel.exportONNXModel} writes. */
    static final String GRAPH = "DeepNetModel";

    private static final Pattern WEIGHT = Pattern.compile("(.+)_W_[0-9]+");

    private ExportedLayerNames() {
    }

    /**
     * The plans with the names the exported model gave its layers ({@code layer-0_W_0} becomes {@code layer-0}) when
     * the file is one of our exports and every layer's weight follows the export's naming with distinct names;
     * otherwise the plans as they are.
     */
    static List<LayerPlan> restore(OnnxModelInfo info, List<LayerPlan> plans) {
        if (!PRODUCER.equals(info.producerName()) || !GRAPH.equals(info.graphName()) || info.tribuoProvenance() == null) {
            return plans;
        }
        List<LayerPlan> renamed = new ArrayList<>(plans.size());
        Set<String> seen = new HashSet<>();
        for (LayerPlan p : plans) {
            Matcher m = WEIGHT.matcher(p.name);
            if (!m.matches() || !seen.add(m.group(1))) {
                return plans;
            }
            LayerPlan r = p.renamed(m.group(1));
            // the model's own layer name is also its module: the trainer's networks have no other
            r.origin = new LayerOrigin(p.origin.node(), r.name, p.origin.gate(), p.origin.quantization(),
                    p.origin.folded());
            renamed.add(r);
        }
        return renamed;
    }
}
