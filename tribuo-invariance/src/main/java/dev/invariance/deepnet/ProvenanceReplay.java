package dev.invariance.deepnet;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.io.ProvenanceSerializationException;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.data.InvalidDataException;
import org.jspecify.annotations.Nullable;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.MutableDataset;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.provenance.ModelProvenance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's provenance as the reproducibility contract: written as JSON (OLCUT's provenance format), read back,
 * and replayed: the trainer (a {@link DeepNetTrainer} or a {@code DeepNetRegressionTrainer}) and the configurable
 * data source are rebuilt from their recorded configuration,
 * the trainer's RNG is advanced to the recorded invocation count, and training reruns, giving bit-identical
 * weights on the same machine and BLAS thread count.
 */
public final class ProvenanceReplay {
    private static final String RESOURCE_HASH = "resource-hash";

    private ProvenanceReplay() {
    }

    /** The provenance as indented JSON. */
    public static String toJson(ModelProvenance provenance) {
        return new JsonProvenanceSerialization(true).marshalAndSerialize(provenance);
    }

    /**
     * Reads a provenance JSON file written by {@link #toJson}.
     *
     * @throws InvalidDataException if the file is missing or is not a model provenance
     */
    public static ModelProvenance readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidDataException(file + ": no such file");
        }
        ObjectProvenance parsed;
        try {
            parsed = new JsonProvenanceSerialization(true).deserializeAndUnmarshal(Files.readString(file));
        } catch (IOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (ProvenanceSerializationException | RuntimeException e) {
            throw new InvalidDataException(file + ": not a provenance JSON file (" + firstLine(e) + ")", e);
        }
        if (!(parsed instanceof ModelProvenance mp)) {
            throw new InvalidDataException(file + ": holds a " + parsed.getClass().getSimpleName()
                    + ", not a model provenance");
        }
        return mp;
    }

    /**
     * Retrains the model a provenance describes.
     *
     * @throws InvalidDataException if the provenance is not a {@link DeepNetTrainer}'s, its data source is not
     *                              configurable, or the data changed since the provenance was recorded
     */
    public static DeepNetModel retrain(ModelProvenance provenance) {
        return retrain(provenance, false);
    }

    /**
     * Retrains the model a provenance describes; with {@code allowDataChange} a data file whose content hash differs
     * from the recorded one is used as it is now (the weights will then differ) instead of refused.
     *
     * @throws InvalidDataException if the provenance is not a {@link DeepNetTrainer}'s, its data source is not
     *                              configurable or cannot be re-created (a missing file), or the data changed since
     *                              the provenance was recorded and {@code allowDataChange} is false: one line naming
     *                              the file and both hashes
     */
    public static DeepNetModel retrain(ModelProvenance provenance, boolean allowDataChange) {
        return retrain(provenance, DeepNetModel.class, allowDataChange);
    }

    /**
     * Retrains the model a provenance describes, of any deep-net trainer ({@link DeepNetTrainer}, or the regression
     * trainer with {@code DeepNetRegressionModel.class}), typed (Kotlin:
     * {@code ProvenanceReplay.retrain(p, DeepNetRegressionModel::class.java, false)}); otherwise as
     * {@link #retrain(ModelProvenance, boolean)}.
     *
     * @param modelClass the class of the model the provenance describes
     * @throws InvalidDataException if the provenance describes another model class or holds no deep-net trainer,
     *                              or for the data as {@link #retrain(ModelProvenance, boolean)} says
     */
    public static <M extends Model<?>> M retrain(ModelProvenance provenance, Class<M> modelClass,
                                                 boolean allowDataChange) {
        if (!modelClass.getName().equals(provenance.getClassName())) {
            throw new InvalidDataException("provenance describes a " + provenance.getClassName()
                    + ", not a " + modelClass.getName());
        }
        ConfigurationManager cm = new ConfigurationManager();
        try {
            cm.addConfiguration(ProvenanceUtil.extractConfiguration(provenance));
        } catch (RuntimeException e) {
            throw new InvalidDataException("provenance cannot be turned into a configuration (" + firstLine(e) + ")", e);
        }
        // OLCUT's lookupAll matches a class by its exact name and an interface by assignability
        List<AbstractDeepNetTrainer<?, ?>> trainers = new ArrayList<>();
        for (Object trainer : lookupTrainers(cm)) {
            if (trainer instanceof AbstractDeepNetTrainer<?, ?> deepNet) {
                trainers.add(deepNet);
            }
        }
        if (trainers.isEmpty()) {
            throw new InvalidDataException("provenance holds no " + (modelClass == DeepNetModel.class
                    ? "DeepNetTrainer" : "deep-net trainer") + " configuration");
        }
        if (find(provenance.getDatasetProvenance().getSourceProvenance(), "dataPath") instanceof PrimitiveProvenance<?> p
                && !Files.isRegularFile(Path.of(String.valueOf(p.getValue())))) {
            throw new InvalidDataException(p.getValue() + ": the training data recorded in the provenance is not there"
                    + " (no such file)");
        }
        List<ConfigurableDataSource<?>> sources;
        try {
            @SuppressWarnings("unchecked")
            List<ConfigurableDataSource<?>> found = (List<ConfigurableDataSource<?>>) (List<?>) lookupSources(cm);
            sources = found;
        } catch (RuntimeException e) {
            // OLCUT wraps what the data source's own check threw (a file that is gone, a header that changed)
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw new InvalidDataException("the training data recorded in the provenance cannot be read again ("
                    + firstLine(cause) + ")", e);
        }
        if (sources.isEmpty()) {
            throw new InvalidDataException("the training data (" + provenance.getDatasetProvenance().getSourceProvenance()
                    .getClassName() + ") is not a configurable data source, so it cannot be re-created from provenance");
        }
        ConfigurableDataSource<?> source = sources.get(0);
        if (!allowDataChange) {
            checkUnchanged(provenance.getDatasetProvenance().getSourceProvenance(), source.getProvenance());
        }
        PrimitiveProvenance<?> count = provenance.getTrainerProvenance().getInstanceValues().get("train-invocation-count");
        int invocation = count == null ? 0 : ((Number) count.getValue()).intValue();
        Map<String, Provenance> run = new HashMap<>(provenance.getInstanceProvenance().getMap());
        return modelClass.cast(trainOn(trainers.get(0), source, run, invocation));
    }

    /** Trains {@code trainer} on the data source; the two share an output type because one provenance recorded both. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Model<?> trainOn(AbstractDeepNetTrainer trainer, ConfigurableDataSource source,
                                    Map<String, Provenance> run, int invocation) {
        return trainer.train(new MutableDataset<>(source), run, invocation);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<Trainer> lookupTrainers(ConfigurationManager cm) {
        return cm.lookupAll(Trainer.class);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<ConfigurableDataSource> lookupSources(ConfigurationManager cm) {
        return cm.lookupAll(ConfigurableDataSource.class);
    }

    private static void checkUnchanged(ObjectProvenance recorded, ObjectProvenance now) {
        Provenance before = find(recorded, RESOURCE_HASH);
        Provenance after = find(now, RESOURCE_HASH);
        if (before != null && after != null && !Objects.equals(before, after)) {
            Provenance path = find(recorded, "dataPath");
            throw new InvalidDataException((path instanceof PrimitiveProvenance<?> p ? p.getValue() + ": " : "")
                    + "the training data changed since the provenance was recorded (" + RESOURCE_HASH + " recorded "
                    + value(before) + ", now " + value(after) + "); give --allow-data-change to retrain on it anyway");
        }
    }

    private static String value(Provenance p) {
        return p instanceof PrimitiveProvenance<?> prim ? String.valueOf(prim.getValue()) : String.valueOf(p);
    }

    private static @Nullable Provenance find(ObjectProvenance provenance, String key) {
        for (Pair<String, Provenance> entry : provenance) {
            if (entry.getA().equals(key)) {
                return entry.getB();
            }
        }
        return null;
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
