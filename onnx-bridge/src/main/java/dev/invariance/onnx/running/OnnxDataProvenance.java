package dev.invariance.onnx.running;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceException;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.evaluation.Execution;
import org.jspecify.annotations.Nullable;
import org.tribuo.provenance.DataProvenance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The provenance of data run through an ONNX model with ONNX Runtime: the CSV file (or the folder of {@code .npy} files
 * and its {@code labels-file}), its label column, the number of examples, and how the model was executed ({@code execution-provider} in ONNX Runtime's spelling,
 * {@code device-id}, {@code onnxruntime-version}, {@code input-name}, {@code batch-size}). It is the data side of the
 * evaluation's {@code EvaluationProvenance}, so the provider that ran is part of every evaluation's provenance.
 */
public final class OnnxDataProvenance implements DataProvenance {
    private static final long serialVersionUID = 1L;

    private static final String EXECUTION_PROVIDER = "execution-provider";

    private final Map<String, Provenance> fields;

    /** The provenance of {@code examples} rows of {@code file} run as described by {@code execution}. */
    public OnnxDataProvenance(String file, String labelColumn, String inputName, int batchSize, Execution execution) {
        this(file, null, labelColumn, inputName, batchSize, execution);
    }

    /**
     * The provenance of the examples of {@code file}, a CSV file or a folder of {@code .npy} files whose labels are in
     * {@code labelsFile} (null for a CSV file), run as described by {@code execution}.
     */
    public OnnxDataProvenance(String file, @Nullable String labelsFile, String labelColumn, String inputName,
                              int batchSize, Execution execution) {
        Map<String, Provenance> m = new LinkedHashMap<>();
        m.put("file", new StringProvenance("file", file));
        if (labelsFile != null) {
            m.put("labels-file", new StringProvenance("labels-file", labelsFile));
        }
        m.put("label-column", new StringProvenance("label-column", labelColumn));
        m.put("examples", new LongProvenance("examples", execution.examples()));
        m.put("input-name", new StringProvenance("input-name", inputName));
        m.put("batch-size", new LongProvenance("batch-size", batchSize));
        m.put(EXECUTION_PROVIDER, new StringProvenance(EXECUTION_PROVIDER, execution.provider()));
        m.put("device-id", new StringProvenance("device-id",
                execution.deviceId() == null ? "" : Integer.toString(execution.deviceId())));
        m.put("onnxruntime-version", new StringProvenance("onnxruntime-version",
                Objects.requireNonNullElse(execution.onnxruntimeVersion(), "")));
        this.fields = Collections.unmodifiableMap(m);
    }

    /**
     * For OLCUT's unmarshalling: the fields as written.
     *
     * @throws ProvenanceException if the map has no {@code execution-provider} string
     */
    public OnnxDataProvenance(Map<String, Provenance> map) {
        ObjectProvenance.checkAndExtractProvenance(new HashMap<>(map), EXECUTION_PROVIDER, StringProvenance.class,
                OnnxDataProvenance.class.getSimpleName());
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** The execution provider that ran the model. */
    public String getExecutionProvider() {
        // both constructors guarantee a string under this key
        return ((StringProvenance) Objects.requireNonNull(fields.get(EXECUTION_PROVIDER))).getValue();
    }

    @Override
    public String getClassName() {
        return OnnxDataProvenance.class.getName();
    }

    @Override
    public Iterator<Pair<String, Provenance>> iterator() {
        List<Pair<String, Provenance>> list = new ArrayList<>();
        for (Map.Entry<String, Provenance> e : fields.entrySet()) {
            list.add(new Pair<>(e.getKey(), e.getValue()));
        }
        return list.iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnnxDataProvenance other && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fields);
    }

    @Override
    public String toString() {
        return generateString("OnnxData");
    }
}
