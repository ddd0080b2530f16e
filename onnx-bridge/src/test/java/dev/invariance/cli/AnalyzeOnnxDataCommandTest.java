package dev.invariance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.CsvDatasets;
import dev.invariance.evaluation.DataAnalysis;
import dev.invariance.evaluation.InvarianceEvaluation;
import dev.invariance.evaluation.InvarianceEvaluator;
import dev.invariance.onnx.running.OnnxDataAnalyzer;
import dev.invariance.onnx.running.OnnxDataEvaluation;
import dev.invariance.onnx.running.OnnxDataOptions;
import dev.invariance.onnx.reading.OnnxModelReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code invariance analyze MODEL.onnx --data FILE.csv --label COLUMN}: ONNX Runtime over the data. */
class AnalyzeOnnxDataCommandTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/ort");

    @TempDir
    Path dir;

    /** Inputs in [0, 1] (so some ReLU units stay on or off over all of them), labels from a hyperplane. */
    private Path data() throws IOException {
        Random rng = new Random(11);
        double[] w = {1.0, -2.0, 0.5, 0.3, 0.8};
        StringBuilder sb = new StringBuilder("a,b,c,d,e,label\n");
        for (int i = 0; i < 80; i++) {
            double s = 0;
            StringBuilder row = new StringBuilder();
            for (double wj : w) {
                double x = rng.nextDouble();
                s += wj * (x - 0.5);
                row.append(String.format(Locale.ROOT, "%.6f,", x));
            }
            sb.append(row).append(s > 0 ? "up" : "down").append('\n');
        }
        return Files.writeString(dir.resolve("data.csv"), sb.toString());
    }

    private static void oneLine(String err) {
        assertEquals(1, err.strip().lines().count(), err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void jsonHasActivationsStableSubmatricesAndExecution() throws Exception {
        Path model = FIXTURES.resolve("mlp_bias.onnx");
        CliRun.Result r = invariance("analyze", model.toString(), "--data",
                FIXTURES.resolve("mlp_bias.csv").toString(), "--label", "label", "--format", "json", "--batch-size", "16");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        JsonNode ref = new ObjectMapper().readTree(FIXTURES.resolve("reference.json").toFile()).path("mlp_bias");
        JsonNode acts = root.path("activations");
        assertEquals(2, acts.size());
        for (int i = 0; i < 2; i++) {
            JsonNode a = acts.get(i);
            JsonNode l = ref.path("layers").get(i);
            assertEquals("layers." + i + ".weight", a.path("layer").asText());
            assertEquals(l.path("stably_active").size(), a.path("stably_active").asInt());
            assertEquals(l.path("stably_dead").size(), a.path("stably_dead").asInt());
            assertEquals(l.path("unstable").asInt(), a.path("unstable").asInt());
        }
        JsonNode stableLayer = root.path("stable_submatrix").path("layers").get(1);
        assertEquals(ref.path("layers").get(1).path("stable_metrics").path("spectral_norm").asDouble(),
                stableLayer.path("metrics").path("spectral_norm").asDouble(), 1e-9);
        JsonNode e = root.path("execution");
        assertEquals("CPUExecutionProvider", e.path("provider").asText());
        assertTrue(e.has("device_id") && e.has("onnxruntime_version") && e.has("seconds"));
        assertEquals(60, e.path("examples").asInt());
        assertEquals(ref.path("accuracy").asDouble(), root.path("classification").path("accuracy").asDouble(), 1e-12);
        assertEquals("pytorch", root.path("model").path("producer").asText());
    }

    @Test
    void tableEndsWithTheExecutionLine() {
        CliRun.Result r = invariance("analyze", FIXTURES.resolve("softmax.onnx").toString(), "--data",
                FIXTURES.resolve("softmax.csv").toString(), "--label", "label");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Executed by ONNX Runtime"), r.out());
        assertTrue(r.out().contains("on CPUExecutionProvider: 60 examples"), r.out());
    }

    @Test
    void badDataIsExitTwoWithOneLine() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "f00,f01,f02,f03,f04,f05,label\n"
                + "1,2,3,4,5,6,cat\n1,2,3,4,five,6,dog\n1,2,3,4,5,6,eel\n");
        CliRun.Result r = invariance("analyze", FIXTURES.resolve("mlp_bias.onnx").toString(), "--data",
                bad.toString(), "--label", "label");
        assertEquals(2, r.code());
        oneLine(r.err());
        assertEquals("invariance analyze: error: " + bad + ": line 3, column 'f04' (5): 'five' is not a number",
                r.err().strip());

        Path narrow = Files.writeString(dir.resolve("narrow.csv"), "f00,f01,label\n1,2,a\n3,4,b\n5,6,c\n");
        r = invariance("analyze", FIXTURES.resolve("input3d.onnx").toString(), "--data", narrow.toString(),
                "--label", "label");
        assertEquals(2, r.code());
        oneLine(r.err());
        assertTrue(r.err().contains(narrow + ": line 1: 2 feature columns")
                && r.err().contains("takes 12 values per example (shape [N, 4, 3])"), r.err());

        Path empty = Files.writeString(dir.resolve("empty.csv"), "");
        r = invariance("analyze", FIXTURES.resolve("mlp_bias.onnx").toString(), "--data", empty.toString(),
                "--label", "label");
        assertEquals(2, r.code());
        oneLine(r.err());

        r = invariance("analyze", FIXTURES.resolve("mlp_bias.onnx").toString(), "--data",
                FIXTURES.resolve("mlp_bias.csv").toString(), "--label", "label", "--classes", "cat,dog,emu");
        assertEquals(2, r.code());
        oneLine(r.err());
        assertTrue(r.err().contains("unknown label 'eel' (the model's classes: cat, dog, emu)"), r.err());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"2147483647", "357913942"})
    void aBatchSizeBeyondTheMemoryBudgetIsOneLineBeforeAnythingIsRead(String n) {
        // 357913942 examples of 6 floats would wrap an int to 8 bytes; 2^31 - 1 overflows outright
        CliRun.Result r = invariance("analyze", FIXTURES.resolve("mlp_bias.onnx").toString(), "--data",
                FIXTURES.resolve("mlp_bias.csv").toString(), "--label", "label", "--batch-size", n);
        assertEquals(2, r.code(), r.err());
        oneLine(r.err());
        assertTrue(r.err().startsWith("invariance analyze: error: --batch-size " + n + ": a batch takes at least "),
                r.err());
        assertTrue(r.out().isEmpty());
    }

    @Test
    void withoutTheLabelEvaluationTheModelsOutputsAreNotRead() throws Exception {
        // mlp_bias has three output columns; data with two labels cannot be matched to them, which only the
        // LabelEvaluation needs (a model whose output is a hidden state, as GPT-2's, has no classes at all)
        List<String> lines = Files.readAllLines(FIXTURES.resolve("mlp_bias.csv"));
        StringBuilder two = new StringBuilder(lines.get(0)).append('\n');
        for (String line : lines.subList(1, lines.size())) {
            two.append(line.replaceAll(",[a-z]+$", line.endsWith("cat") ? ",cat" : ",dog")).append('\n');
        }
        Path csv = Files.writeString(dir.resolve("two.csv"), two);
        CliRun.Result r = invariance("analyze", FIXTURES.resolve("mlp_bias.onnx").toString(), "--data", csv.toString(),
                "--label", "label");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("has 3 columns but there are 2 classes"), r.err());
        r = invariance("analyze", FIXTURES.resolve("mlp_bias.onnx").toString(), "--data", csv.toString(),
                "--label", "label", "--no-label-evaluation");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("60 examples"), r.out());
    }

    @Test
    void cudaWithoutAProviderIsExitTwoAndAutoFallsBackWithANote() throws Exception {
        String model = FIXTURES.resolve("mlp_bias.onnx").toString();
        String csv = FIXTURES.resolve("mlp_bias.csv").toString();
        CliRun.Result r = invariance("analyze", model, "--data", csv, "--label", "label",
                "--device", "cuda:0");
        assertEquals(2, r.code());
        oneLine(r.err());
        assertTrue(r.err().startsWith("invariance analyze: error: --device cuda:0: ONNX Runtime cannot use the CUDA "
                + "execution provider: "), r.err());
        assertTrue(r.out().isEmpty());

        r = invariance("analyze", model, "--data", csv, "--label", "label", "--device", "auto", "--format", "json");
        assertEquals(0, r.code(), r.err());
        oneLine(r.err());
        assertTrue(r.err().startsWith("note: --device auto: ONNX Runtime cannot use the CUDA execution provider"), r.err());
        assertEquals("CPUExecutionProvider", new ObjectMapper().readTree(r.out()).path("execution").path("provider").asText());

        r = invariance("analyze", model, "--data", csv, "--label", "label", "--device", "tpu");
        assertEquals(2, r.code());
        oneLine(r.err());

        r = invariance("analyze", model, "--device", "cuda");
        assertEquals(2, r.code());
        oneLine(r.err());
        assertTrue(r.err().contains("run an ONNX model over --data; they do not apply here"), r.err());
    }

    @Test
    void aLinearModelAndItsOnnxExportGiveTheSameSvmComparison() throws Exception {
        // labels from a hyperplane through the origin: separable without a bias, as the SVM comparison needs
        Path csv = CliRun.hyperplaneCsv(dir.resolve("linear.csv"), 5, new double[] {1.0, -2.0, 0.5, 0.3}, 40);
        Path onnx = dir.resolve("lin.onnx");
        Path tribuo = dir.resolve("lin.tribuo");
        CliRun.Result train = invariance("train", "--data", csv.toString(), "--label", "label",
                "--hidden", "5,5", "--activation", "linear", "--no-bias", "--precision", "float32", "--steps", "500",
                "--init-scale", "0.3", "--output", onnx.toString(), "--tribuo-model", tribuo.toString());
        assertEquals(0, train.code(), train.err());
        Model<Label> model = AnalyzeCommand.loadModel(tribuo);
        InvarianceEvaluation memory = InvarianceEvaluator.create().evaluate(model, CsvDatasets.load(csv, "label"));
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < model.getOutputIDInfo().size(); i++) {
            classes.add(model.getOutputIDInfo().getOutput(i).getLabel());
        }
        OnnxDataEvaluation run = OnnxDataAnalyzer.create(WeightAnalyzer.create(),
                OnnxDataOptions.defaults().withClasses(classes)).analyze(OnnxModelReader.open(onnx), csv, "label", n -> { });
        DataAnalysis want = memory.getDataAnalysis();
        DataAnalysis got = run.evaluation().getDataAnalysis();
        assertNotNull(want);
        assertNotNull(got);
        assertNotNull(want.margin(), want.marginNote());
        assertNotNull(got.margin(), got.marginNote());
        // the same float32 weights and float32-rounded inputs on both sides; the SVM solver's own tolerance
        assertEquals(want.margin().cosine(), got.margin().cosine(), 1e-6);
        assertEquals(want.margin().normalisedMargin(), got.margin().normalisedMargin(), 1e-6);
        assertTrue(got.activations().isEmpty(), "no ReLU layer");
        assertNull(got.stable());
    }

    @Test
    void aTribuoModelAndItsOnnxExportGiveTheSameDataDependentFigures() throws Exception {
        Path csv = data();
        Path onnx = dir.resolve("m.onnx");
        Path tribuo = dir.resolve("m.tribuo");
        CliRun.Result train = invariance("train", "--data", csv.toString(), "--label", "label",
                "--hidden", "8,8", "--activation", "relu", "--skip", "--precision", "float32", "--steps", "300",
                "--output", onnx.toString(), "--tribuo-model", tribuo.toString());
        assertEquals(0, train.code(), train.err());

        // in memory: Tribuo's model, the evaluator's forward pass
        Model<Label> model = AnalyzeCommand.loadModel(tribuo);
        MutableDataset<Label> dataset = CsvDatasets.load(csv, "label");
        WeightAnalyzer analyzer = WeightAnalyzer.create();
        InvarianceEvaluation memory = InvarianceEvaluator.create(analyzer).evaluate(model, dataset);
        DataAnalysis expected = memory.getDataAnalysis();
        assertNotNull(expected);

        // the export, run by ONNX Runtime (class order: the model's output ids)
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < model.getOutputIDInfo().size(); i++) {
            classes.add(model.getOutputIDInfo().getOutput(i).getLabel());
        }
        OnnxDataEvaluation run = OnnxDataAnalyzer.create(analyzer, OnnxDataOptions.defaults().withClasses(classes))
                .analyze(OnnxModelReader.open(onnx), csv, "label", note -> { });
        DataAnalysis got = run.evaluation().getDataAnalysis();
        assertNotNull(got);

        assertEquals(expected.examples(), got.examples());
        assertEquals(expected.activations().size(), got.activations().size());
        int decided = 0;
        for (int i = 0; i < expected.activations().size(); i++) {
            LayerActivation want = expected.activations().get(i);
            LayerActivation have = got.activations().get(i);
            assertEquals(want.layer(), have.layer());
            assertEquals(want.stablyActive(), have.stablyActive(), "S of layer " + i);
            assertEquals(want.stablyDead(), have.stablyDead(), "Z of layer " + i);
            assertEquals(want.unstableCount(), have.unstableCount());
            decided += want.stablyActive().size() + want.stablyDead().size();
        }
        assertTrue(decided > 0, "the comparison sees stable units");

        StableSubmatrixMetrics ws = expected.stable();
        StableSubmatrixMetrics hs = got.stable();
        assertNotNull(ws);
        assertNotNull(hs);
        assertEquals(ws.layers().size(), hs.layers().size());
        for (int i = 0; i < ws.layers().size(); i++) {
            LayerMetrics a = ws.layers().get(i).metrics();
            LayerMetrics b = hs.layers().get(i).metrics();
            assertEquals(ws.layers().get(i).rows(), hs.layers().get(i).rows());
            assertEquals(ws.layers().get(i).columns(), hs.layers().get(i).columns());
            if (a == null) {
                assertNull(b);
                continue;
            }
            assertNotNull(b);
            // float32 weights on both sides (trained in float32, exported as float32): agreement to rounding
            assertEquals(a.spectralNorm(), b.spectralNorm(), 1e-9 * a.spectralNorm());
            assertEquals(a.stableRank(), b.stableRank(), 1e-9 * a.stableRank());
            assertEquals(a.effectiveRank(), b.effectiveRank(), 1e-9 * a.effectiveRank());
        }
        assertEquals(ws.pairs().size(), hs.pairs().size());
        for (int i = 0; i < ws.pairs().size(); i++) {
            PairMetrics a = ws.pairs().get(i).metrics();
            PairMetrics b = hs.pairs().get(i).metrics();
            assertEquals(ws.pairs().get(i).from(), hs.pairs().get(i).from());
            assertEquals(ws.pairs().get(i).to(), hs.pairs().get(i).to());
            if (a == null) {
                assertNull(b);
                continue;
            }
            assertNotNull(b);
            assertEquals(a.adjacentAlignment(), b.adjacentAlignment(), 1e-9);
            assertEquals(a.commutatorScore(), b.commutatorScore(), 1e-9);
        }
        assertNotNull(memory.getLabelEvaluation());
        assertNotNull(run.evaluation().getLabelEvaluation());
        assertEquals(memory.getLabelEvaluation().accuracy(), run.evaluation().getLabelEvaluation().accuracy(), 1e-12);
    }

    /**
     * Columns not in Tribuo's sorted-by-name feature order, and a first-seen label ("up", output id 0) that sorts
     * after the other: only the export's feature_names and class_names metadata give the right mapping.
     */
    private Path unsortedCsv() throws IOException {
        Random rng = new Random(5);
        StringBuilder sb = new StringBuilder("zeta,alpha,mid,label\n");
        for (int i = 0; i < 60; i++) {
            double z = rng.nextDouble() - 0.5;
            double a = rng.nextDouble() - 0.5;
            double m = rng.nextDouble() - 0.5;
            boolean up = i == 0 || 2.0 * z - a + 0.2 * m > 0;
            if (i == 0) {
                z = 0.5;
                a = -0.5;
            }
            sb.append(String.format(Locale.ROOT, "%.6f,%.6f,%.6f,%s%n", z, a, m, up ? "up" : "down"));
        }
        return Files.writeString(dir.resolve("unsorted.csv"), sb.toString());
    }

    /** Trains on {@code csv} and writes the export u.onnx and the Tribuo model u.tribuo. */
    private void trainUnsorted(Path csv) {
        CliRun.Result train = invariance("train", "--data", csv.toString(), "--label", "label",
                "--hidden", "6", "--activation", "relu", "--steps", "400", "--output", dir.resolve("u.onnx").toString(),
                "--tribuo-model", dir.resolve("u.tribuo").toString());
        assertEquals(0, train.code(), train.err());
    }

    @Test
    void ourExportIsReadInItsOwnFeatureAndClassOrderWithoutBeingTold() throws Exception {
        Path csv = unsortedCsv();
        Path onnx = dir.resolve("u.onnx");
        Path tribuo = dir.resolve("u.tribuo");
        trainUnsorted(csv);
        Model<Label> model = AnalyzeCommand.loadModel(tribuo);
        assertEquals("up", model.getOutputIDInfo().getOutput(0).getLabel(), "the first label seen has output id 0");
        MutableDataset<Label> dataset = CsvDatasets.load(csv, "label");
        InvarianceEvaluation memory = InvarianceEvaluator.create().evaluate(model, dataset);

        CliRun.Result r = invariance("analyze", onnx.toString(), "--data", csv.toString(), "--label",
                "label", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertTrue(memory.getLabelEvaluation() != null && memory.getLabelEvaluation().accuracy() > 0.8,
                "the model learned the data");
        assertSameFigures(memory, new ObjectMapper().readTree(r.out()));
    }

    /** The ONNX run's JSON has the in-memory evaluation's accuracy and activation pattern. */
    private static void assertSameFigures(InvarianceEvaluation memory, JsonNode root) {
        assertNotNull(memory.getLabelEvaluation());
        assertEquals(memory.getLabelEvaluation().accuracy(), root.path("classification").path("accuracy").asDouble(),
                1e-12);
        DataAnalysis expected = memory.getDataAnalysis();
        assertNotNull(expected);
        JsonNode acts = root.path("activations");
        assertEquals(expected.activations().size(), acts.size());
        for (int i = 0; i < acts.size(); i++) {
            assertEquals(expected.activations().get(i).stablyActive().size(), acts.get(i).path("stably_active").asInt());
            assertEquals(expected.activations().get(i).stablyDead().size(), acts.get(i).path("stably_dead").asInt());
        }
    }

    /**
     * The file of issue 19's "silently wrong" case: a byte-order mark, and the model's columns in another order
     * (the label among them). The export reads them by name: the figures are those of the file it was trained on.
     */
    @Test
    void ourExportReadsAFileWithAByteOrderMarkByColumnName() throws Exception {
        Path csv = unsortedCsv();
        trainUnsorted(csv);
        Model<Label> model = AnalyzeCommand.loadModel(dir.resolve("u.tribuo"));
        InvarianceEvaluation memory = InvarianceEvaluator.create().evaluate(model, CsvDatasets.load(csv, "label"));
        StringBuilder shuffled = new StringBuilder("\uFEFFmid,label,alpha,zeta\r\n");
        for (String line : Files.readAllLines(csv).subList(1, 61)) {
            String[] c = line.split(",");
            shuffled.append(c[2]).append(',').append(c[3]).append(',').append(c[1]).append(',').append(c[0]).append("\r\n");
        }
        Path bom = Files.writeString(dir.resolve("bom.csv"), shuffled.toString());
        CliRun.Result r = invariance("analyze", dir.resolve("u.onnx").toString(), "--data", bom.toString(), "--label",
                "label", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertSameFigures(memory, new ObjectMapper().readTree(r.out()));
    }

    @Test
    void ourExportNamesTheColumnsItNeedsAndWarnsOfColumnsItDoesNotUse() throws Exception {
        Path csv = unsortedCsv();
        trainUnsorted(csv);
        String onnx = dir.resolve("u.onnx").toString();
        List<String> lines = Files.readAllLines(csv);
        StringBuilder withoutMid = new StringBuilder();
        StringBuilder withId = new StringBuilder("id,");
        for (int i = 0; i < lines.size(); i++) {
            String[] c = lines.get(i).split(",");
            withoutMid.append(c[0]).append(',').append(c[1]).append(',').append(c[3]).append('\n');
            withId.append(i == 0 ? "" : "row " + i + ",").append(lines.get(i)).append('\n');
        }
        Path missing = Files.writeString(dir.resolve("missing.csv"), withoutMid.toString());
        CliRun.Result r = invariance("analyze", onnx, "--data", missing.toString(), "--label", "label");
        assertEquals(2, r.code(), r.err());
        assertEquals("invariance analyze: error: " + missing + ": line 1: missing column 'mid' that the model needs",
                r.err().strip());

        Path extra = Files.writeString(dir.resolve("extra.csv"), withId.toString());
        r = invariance("analyze", onnx, "--data", extra.toString(), "--label", "label", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals("warning: " + extra + ": ignoring column 'id' that the model does not use", r.err().strip());
        Model<Label> model = AnalyzeCommand.loadModel(dir.resolve("u.tribuo"));
        assertSameFigures(InvarianceEvaluator.create().evaluate(model, CsvDatasets.load(csv, "label")),
                new ObjectMapper().readTree(r.out()));
    }

    /** Issue 18's case: on an ONNX model a duplicate column name was an internal error (exit 1). */
    @Test
    void aDuplicateColumnNameIsBadDataWithExitTwo() throws Exception {
        Path dup = Files.writeString(dir.resolve("dup.csv"), "f00,f01,f02,f00,f04,f05,label\n"
                + "1,2,3,4,5,6,cat\n1,2,3,4,5,6,dog\n1,2,3,4,5,6,eel\n");
        CliRun.Result r = invariance("analyze", FIXTURES.resolve("mlp_bias.onnx").toString(), "--data", dup.toString(),
                "--label", "label");
        assertEquals(2, r.code(), r.err());
        assertEquals("invariance analyze: error: " + dup + ": line 1: duplicate column name 'f00' (1, 4) (each column"
                + " becomes one feature, so names must be unique)", r.err().strip());
    }
}
