package dev.invariance.cli;

import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.ProvenanceReplay;
import dev.invariance.evaluation.internal.TerminalText;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.NetworkProvider;
import dev.invariance.network.WeightDifference;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code invariance reproduce-check PROV.json MODEL.onnx|MODEL.tribuo [--allow-data-change]}: retrains the model the
 * provenance describes ({@link ProvenanceReplay#retrain}) and compares its parameters with the model file's bit for
 * bit ({@link WeightDifference}): exit 0 when identical, 1 naming the first difference (layer, index, both values).
 */
@Command(name = "reproduce-check", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Retrain a model from its provenance file and check that its weights are bit-identical to a "
                + "model file's (exit 0), or name where they first differ (exit 1).")
final class ReproduceCheckCommand implements Callable<Integer> {

    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    @Spec
    private CommandSpec spec;

    @SuppressWarnings("NullAway.Init") // required positional: picocli sets it, or refuses the command line, before call()
    @Parameters(index = "0", paramLabel = "PROV.json", description = "The provenance written by train --provenance.")
    private Path provenance;

    @SuppressWarnings("NullAway.Init") // required positional: picocli sets it, or refuses the command line, before call()
    @Parameters(index = "1", paramLabel = "MODEL", description = "The model to check: the ONNX export (float32: "
            + "compared at float32) or the Tribuo model (compared as stored).")
    private Path model;

    @Option(names = "--allow-data-change", description = "Retrain on the data file as it is now when its content "
            + "hash differs from the recorded one (otherwise refused).")
    private boolean allowDataChange;

    @Override
    public Integer call() {
        NetworkDescription stored = read(model); // a bad model file is refused before the retraining
        DeepNetModel retrained = ProvenanceReplay.retrain(ProvenanceReplay.readJson(provenance), allowDataChange);
        WeightDifference difference = WeightDifference.first(stored, retrained.getNetwork());
        PrintWriter out = spec.commandLine().getOut();
        if (difference == null) {
            long parameters = 0;
            for (int i = 0; i < stored.depth(); i++) {
                parameters += (long) stored.layer(i).outputWidth() * stored.layer(i).inputWidth()
                        + (stored.layer(i).hasBias() ? stored.layer(i).outputWidth() : 0);
            }
            out.printf("identical: %d layers, %,d parameters bit for bit%n", stored.depth(), parameters);
            out.flush();
            return 0;
        }
        out.println("differs: " + TerminalText.escape(difference.describe()));
        out.flush();
        return InvarianceCommand.FAILED;
    }

    private static NetworkDescription read(Path file) {
        if (OnnxModelReader.isOnnxFile(file)) {
            try (OnnxModel onnx = OnnxModelReader.open(file)) {
                return onnx.readAll();
            }
        }
        return ((NetworkProvider) ModelEvaluations.loadModel(file)).getNetwork();
    }
}
