package dev.invariance.onnx.reading;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.io.ProvenanceSerializationException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.evaluation.EvaluationJson;
import dev.invariance.evaluation.InvarianceEvaluation;
import dev.invariance.evaluation.ModelFile;
import dev.invariance.network.GraphPort;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import org.jspecify.annotations.Nullable;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.LabelFactory;
import org.tribuo.interop.ExternalDatasetProvenance;
import org.tribuo.interop.ExternalTrainerProvenance;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The weight analysis of an ONNX model in Tribuo's evaluation format: {@link #evaluate} analyses the model's dense
 * layers (science.md 2.1–2.7) into an {@link InvarianceEvaluation} whose model provenance is the Tribuo provenance
 * the file carries (our own exports) or, for models trained elsewhere, Tribuo's interop provenance of an external
 * model ({@link ExternalTrainerProvenance} with the file's hash, {@link ExternalDatasetProvenance}).
 * {@link EvaluationJson} writes it with the same keys as for Tribuo models, the {@code "model"} block
 * ({@link #modelFile}) described from the file: path, producer and version, opset, IR version, graph name, notes.
 */
public final class OnnxAnalysis {
    private OnnxAnalysis() {
    }

    /**
     * Analyses every dense layer and every edge of the model (weights only), layer by layer
     * ({@link WeightAnalyzer#analyze(dev.invariance.network.StreamedNetwork)}): the layers the analyzer's options
     * select, reporting to its progress listener ({@link WeightAnalyzer#withProgress}).
     *
     * @throws InvalidModelException if a weight cannot be read or is not finite
     */
    public static InvarianceEvaluation evaluate(OnnxModel model, WeightAnalyzer analyzer) {
        // The provenance hashes the whole file (SHA-256, about 0.1 s per 100 MB): done beside the analysis rather
        // than after it.
        Supplier<ModelProvenance> provenance = provenanceInBackground(model);
        AnalysisReport report = analyzer.analyze(model); // layer by layer: never the whole model in memory
        DataProvenance none = new SimpleDataSourceProvenance("no data: weights only", new LabelFactory());
        return new InvarianceEvaluation(report, null, null, List.of(), new EvaluationProvenance(provenance.get(), none));
    }

    /**
     * Starts {@link #provenance(OnnxModel)} on another thread (it hashes the whole file, about 0.1 s per 100 MB, so it
     * runs beside the analysis); the supplier waits for it and rethrows its own unchecked exception (an
     * {@link InvalidModelException}) as it is.
     */
    public static Supplier<ModelProvenance> provenanceInBackground(OnnxModel model) {
        CompletableFuture<ModelProvenance> task = CompletableFuture.supplyAsync(() -> provenance(model));
        return () -> {
            try {
                return task.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        };
    }

    /**
     * The model's provenance: the Tribuo provenance stored under {@code TRIBUO_PROVENANCE} when it can be read,
     * otherwise an external model's provenance naming the file (hashed), its producer, opset and IR version.
     */
    public static ModelProvenance provenance(OnnxModel model) {
        OnnxModelInfo info = model.info();
        ModelProvenance stored = storedProvenance(info);
        if (stored != null) {
            return stored;
        }
        Path path = Path.of(info.path());
        NetworkOutline outline = model.outline();
        List<LayerOutline> layers = outline.layers();
        // the graph's own inputs and outputs (values per example; a port whose shape the file leaves open counts 0)
        int features = 0;
        for (GraphPort p : outline.inputs()) {
            features += p.width() == null ? 0 : p.width();
        }
        int outputs = 0;
        for (GraphPort p : outline.outputs()) {
            outputs += p.width() == null ? 0 : p.width();
        }
        ExternalTrainerProvenance trainer;
        try {
            trainer = new ExternalTrainerProvenance(path.toAbsolutePath().toUri().toURL());
        } catch (MalformedURLException | RuntimeException e) {
            throw new InvalidModelException(info.path() + ": cannot describe the file's provenance ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        OffsetDateTime time;
        try {
            time = Files.getLastModifiedTime(path).toInstant().atOffset(ZoneOffset.UTC);
        } catch (IOException e) {
            time = OffsetDateTime.now(ZoneOffset.UTC);
        }
        Map<String, Provenance> instance = new LinkedHashMap<>();
        instance.put("producer-name", new StringProvenance("producer-name", info.producerName()));
        instance.put("producer-version", new StringProvenance("producer-version", info.producerVersion()));
        instance.put("opset", new LongProvenance("opset", info.opset()));
        instance.put("ir-version", new LongProvenance("ir-version", info.irVersion()));
        instance.put("graph-name", new StringProvenance("graph-name", info.graphName()));
        return new ModelProvenance(OnnxModel.class.getName(), time,
                new ExternalDatasetProvenance(info.path(), new LabelFactory(), false, features, outputs), trainer, instance);
    }

    /**
     * The analysis JSON's {@code "model"} block of an ONNX file ({@link EvaluationJson#write(InvarianceEvaluation,
     * ModelFile)}): the path, the producer and its version, opset, IR version and graph name the file declares,
     * whether it carries a readable Tribuo provenance (our own exports), and the reader's {@link #notes}.
     */
    public static ModelFile modelFile(OnnxModel model) {
        OnnxModelInfo info = model.info();
        return new ModelFile(info.path(), ModelFile.ONNX, info.producerName(), info.producerVersion(), info.opset(),
                info.irVersion(), info.graphName(), storedProvenance(info) != null, notes(model));
    }

    /** The reader's notes, plus one when a stored Tribuo provenance could not be read. */
    public static List<String> notes(OnnxModel model) {
        List<String> notes = new ArrayList<>(model.notes());
        if (model.info().tribuoProvenance() != null && storedProvenance(model.info()) == null) {
            notes.add("the file's TRIBUO_PROVENANCE could not be read; described as an external model");
        }
        return notes;
    }

    /** The Tribuo provenance stored in the file, or null when there is none or it cannot be read. */
    private static @Nullable ModelProvenance storedProvenance(OnnxModelInfo info) {
        String stored = info.tribuoProvenance();
        if (stored == null) {
            return null;
        }
        try {
            ObjectProvenance p = ONNXExportable.SERIALIZER.deserializeAndUnmarshal(stored);
            return p instanceof ModelProvenance mp ? mp : null;
        } catch (ProvenanceSerializationException | RuntimeException | LinkageError e) {
            return null; // untrusted text: an unreadable provenance is described as an external model's
        }
    }
}
