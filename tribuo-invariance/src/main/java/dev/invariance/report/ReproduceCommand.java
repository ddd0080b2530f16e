package dev.invariance.report;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import org.jspecify.annotations.Nullable;
import org.tribuo.provenance.ModelProvenance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code bin/invariance train} command line that retrains a {@link DeepNetModel} from the settings its provenance
 * records, or why there is none: the data did not come from a CSV file, the trainer had run before (its RNG was
 * advanced), or a setting differs from its default and has no command-line option. {@code train --from-provenance}
 * replays every case.
 */
final class ReproduceCommand {
    /** The trainer's settings with a command-line option, and the option. */
    private static final List<String[]> OPTIONS = List.of(new String[]{"hiddenWidths", "--hidden"},
            new String[]{"activations", "--activation"}, new String[]{"loss", "--loss"},
            new String[]{"optimizer", "--optimizer"}, new String[]{"batchSize", "--batch-size"},
            new String[]{"learningRate", "--learning-rate"}, new String[]{"schedule", "--schedule"},
            new String[]{"initialization", "--init"}, new String[]{"initScale", "--init-scale"},
            new String[]{"precision", "--precision"}, new String[]{"seed", "--seed"});
    /** Settings without a command-line option: the command is exact only when they hold their defaults. */
    private static final List<String> NO_OPTION = List.of("decayPower", "maxLearningRate", "backtracking", "adamBeta1",
            "adamBeta2", "adamEpsilon");

    private ReproduceCommand() {
    }

    /** The command, or a sentence starting with "no command line:" saying why there is none. */
    static String of(ModelProvenance model) {
        if (!DeepNetModel.class.getName().equals(model.getClassName())) {
            return "no command line: the model was not trained by this library's DeepNetTrainer";
        }
        Map<String, Provenance> trainer = model.getTrainerProvenance().getConfiguredParameters();
        ObjectProvenance source = model.getDatasetProvenance().getSourceProvenance();
        String path = value(find(source, "dataPath"));
        String label = responseField(source);
        if (path == null || label == null) {
            return "no command line: the training data did not come from a CSV file (" + source.getClassName() + ")";
        }
        PrimitiveProvenance<?> count = model.getTrainerProvenance().getInstanceValues().get("train-invocation-count");
        if (count != null && ((Number) count.getValue()).intValue() > 0) {
            return "no command line: the trainer had trained " + count.getValue() + " models before this one; replay"
                    + " the provenance with --from-provenance";
        }
        Map<String, Provenance> defaults = DeepNetTrainer.builder().build().getProvenance().getConfiguredParameters();
        for (String name : NO_OPTION) {
            String v = value(trainer.get(name));
            if (v != null && !v.equals(value(defaults.get(name)))) {
                return "no command line: " + name + " = " + v + " has no option; replay the provenance with"
                        + " --from-provenance";
            }
        }
        List<String> args = new ArrayList<>(List.of("bin/invariance", "train", "--data", quoted(path), "--label",
                quoted(label)));
        for (String[] o : OPTIONS) {
            String v = value(trainer.get(o[0]));
            if (v != null) {
                args.add(o[1]);
                args.add(quoted(v.toLowerCase(Locale.ROOT)));
            }
        }
        if ("false".equals(value(trainer.get("bias")))) {
            args.add("--no-bias");
        }
        if ("true".equals(value(trainer.get("skipConnections")))) {
            args.add("--skip");
        }
        if ("true".equals(value(trainer.get("standardize")))) {
            args.add("--standardize");
        }
        String epochs = value(trainer.get("epochs"));
        if (epochs != null && !epochs.equals("0")) {
            args.add("--epochs");
            args.add(epochs);
        } else {
            args.add("--steps");
            args.add(String.valueOf(value(trainer.get("steps"))));
        }
        args.add("--output");
        args.add("MODEL.onnx");
        return String.join(" ", args);
    }

    /** A primitive's value, or a list's values joined by commas; null when absent. */
    static @Nullable String value(@Nullable Provenance p) {
        if (p instanceof PrimitiveProvenance<?> prim) {
            return String.valueOf(prim.getValue());
        }
        if (p instanceof ListProvenance<?> list) {
            List<String> parts = new ArrayList<>();
            for (Provenance e : list) {
                parts.add(value(e));
            }
            return String.join(",", parts);
        }
        return null;
    }

    /** The entry named {@code key} of an object provenance, or null. */
    static @Nullable Provenance find(ObjectProvenance p, String key) {
        for (Pair<String, Provenance> e : p) {
            if (e.getA().equals(key)) {
                return e.getB();
            }
        }
        return null;
    }

    /** The label column of a CSV data source: rowProcessor → responseProcessor → fieldNames. */
    private static @Nullable String responseField(ObjectProvenance source) {
        if (find(source, "rowProcessor") instanceof ObjectProvenance rows
                && find(rows, "responseProcessor") instanceof ObjectProvenance response) {
            return value(find(response, "fieldNames"));
        }
        return null;
    }

    /** A shell word: as it is when it holds only safe characters, else in single quotes. */
    static String quoted(String word) {
        return word.matches("[A-Za-z0-9_./,:=+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
