package dev.invariance.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code invariance report}: what it writes, and bad input refused in one line with exit code 2. */
class ReportCommandTest {
    private static final Path ORT = Path.of("src/test/resources/fixtures/ort");
    private static final Path CHECKPOINTS = Path.of("src/test/resources/fixtures/checkpoints");
    private static final Path WILD = Path.of("src/test/resources/onnx/wild");
    private static final String CLASSIFICATION = "Classification (Tribuo&#39;s LabelEvaluation on the data)";

    @TempDir
    Path dir;

    private static void assertOneLineBadInput(CliRun.Result r, String expected) {
        assertEquals(InvarianceCommand.BAD_INPUT, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void modelsOfTwoArchitecturesAreNotCheckpoints() {
        Path out = dir.resolve("r.html");
        CliRun.Result r = CliRun.invariance("report", CHECKPOINTS.resolve("step_0000.onnx").toString(),
                ORT.resolve("mlp_bias.onnx").toString(), "--output", out.toString());
        assertOneLineBadInput(r, "invariance report: error: mlp_bias.onnx is not a checkpoint of step_0000.onnx: it has"
                + " no layer 'fc1.weight'");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aMissingModelFileIsNamed() {
        CliRun.Result r = CliRun.invariance("report", dir.resolve("nothing.onnx").toString(), "--output",
                dir.resolve("r.html").toString());
        assertOneLineBadInput(r, "nothing.onnx: no such file");
    }

    @Test
    void dataWithoutItsLabelAndAnUnknownSpectrumAreRefused() {
        String model = CHECKPOINTS.resolve("step_0000.onnx").toString();
        assertOneLineBadInput(CliRun.invariance("report", model, "--data", "x.csv", "--output", "r.html"),
                "give --data and --label together");
        assertOneLineBadInput(CliRun.invariance("report", model, "--spectrum", "some", "--output", "r.html"),
                "--spectrum");
        assertOneLineBadInput(CliRun.invariance("report", model), "Missing required option: '--output=REPORT.html'");
    }

    @Test
    void topKModeWritesTheReportWithTheMissingFiguresMarked() throws Exception {
        Path out = dir.resolve("r.html");
        CliRun.Result r = CliRun.invariance("report", CHECKPOINTS.resolve("step_1000.onnx").toString(), "--spectrum",
                "top-k", "--top-k", "2", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + out + "\n", r.out());
        String html = Files.readString(out);
        assertTrue(html.contains("not computed: the top-k spectrum mode leaves out"), "legend under the tables");
        assertTrue(html.contains("<td class=\"n\">–</td>"), "a figure not computed is a dash");
        assertTrue(html.contains("spectrum mode</td><td>top-k"), "the mode in the provenance");
    }

    @Test
    void anOnnxModelWithSeveralOutputsIsReportedWithItsScoresNamedByModelOutput() throws Exception {
        String model = WILD.resolve("data_two_outputs.onnx").toString();
        String csv = WILD.resolve("data_two_outputs.csv").toString();
        Path out = dir.resolve("r.html");
        CliRun.Result r = CliRun.invariance("report", model, "--data", csv, "--label", "label", "--model-output",
                "logits", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        String html = Files.readString(out);
        assertTrue(html.contains(CLASSIFICATION), "the LabelEvaluation of the logits");
        // make_wild_fixtures.py's numpy forward pass: 4 of the 5 examples' argmax logits are their labels
        assertTrue(html.contains("all classes</td><td class=\"n\">0.8000"), "accuracy 0.8 as numpy's");

        Path other = dir.resolve("other.html");
        assertOneLineBadInput(CliRun.invariance("report", model, "--data", csv, "--label", "label", "--output",
                other.toString()), "name the one with class scores with --output (report: --model-output)");
        assertFalse(Files.exists(other), "nothing written");
    }

    @Test
    void anImageModelIsReportedFromAFolderOfNpyExamples() throws Exception {
        Path out = dir.resolve("r.html");
        CliRun.Result r = CliRun.invariance("report", WILD.resolve("data_image.onnx").toString(), "--data",
                WILD.resolve("data_image").toString(), "--label", "label", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        String html = Files.readString(out);
        assertTrue(html.contains(CLASSIFICATION), "evaluated on the data");
        assertTrue(html.contains("examples = 8; input-name = image"), "the eight .npy examples fed to 'image'");
    }

    @Test
    void runOptionsApplyToOnnxModelsWithDataOnly() {
        String onnx = CHECKPOINTS.resolve("step_0000.onnx").toString();
        String out = dir.resolve("r.html").toString();
        assertOneLineBadInput(CliRun.invariance("report", onnx, "--model-output", "logits", "--output", out),
                "--model-output, --labels, --batch-size, --device, --classes and --no-label-evaluation run an ONNX "
                        + "model over --data; they do not apply here");
        assertOneLineBadInput(CliRun.invariance("report", onnx, "--input-shape", "x=1x2", "--output", out),
                "do not apply here");
        assertOneLineBadInput(CliRun.invariance("report", onnx, "--device", "gpu", "--output", out),
                "do not apply here");
    }
}
