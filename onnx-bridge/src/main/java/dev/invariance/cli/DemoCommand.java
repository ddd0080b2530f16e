package dev.invariance.cli;

import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.deepnet.ProvenanceReplay;
import dev.invariance.evaluation.InvarianceEvaluator;
import dev.invariance.evaluation.internal.TerminalText;
import dev.invariance.linalg.LinearAlgebraBackend;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code invariance demo}: the main job on built-in data. Trains the deep linear network of science.md E1
 * (N = 40 separable points in R^10, widths 10-10-10-1, no bias, init scale 0.1, logistic loss, full-batch GD
 * η = 0.5 for 2·10⁴ steps), exports it to ONNX, and prints its evaluation and weight analysis.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a small deep linear net on built-in separable data, export it and print its analysis.")
final class DemoCommand implements Callable<Integer> {

    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    @Spec
    private CommandSpec spec;

    @Option(names = "--output", paramLabel = "DIR", description = "Folder for demo.onnx, demo.tribuo and demo-provenance.json (default: ${DEFAULT-VALUE}).",
            defaultValue = "demo-output")
    private Path outputDir = Path.of("demo-output");

    @Option(names = "--steps", paramLabel = "N", description = "Gradient steps (default: ${DEFAULT-VALUE}).", defaultValue = "20000")
    private long steps = 20_000;

    @Override
    public Integer call() {
        if (steps < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
        }
        PrintWriter out = spec.commandLine().getOut();
        Path onnx = outputDir.resolve("demo.onnx");
        Path tribuo = outputDir.resolve("demo.tribuo");
        Path provenance = outputDir.resolve("demo-provenance.json");
        OutputFiles.checkWritable(onnx);
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(40, 10, 0.0, 0L));
        DeepNetTrainer trainer = DeepNetTrainer.builder().hidden(10, 10).initScale(0.1).learningRate(0.5).steps(steps)
                .seed(1L).build();
        out.printf("Training a 10-10-10-1 deep linear network on %d separable points (%s)%n", data.size(),
                LinearAlgebraBackend.describe());
        DeepNetModel model;
        try (TerminalProgress progress = new TerminalProgress("train", steps)) {
            model = trainer.train(data, TerminalProgress.interval(steps), progress);
        }
        OutputFiles.writeAtomically(onnx, f -> model.saveONNXModel("dev.invariance", 1, f));
        OutputFiles.writeAtomically(tribuo, model::serializeToFile);
        String json = ProvenanceReplay.toJson(model.getProvenance());
        OutputFiles.writeAtomically(provenance, f -> Files.writeString(f, json));
        out.printf("%s%nfinal loss (training set) %.3e after %d steps%n%n", model, model.getLossCurve().getFinalLoss(),
                model.getStepsRun());
        out.print(InvarianceEvaluator.create().evaluate(model, data));
        out.printf("%nwrote %s, %s, %s%n", TerminalText.escape(onnx.toString()), TerminalText.escape(tribuo.toString()),
                TerminalText.escape(provenance.toString()));
        return 0;
    }
}
