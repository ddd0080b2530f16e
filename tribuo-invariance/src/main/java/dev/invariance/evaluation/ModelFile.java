package dev.invariance.evaluation;

import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import org.jspecify.annotations.Nullable;
import org.tribuo.provenance.ModelProvenance;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the analysis JSON's {@code "model"} block says about where a model came from, with the same keys for a Tribuo
 * model and for an ONNX file ({@code docs/json.md}). {@code producer} is, for both, the software that wrote the
 * model: {@code Tribuo} for a Tribuo model and for our own ONNX exports, ONNX's {@code producer_name} (such as
 * {@code pytorch}) for other ONNX files.
 *
 * @param path             the file the model was read from, or null for a model in memory
 * @param format           {@value #TRIBUO} or {@value #ONNX}
 * @param producer         the software that wrote the model ("" when an ONNX file does not say)
 * @param producerVersion  its version ("" when unknown)
 * @param opset            the ONNX operator set, or null for a Tribuo model
 * @param irVersion        the ONNX IR version, or null for a Tribuo model
 * @param graphName        the ONNX graph's name, or null for a Tribuo model
 * @param tribuoProvenance whether the model carries Tribuo's own provenance of its training (a Tribuo model, our
 *                         ONNX exports); false when the provenance describes an external model
 * @param notes            remarks of the reader about the model (empty for a Tribuo model)
 */
public record ModelFile(@Nullable String path, String format, String producer, String producerVersion,
                        @Nullable Long opset, @Nullable Long irVersion, @Nullable String graphName,
                        boolean tribuoProvenance, List<String> notes) {
    /** The format of a Tribuo model. */
    public static final String TRIBUO = "tribuo";
    /** The format of an ONNX file. */
    public static final String ONNX = "onnx";
    /** The producer of Tribuo models (and the producer name Tribuo's ONNX export writes). */
    public static final String TRIBUO_PRODUCER = "Tribuo";

    /** Copies the notes. */
    public ModelFile {
        notes = List.copyOf(notes);
    }

    /**
     * The block of a model known only by its provenance: an ONNX file when the provenance is the ONNX reader's
     * description of an external model (instance values {@code producer-name}, {@code producer-version}, {@code opset},
     * {@code ir-version}, {@code graph-name}), otherwise a Tribuo model (producer {@code Tribuo} at the provenance's
     * Tribuo version).
     *
     * @param path the file the model was read from, or null
     */
    public static ModelFile of(@Nullable String path, ModelProvenance provenance) {
        Map<String, Object> values = new HashMap<>();
        for (Pair<String, ? extends Provenance> e : provenance.getInstanceProvenance()) {
            if (e.getB() instanceof PrimitiveProvenance<?> p && p.getValue() != null) {
                values.put(e.getA(), p.getValue());
            }
        }
        if (values.containsKey("producer-name")) {
            return new ModelFile(path, ONNX, String.valueOf(values.get("producer-name")),
                    String.valueOf(values.getOrDefault("producer-version", "")), number(values.get("opset")),
                    number(values.get("ir-version")), String.valueOf(values.getOrDefault("graph-name", "")), false,
                    List.of());
        }
        return new ModelFile(path, TRIBUO, TRIBUO_PRODUCER, provenance.getTribuoVersion(), null, null, null, true,
                List.of());
    }

    private static @Nullable Long number(@Nullable Object v) {
        return v instanceof Number n ? n.longValue() : null;
    }
}
