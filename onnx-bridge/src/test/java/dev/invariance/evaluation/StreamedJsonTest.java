package dev.invariance.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.cli.InvarianceCommand;
import dev.invariance.data.CsvDatasets;
import dev.invariance.onnx.reading.OnnxAnalysis;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import dev.invariance.onnx.running.OnnxDataAnalyzer;
import dev.invariance.onnx.running.OnnxDataEvaluation;
import dev.invariance.onnx.running.OnnxDataOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streamed analysis JSON ({@link EvaluationJsonWriter}) on every fixture at hand (each ONNX fixture without data,
 * each ONNX Runtime fixture with its data, and a Tribuo model (ReLU, skip) with and without data, in full and top-k
 * mode) is exactly what Jackson writes for the tree of its own content: its layout and number forms are those of the
 * tree-built JSON it replaced (byte for byte equal to it on these fixtures when the change was made, commit 8795ab5),
 * and no key is written twice in an object. The string and the writer it is streamed to hold the same text.
 */
class StreamedJsonTest {
    private static final Path IRIS = Path.of("../tribuo-invariance/src/test/resources/fixtures/sklearn/iris.csv");
    private static final Path ORT = Path.of("src/test/resources/fixtures/ort");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    @TempDir
    static Path dir;

    private static Path tribuoModel;

    @BeforeAll
    static void trainAReluModelWithASkip() {
        tribuoModel = dir.resolve("m.tribuo");
        StringWriter err = new StringWriter();
        int code = InvarianceCommand.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "train", "--data",
                IRIS.toString(), "--label", "label", "--hidden", "6,6", "--activation", "relu", "--skip",
                "--init-scale", "0.5", "--steps", "300", "--output", dir.resolve("m.onnx").toString(),
                "--tribuo-model", tribuoModel.toString());
        assertEquals(0, code, err.toString());
    }

    private static WeightAnalyzer analyzer(SpectrumMode mode) {
        return WeightAnalyzer.create(AnalysisOptions.builder().topK(2).spectrum(mode).build());
    }

    private static void assertLaidOutAsATree(InvarianceEvaluation e, ModelFile model, String what) throws Exception {
        StringWriter streamed = new StringWriter();
        EvaluationJson.write(e, model, streamed);
        String text = streamed.toString();
        assertEquals(PRETTY.writeValueAsString(MAPPER.readTree(text)), text, what);
        assertEquals(text, EvaluationJson.write(e, model), what);
    }

    @Test
    void everyOnnxFixtureWithoutData() throws Exception {
        List<Path> models;
        try (var files = Files.list(Path.of("src/test/resources/onnx"))) {
            models = files.filter(f -> f.toString().endsWith(".onnx")).sorted().toList();
        }
        assertTrue(models.size() > 10, models.toString());
        for (Path file : models) {
            for (SpectrumMode mode : SpectrumMode.values()) {
                try (OnnxModel model = OnnxModelReader.open(file)) {
                    assertLaidOutAsATree(OnnxAnalysis.evaluate(model, analyzer(mode)), OnnxAnalysis.modelFile(model),
                            file + ", " + mode);
                }
            }
        }
    }

    @Test
    void everyOnnxRuntimeFixtureWithItsData() throws Exception {
        List<Path> models;
        try (var files = Files.list(ORT)) {
            models = files.filter(f -> f.toString().endsWith(".onnx"))
                    .filter(f -> Files.exists(ORT.resolve(name(f) + ".csv"))).sorted().toList();
        }
        assertTrue(models.size() > 5, models.toString());
        for (Path file : models) {
            for (SpectrumMode mode : SpectrumMode.values()) {
                try (OnnxModel model = OnnxModelReader.open(file)) {
                    OnnxDataEvaluation r = OnnxDataAnalyzer.create(analyzer(mode), OnnxDataOptions.defaults())
                            .analyze(model, ORT.resolve(name(file) + ".csv"), "label", note -> { });
                    assertLaidOutAsATree(r.evaluation(), OnnxAnalysis.modelFile(model), file + " with data, " + mode);
                }
            }
        }
    }

    @Test
    void aTribuoModelWithAndWithoutData() throws Exception {
        @SuppressWarnings("unchecked")
        Model<Label> model = (Model<Label>) Model.deserializeFromFile(tribuoModel);
        Set<String> classes = new HashSet<>();
        model.getOutputIDInfo().getDomain().forEach(l -> classes.add(l.getLabel()));
        MutableDataset<Label> data = CsvDatasets.loadFor(IRIS, "label", model.getFeatureIDMap().keySet(), classes,
                w -> { });
        ModelFile block = ModelFile.of(tribuoModel.toString(), model.getProvenance());
        for (SpectrumMode mode : SpectrumMode.values()) {
            InvarianceEvaluator evaluator = InvarianceEvaluator.create(analyzer(mode));
            assertLaidOutAsATree(evaluator.evaluate(model), block, "weights only, " + mode);
            assertLaidOutAsATree(evaluator.evaluate(model, data), block, "with data, " + mode);
        }
    }

    private static String name(Path onnx) {
        String f = onnx.getFileName().toString();
        return f.substring(0, f.length() - ".onnx".length());
    }
}
