package dev.invariance.cli;

import dev.invariance.cli.CliRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainCommandTest {
    private static final String CLASSIFICATION = "Classification (Tribuo&#39;s LabelEvaluation on the data)";
    @TempDir
    Path dir;

    private Path separableCsv() throws IOException {
        return CliRun.hyperplaneCsv(dir.resolve("data.csv"), 4, new double[] {1.0, -2.0, 0.5, 0.3}, 50);
    }

    static String digest(String out) {
        Matcher m = Pattern.compile("weights sha256 ([0-9a-f]{64})").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    @Test
    void trainWritesOnnxTribuoAndProvenanceAndReplayGivesIdenticalWeights() throws IOException {
        Path csv = separableCsv();
        Result first = invariance("train", "--data", csv.toString(), "--label", "label", "--hidden", "6,6",
                "--activation", "relu,linear", "--optimizer", "sgd", "--batch-size", "8", "--epochs", "20",
                "--output", dir.resolve("m.onnx").toString(), "--tribuo-model", dir.resolve("m.tribuo").toString(),
                "--provenance", dir.resolve("prov.json").toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(Files.size(dir.resolve("m.onnx")) > 0 && Files.size(dir.resolve("m.tribuo")) > 0);
        Result replay = invariance("train", "--from-provenance", dir.resolve("prov.json").toString(),
                "--output", dir.resolve("again.onnx").toString());
        assertEquals(0, replay.code(), replay.err());
        assertEquals(digest(first.out()), digest(replay.out()), "bit-identical weights");
    }

    private void assertBadInput(String expectedFragment, String... args) {
        Result r = invariance(args);
        assertEquals(2, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertFalse(err.contains("Exception") && err.contains("\tat "), "no stack trace");
        assertTrue(err.contains(expectedFragment), err);
    }

    @Test
    void badInputsGetOneLineAndExitCodeTwo() throws IOException {
        Path out = dir.resolve("x.onnx");
        Path csv = separableCsv();
        assertBadInput("missing.csv: no such file", "train", "--data", dir.resolve("missing.csv").toString(),
                "--label", "label", "--output", out.toString());
        assertBadInput("no column 'nope'", "train", "--data", csv.toString(), "--label", "nope", "--output", out.toString());
        Files.writeString(dir.resolve("text.csv"), "a,label\n1,x\nhello,y\n");
        assertBadInput("line 3, column 'a' (1): 'hello' is not a number", "train", "--data", dir.resolve("text.csv").toString(),
                "--label", "label", "--output", out.toString());
        Files.writeString(dir.resolve("single.csv"), "a,label\n1,x\n2,x\n");
        assertBadInput("single class", "train", "--data", dir.resolve("single.csv").toString(), "--label", "label",
                "--output", out.toString());
        Files.writeString(dir.resolve("empty.csv"), "");
        assertBadInput("empty file", "train", "--data", dir.resolve("empty.csv").toString(), "--label", "label",
                "--output", out.toString());
        assertBadInput("unknown activation", "train", "--data", csv.toString(), "--label", "label", "--activation", "tanh",
                "--output", out.toString());
        assertBadInput("mutually exclusive", "train", "--data", csv.toString(), "--label", "label", "--steps", "3",
                "--epochs", "2", "--output", out.toString());
        assertFalse(Files.exists(out), "a failed run writes nothing");
    }

    @Test
    void reportWritesTheTrainedModelsReportWithEveryMetricOverTheTrainingSteps() throws IOException {
        Path csv = separableCsv();
        Path report = dir.resolve("r.html");
        Result r = invariance("train", "--data", csv.toString(), "--label", "label", "--hidden", "4,4", "--no-bias",
                "--steps", "200", "--trace-every", "20", "--output", dir.resolve("m.onnx").toString(), "--report",
                report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().endsWith("wrote " + report + "\n"), r.out());
        String html = Files.readString(report);
        assertTrue(html.contains("During training (steps 0 to 200)"), "the conclusion reads the trace");
        for (String plot : List.of("Training loss", "Rank-1 ratio during training", "Top alignment during training")) {
            assertTrue(html.contains(plot), plot);
        }
        assertTrue(html.contains(CLASSIFICATION), "evaluated on the training data");

        Path other = dir.resolve("other.html");
        assertBadInput("--trace-every applies to --report", "train", "--data", csv.toString(), "--label", "label",
                "--trace-every", "5", "--output", dir.resolve("x.onnx").toString());
        assertBadInput("--trace-every must be positive", "train", "--data", csv.toString(), "--label", "label",
                "--trace-every", "-5", "--report", other.toString(), "--output", dir.resolve("x.onnx").toString());
        assertBadInput("the same file as --output", "train", "--data", csv.toString(), "--label", "label",
                "--report", dir.resolve("x.onnx").toString(), "--output", dir.resolve("x.onnx").toString());
        assertFalse(Files.exists(other), "a refused run writes no report");
    }

    @Test
    void theRootFolderAsOutputIsRefusedAsAFolder() throws IOException {
        Path csv = separableCsv();
        Path root = dir.getRoot();
        assertBadInput(root + ": is a folder, expected a file name", "train", "--data", csv.toString(), "--label",
                "label", "--output", root.toString());
        assertBadInput(root + ": is a folder, expected a file name", "train", "--data", csv.toString(), "--label",
                "label", "--output", dir.resolve("m.onnx").toString(), "--tribuo-model", root.toString());
    }

    @Test
    void standardizeTrainsRawWineAndReplaysBitForBit() throws IOException {
        Path wine = Path.of("../tribuo-invariance/src/test/resources/fixtures/sklearn/wine.csv");
        Result raw = invariance("train", "--data", wine.toString(), "--label", "label",
                "--output", dir.resolve("raw.onnx").toString());
        assertEquals(1, raw.code(), raw.out());
        assertTrue(raw.err().contains("standardise the features (--standardize)"), raw.err());
        Result first = invariance("train", "--data", wine.toString(), "--label", "label", "--standardize",
                "--output", dir.resolve("w.onnx").toString(), "--provenance", dir.resolve("prov.json").toString());
        assertEquals(0, first.code(), first.err());
        Matcher acc = Pattern.compile("training accuracy ([0-9.]+)").matcher(first.out());
        assertTrue(acc.find() && Double.parseDouble(acc.group(1)) >= 0.95, first.out());
        assertTrue(first.out().contains("final loss (training set)"), first.out());
        Result replay = invariance("train", "--from-provenance", dir.resolve("prov.json").toString(),
                "--output", dir.resolve("again.onnx").toString());
        assertEquals(0, replay.code(), replay.err());
        assertEquals(digest(first.out()), digest(replay.out()), "bit-identical weights with standardisation");
    }

    @Test
    void fromProvenanceRefusesTrainerOptionsAndLossesSayWhatTheyMeasure() throws IOException {
        Path csv = separableCsv();
        Result first = invariance("train", "--data", csv.toString(), "--label", "label", "--optimizer", "adam",
                "--epochs", "2", "--output", dir.resolve("m.onnx").toString(), "--provenance", dir.resolve("p.json").toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("final loss (training set)"), first.out());
        Result replay = invariance("train", "--verbose", "--from-provenance", dir.resolve("p.json").toString(),
                "--output", dir.resolve("r.onnx").toString());
        assertEquals(0, replay.code(), replay.err());
        assertTrue(replay.out().contains("last minibatch loss"), replay.out());
        assertBadInput("do not give --hidden, --steps", "train", "--from-provenance", dir.resolve("p.json").toString(),
                "--hidden", "4", "--steps", "5", "--output", dir.resolve("x.onnx").toString());
    }

    @Test
    void duplicateColumnNamesAreRefused() throws IOException {
        Files.writeString(dir.resolve("dup.csv"), "a,a,label\n1,2,x\n3,4,y\n");
        assertBadInput("dup.csv: line 1: duplicate column name 'a'", "train", "--data", dir.resolve("dup.csv").toString(),
                "--label", "label", "--output", dir.resolve("x.onnx").toString());
    }

    @Test
    void outputFilesFollowTheUmask() throws IOException {
        Path csv = separableCsv();
        Result r = invariance("train", "--data", csv.toString(), "--label", "label", "--steps", "2",
                "--output", dir.resolve("m.onnx").toString());
        assertEquals(0, r.code(), r.err());
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(dir.resolve("m.onnx"));
        // a file created the ordinary way in the same folder gets the umask's permissions
        Path reference = Files.createFile(dir.resolve("reference"));
        assertEquals(Files.getPosixFilePermissions(reference), perms);
    }

    /** Collects what reaches the handlers of java.util.logging from Tribuo and OLCUT. */
    private static final class Collect extends java.util.logging.Handler {
        final List<String> records = new java.util.ArrayList<>();

        @Override
        public void publish(java.util.logging.LogRecord r) {
            if (r.getLoggerName() != null && (r.getLoggerName().startsWith("org.tribuo")
                    || r.getLoggerName().startsWith("com.oracle.labs"))) {
                records.add(r.getLevel() + " " + r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /**
     * A trailing blank line makes Tribuo's CSV reader warn when a provenance replay reads the file through Tribuo's
     * CSV data source: quiet unless --verbose.
     */
    @Test
    void libraryLoggingIsQuietUnlessVerbose() throws IOException {
        Path csv = separableCsv();
        Files.writeString(csv, Files.readString(csv) + "\n\n");
        Result trained = invariance("train", "--data", csv.toString(), "--label", "label", "--steps", "2",
                "--output", dir.resolve("m.onnx").toString(), "--provenance", dir.resolve("p.json").toString());
        assertEquals(0, trained.code(), trained.err());
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        Collect quiet = new Collect();
        root.addHandler(quiet);
        try {
            Result r = invariance("train", "--from-provenance", dir.resolve("p.json").toString(),
                    "--output", dir.resolve("q.onnx").toString());
            assertEquals(0, r.code(), r.err());
        } finally {
            root.removeHandler(quiet);
        }
        assertEquals(List.of(), quiet.records);
        Collect verbose = new Collect();
        root.addHandler(verbose);
        try {
            Result r = invariance("train", "--verbose", "--from-provenance", dir.resolve("p.json").toString(),
                    "--output", dir.resolve("v.onnx").toString());
            assertEquals(0, r.code(), r.err());
        } finally {
            root.removeHandler(verbose);
        }
        assertFalse(verbose.records.isEmpty(), "--verbose shows Tribuo's messages");
    }

    @Test
    void demoRefusesANegativeStepCountInItsOwnWords() {
        Result r = invariance("demo", "--steps", "-1", "--output", dir.resolve("demo").toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--steps must be at least 1, got -1"), r.err());
        assertFalse(r.err().contains("epochs"), r.err());
    }

    /** scikit-learn's four data sets as raw CSV: --standardize with the command line's defaults otherwise. */
    @Test
    void theFourScikitLearnDataSetsTrainFromRawCsvWithStandardize() throws IOException {
        for (String name : List.of("iris", "wine", "breast_cancer", "digits")) {
            Path csv = Path.of("../tribuo-invariance/src/test/resources/fixtures/sklearn/" + name + ".csv");
            Result r = invariance("train", "--data", csv.toString(), "--label", "label", "--standardize",
                    "--output", dir.resolve(name + ".onnx").toString());
            assertEquals(0, r.code(), r.err());
            Matcher acc = Pattern.compile("training accuracy ([0-9.]+)").matcher(r.out());
            assertTrue(acc.find() && Double.parseDouble(acc.group(1)) >= 0.95, name + ": " + r.out());
        }
    }
}
