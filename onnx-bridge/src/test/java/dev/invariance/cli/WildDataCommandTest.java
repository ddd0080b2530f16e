package dev.invariance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import dev.invariance.onnx.running.OnnxDataAnalyzer;
import dev.invariance.onnx.running.OnnxDataEvaluation;
import dev.invariance.onnx.running.OnnxDataOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code analyze --data} on the "real model" fixtures of issue 20 (make_wild_fixtures.py: data_image.onnx with a
 * dynamic {@code [N, 3, H, W]} input, data_tokens.onnx with int64 token ids, data_two_outputs.onnx with a hidden state
 * listed before the logits), from a CSV file and from a folder of {@code .npy} files, against the data block of
 * onnx/wild/reference.json: numpy's predictions and accuracy in float32.
 */
class WildDataCommandTest {
    private static final Path WILD = Path.of("src/test/resources/onnx/wild");
    /**
     * ONNX Runtime's float32 scores against numpy's float64 forward pass: the generator's own check of these models
     * (F32_TOL, 1e-6 relative to 1 + |y|; float32 rounding of a few dozen operations on values of order 1 is 1e-7).
     */
    private static final double SCORE_TOLERANCE = 1e-6;

    /** The data block of {@code file} in reference.json. */
    static JsonNode data(String file) {
        try {
            for (JsonNode m : new ObjectMapper().readTree(WILD.resolve("reference.json").toFile()).path("models")) {
                if (m.path("file").asText().equals(file)) {
                    return m.path("data");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no model " + file + " in reference.json");
    }

    private static String model(String file) {
        return WILD.resolve(file).toString();
    }

    private static String file(JsonNode d, String key) {
        return WILD.resolve(d.path(key).asText()).toString();
    }

    private static void oneLine(CliRun.Result r) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertTrue(r.out().isEmpty(), r.out());
    }

    /**
     * The run's accuracy and macro F1 (JSON) and each class's n, tp, fn and fp (the table) are those of numpy's
     * float32 predictions.
     */
    private static JsonNode assertReferenceEvaluation(JsonNode d, String... args) throws IOException {
        List<String> json = new ArrayList<>(Arrays.asList(args));
        json.addAll(List.of("--format", "json"));
        CliRun.Result r = invariance(json.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals(d.path("accuracy_float32").asDouble(), root.path("classification").path("accuracy").asDouble(),
                1e-12);
        assertEquals(d.path("examples").asInt(), root.path("execution").path("examples").asInt());

        Map<String, int[]> counts = referenceCounts(d);
        double f1 = 0;
        for (int[] c : counts.values()) {
            f1 += c[1] == 0 ? 0 : 2.0 * c[1] / (2.0 * c[1] + c[2] + c[3]);
        }
        assertEquals(f1 / counts.size(), root.path("classification").path("macro_f1").asDouble(), 1e-12);

        CliRun.Result table = invariance(args);
        assertEquals(0, table.code(), table.err());
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            String row = table.out().lines().filter(l -> l.startsWith(e.getKey() + " ")).findFirst().orElseThrow();
            String[] cells = row.trim().split("\\s+");
            int[] want = e.getValue();
            assertEquals(List.of(want[0], want[1], want[2], want[3]), List.of(Integer.parseInt(cells[1]),
                    Integer.parseInt(cells[2]), Integer.parseInt(cells[3]), Integer.parseInt(cells[4])), row);
        }
        return root;
    }

    /** Per class of the reference: n, tp, fn, fp of numpy's float32 predictions. */
    private static Map<String, int[]> referenceCounts(JsonNode d) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (JsonNode c : d.path("classes")) {
            counts.put(c.asText(), new int[4]);
        }
        for (int i = 0; i < d.path("examples").asInt(); i++) {
            String truth = d.path("labels").get(i).asText();
            String predicted = d.path("predicted_float32").get(i).asText();
            counts.get(truth)[0]++;
            if (truth.equals(predicted)) {
                counts.get(truth)[1]++;
            } else {
                counts.get(truth)[2]++;
                counts.get(predicted)[3]++;
            }
        }
        return counts;
    }

    @Test
    void anImageModelWithADynamicInputRunsFromACsvWithItsShapeGiven() throws IOException {
        JsonNode d = data("data_image.onnx");
        assertReferenceEvaluation(d, "analyze", model("data_image.onnx"), "--data", file(d, "csv"),
                "--label", "label", "--input-shape", "image=1x3x8x8");
    }

    @Test
    void anImageModelRunsFromAFolderOfNpyFilesWhoseFirstFileFixesTheShape() throws IOException {
        JsonNode d = data("data_image.onnx");
        String folder = file(d, "npy_folder");
        JsonNode root = assertReferenceEvaluation(d, "analyze", model("data_image.onnx"), "--data", folder, "--label",
                "label");
        // the data's provenance names the folder and its labels file
        String provenance = root.path("evaluation_provenance").toString();
        assertTrue(provenance.contains("\"labels-file\"") && provenance.contains("labels.csv"), provenance);
        assertReferenceEvaluation(d, "analyze", model("data_image.onnx"), "--data", folder, "--label", "label", "--labels",
                file(d, "npy_labels"), "--input-shape", "image=1x3x8x8");
    }

    @Test
    void aDynamicShapeTheDataCannotFixIsOneLineNamingItsSymbolicSizes() {
        JsonNode d = data("data_image.onnx");
        CliRun.Result r = invariance("analyze", model("data_image.onnx"), "--data", file(d, "csv"),
                "--label", "label");
        oneLine(r);
        assertTrue(r.err().contains("192 feature columns, but input 'image' of " + model("data_image.onnx") + " has shape "
                + "[N, 3, H, W], dynamic in H, W; give its shape with --input-shape image=1x3xHxW"), r.err());

        r = invariance("analyze", model("data_image.onnx"), "--data", file(d, "csv"), "--label",
                "label", "--input-shape", "image=1x3x8x9");
        oneLine(r);
        assertTrue(r.err().contains("192 feature columns (every column but 'label'), but input 'image' of " + model("data_image.onnx")
                + " takes 216 values per example (shape [1, 3, 8, 9], from --input-shape)"), r.err());

        r = invariance("analyze", model("data_image.onnx"), "--data", file(d, "npy_folder"),
                "--label", "label", "--input-shape", "image=1x3x4x16");
        oneLine(r);
        assertTrue(r.err().contains("img_00.npy: shape [1, 3, 8, 8], but input 'image' of " + model("data_image.onnx")
                + " takes [1, 3, 4, 16] (from --input-shape)"), r.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "image=1x3x8|--input-shape image=1x3x8: input 'image' has 4 axes, [N, 3, H, W]",
            "image=3x8x8|--input-shape image=3x8x8: the first axis is the batch axis; give 1",
            "image=1x4x8x8|--input-shape image=1x4x8x8: axis 1 of input 'image' is fixed at 3, [N, 3, H, W]",
            "image=2x3x8x8|--input-shape image=2x3x8x8: the first axis is the batch axis; give 1",
            "image=1x3x0x8|--input-shape image=1x3x0x8: every size must be at least 1",
            "image=1x3x8x|--input-shape image=1x3x8x: '' is not a size (a positive whole number)",
            "image=1x3x-8x8|--input-shape image=1x3x-8x8: '-8' is not a size",
            "image|--input-shape image: expected NAME=SIZExSIZEx..., for example image=1x3x240x320",
            "pixels=1x3x8x8|--input-shape: the model has no input 'pixels' (inputs: image)",
            "image=1x3x65536x65536|--input-shape image=1x3x65536x65536: more than 536870911 values per example",
            "image=1x3x999999999999999999x999999999999999999|: more than 536870911 values per example"})
    void aBadInputShapeIsOneLineBeforeAnythingRuns(String shape, String message) {
        JsonNode d = data("data_image.onnx");
        CliRun.Result r = invariance("analyze", model("data_image.onnx"), "--data", file(d, "csv"),
                "--label", "label", "--input-shape", shape);
        oneLine(r);
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void aLabelsFileGoesWithAFolderAndAFolderNeedsOne(@TempDir Path dir) {
        JsonNode d = data("data_image.onnx");
        CliRun.Result r = invariance("analyze", model("data_image.onnx"), "--data", file(d, "csv"), "--label", "label",
                "--labels", file(d, "npy_labels"), "--input-shape", "image=1x3x8x8");
        oneLine(r);
        assertTrue(r.err().contains("--labels " + file(d, "npy_labels") + ": a labels file goes with a folder of .npy "
                + "files, and --data " + file(d, "csv") + " is not a folder"), r.err());
        r = invariance("analyze", model("data_image.onnx"), "--data", dir.toString(), "--label", "label");
        oneLine(r);
        assertTrue(r.err().contains(dir.resolve("labels.csv") + ": no such file"), r.err());
    }

    @Test
    void anInputShapeIsGivenOnceAndOnlyWithData() {
        JsonNode d = data("data_image.onnx");
        String csv = file(d, "csv");
        CliRun.Result r = invariance("analyze", model("data_image.onnx"), "--data", csv, "--label", "label", "--input-shape",
                "image=1x3x8x8", "--input-shape", "image=1x3x8x8");
        oneLine(r);
        assertTrue(r.err().contains("--input-shape: input 'image' is given a shape twice"), r.err());
        r = invariance("analyze", model("data_image.onnx"), "--input-shape", "image=1x3x8x8");
        oneLine(r);
        assertTrue(r.err().contains("run an ONNX model over --data; they do not apply here"), r.err());
    }

    @Test
    void int64TokenIdsAreReadAsIntegersFromACsvAndFromNpyFiles() throws IOException {
        JsonNode d = data("data_tokens.onnx");
        String csv = file(d, "csv");
        // [N, T]: the five token columns fix T
        assertReferenceEvaluation(d, "analyze", model("data_tokens.onnx"), "--data", csv, "--label", "label");
        assertReferenceEvaluation(d, "analyze", model("data_tokens.onnx"), "--data", csv, "--label", "label", "--input-shape",
                "tokens=1x5");
        assertReferenceEvaluation(d, "analyze", model("data_tokens.onnx"), "--data",
                file(d, "npy_folder"), "--label", "label");
    }

    @Test
    void aTokenThatIsNotAWholeNumberIsOneLineNamingLineAndColumn(@TempDir Path dir) throws IOException {
        Path csv = Files.writeString(dir.resolve("tokens.csv"), "t0,t1,label\n3,4,pos\n3,4.5,neg\n");
        CliRun.Result r = invariance("analyze", model("data_tokens.onnx"), "--data", csv.toString(), "--label",
                "label");
        oneLine(r);
        assertEquals("invariance analyze: error: " + csv + ": line 3, column 't1' (2): '4.5' is not a whole number "
                + "(an int64 input takes integers)", r.err().strip());
    }

    @Test
    void theOutputOfClassScoresIsNamedWhenTheModelHasSeveral() throws IOException {
        JsonNode d = data("data_two_outputs.onnx");
        String csv = file(d, "csv");
        assertReferenceEvaluation(d, "analyze", model("data_two_outputs.onnx"), "--data", csv, "--label", "label", "--output", "logits");

        CliRun.Result r = invariance("analyze", model("data_two_outputs.onnx"), "--data", csv, "--label", "label");
        oneLine(r);
        assertTrue(r.err().contains("the model has 2 outputs (hidden [N, 6], logits [N, 3]); name the one with class "
                + "scores with --output"), r.err());

        r = invariance("analyze", model("data_two_outputs.onnx"), "--data", csv, "--label", "label", "--output", "hidden");
        oneLine(r);
        assertTrue(r.err().contains("output 'hidden' has 6 columns but there are 3 classes (a, b, c)"), r.err());

        r = invariance("analyze", model("data_two_outputs.onnx"), "--data", csv, "--label", "label", "--output", "scores");
        oneLine(r);
        assertTrue(r.err().contains("no output 'scores' (outputs: hidden [N, 6], logits [N, 3])"), r.err());
    }

    @Test
    void withoutTheLabelEvaluationNoOutputNeedsToBeClassScores() throws IOException {
        JsonNode d = data("data_two_outputs.onnx");
        CliRun.Result r = invariance("analyze", model("data_two_outputs.onnx"), "--data", file(d, "csv"),
                "--label", "label", "--no-label-evaluation", "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals(d.path("examples").asInt(), root.path("execution").path("examples").asInt());
        assertTrue(root.path("classification").isNull() || root.path("classification").isMissingNode(), r.out());
        assertEquals(1, root.path("activations").size(), "the encoder's ReLU is observed");
    }

    /** Each prediction's label and scores, made from the one session's outputs, against numpy's forward pass. */
    @ParameterizedTest
    @CsvSource({"data_image.onnx,", "data_tokens.onnx,", "data_two_outputs.onnx,logits"})
    void everyPredictionIsNumpys(String file, String output) {
        JsonNode d = data(file);
        boolean npy = !d.path("npy_folder").isNull();
        Path data = WILD.resolve(npy ? d.path("npy_folder").asText() : d.path("csv").asText());
        OnnxDataOptions options = OnnxDataOptions.defaults().withOutputName(output).withBatchSize(3);
        try (OnnxModel m = OnnxModelReader.open(WILD.resolve(file))) {
            OnnxDataEvaluation run = OnnxDataAnalyzer.create(WeightAnalyzer.create(), options).analyze(m, data,
                    "label", note -> { });
            List<Prediction<Label>> predictions = run.evaluation().getPredictions();
            assertEquals(d.path("examples").asInt(), predictions.size());
            for (int i = 0; i < predictions.size(); i++) {
                Prediction<Label> p = predictions.get(i);
                assertEquals(d.path("predicted_float32").get(i).asText(), p.getOutput().getLabel(), "example " + i);
                assertEquals(d.path("labels").get(i).asText(), p.getExample().getOutput().getLabel());
                for (int k = 0; k < d.path("classes").size(); k++) {
                    String c = d.path("classes").get(k).asText();
                    double want = d.path("scores_float64").get(i).get(k).asDouble();
                    Label got = p.getOutputScores().get(c);
                    assertNotNull(got, c);
                    assertEquals(want, got.getScore(), SCORE_TOLERANCE * (1 + Math.abs(want)), file + " " + i + " " + c);
                }
            }
            assertNotNull(run.evaluation().getLabelEvaluation());
            assertEquals(d.path("accuracy_float32").asDouble(), run.evaluation().getLabelEvaluation().accuracy(), 0);
        }
    }
}
