package dev.invariance.cli;

import dev.invariance.analysis.AnalysisStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The progress bar (train, analyze, report) draws only when the stream it draws on, standard error, is a terminal, and
 * never with {@code --quiet}.
 */
class TerminalProgressTest {
    @TempDir
    Path dir;

    @Test
    void terminalDevicesAreTtysAndPseudoTerminals() {
        assertTrue(TerminalProgress.isTerminalDevice("/dev/pts/3"));
        assertTrue(TerminalProgress.isTerminalDevice("/dev/tty1"));
        assertFalse(TerminalProgress.isTerminalDevice("pipe:[40213]"));
        assertFalse(TerminalProgress.isTerminalDevice("/tmp/train.log"));
        assertFalse(TerminalProgress.isTerminalDevice("/dev/null"));
        assertFalse(TerminalProgress.isTerminalDevice("socket:[9]"));
    }

    @Test
    void aProgressLineThatDoesNotDrawIgnoresCheckpoints() {
        try (TerminalProgress p = new TerminalProgress("train", 10, false)) {
            assertFalse(p.isDrawing());
        }
    }

    private Path csv() throws IOException {
        Path csv = dir.resolve("data.csv");
        Random rng = new Random(3);
        StringBuilder sb = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 30; i++) {
            double a = rng.nextGaussian();
            double b = rng.nextGaussian();
            sb.append(String.format(Locale.ROOT, "%.5f,%.5f,%s%n", a, b, a - b > 0 ? "up" : "down"));
        }
        Files.writeString(csv, sb.toString());
        return csv;
    }

    /** {@code java -cp … InvarianceCommand train …} on a small CSV. */
    private List<String> trainCommand() throws IOException {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), InvarianceCommand.class.getName(), "train",
                "--data", csv().toString(), "--label", "label", "--hidden", "4", "--steps", "3000",
                "--output", dir.resolve("m.onnx").toString()));
    }

    private static String shellQuoted(List<String> words) {
        return String.join(" ", words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
    }

    /** Runs {@code shellCommand} under util-linux {@code script}, which gives it a pseudo-terminal; its transcript. */
    private String inPseudoTerminal(String shellCommand) throws IOException, InterruptedException {
        Path transcript = dir.resolve("transcript.txt");
        Process p = new ProcessBuilder("script", "-qec", shellCommand, "/dev/null")
                .redirectOutput(transcript.toFile()).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        assertEquals(0, p.exitValue(), Files.readString(transcript));
        return Files.readString(transcript);
    }

    private static boolean hasScript() {
        return Files.isExecutable(Path.of("/usr/bin/script")) && System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux");
    }

    @Test
    void theBytesAreCountedInAUnitThatShowsTheTotalAsAHundredOrMore() {
        assertEquals(1, TerminalProgress.byteUnit(0));
        assertEquals(1, TerminalProgress.byteUnit(312));
        assertEquals(1, TerminalProgress.byteUnit(102_399));
        assertEquals(1L << 10, TerminalProgress.byteUnit(102_400));
        assertEquals(1L << 20, TerminalProgress.byteUnit(13_200_000_000L / 100));
        assertEquals(1L << 30, TerminalProgress.byteUnit(13_200_000_000_000L));
    }

    @Test
    void theAnalysisLineCountsLayersAndPairs() {
        assertEquals("layers 12/225, pairs 0/224", TerminalProgress.analysisMessage(
                new AnalysisStatus(12, 225, 0, 224, 1, 2, Duration.ZERO)));
    }

    @Test
    void anAnalysisBarThatDoesNotDrawIgnoresUpdates() {
        try (TerminalProgress p = TerminalProgress.forAnalysis("analyze", false)) {
            p.onProgress(new AnalysisStatus(0, 3, 0, 3, 0, 312, Duration.ZERO));
            assertFalse(p.isDrawing());
        }
    }

    private static final String RESIDUAL = "src/test/resources/onnx/torch_residual.onnx";

    /** {@code java -cp … InvarianceCommand analyze …} on a small residual ONNX model. */
    private static List<String> analyzeCommand(String... more) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), InvarianceCommand.class.getName(), "analyze",
                Path.of(RESIDUAL).toAbsolutePath().toString(), "--format", "json"));
        command.addAll(List.of(more));
        return command;
    }

    @Test
    void inProcessWithCapturedStreamsAnalyzePrintsNoProgress() {
        CliRun.Result r = CliRun.invariance("analyze", RESIDUAL);
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
    }

    @Test
    void analyzeWithStandardErrorInAFileWritesNothingThere() throws IOException, InterruptedException {
        Path log = dir.resolve("err.log");
        Process p = new ProcessBuilder(analyzeCommand()).redirectError(log.toFile())
                .redirectOutput(dir.resolve("out.json").toFile()).redirectInput(new File("/dev/null")).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "analyze finished");
        assertEquals(0, p.exitValue(), Files.readString(log));
        assertEquals("", Files.readString(log), "no progress on a file");
    }

    @Test
    void onATerminalAnalyzeDrawsItsBarOnStandardErrorAndTheJsonIsByteIdentical()
            throws IOException, InterruptedException {
        assumeTrue(hasScript(), "needs util-linux script for a pseudo-terminal");
        Path piped = dir.resolve("piped.json");
        Process p = new ProcessBuilder(analyzeCommand()).redirectError(dir.resolve("err.log").toFile())
                .redirectOutput(piped.toFile()).redirectInput(new File("/dev/null")).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "analyze finished");
        Path shown = dir.resolve("terminal.json");
        String transcript = inPseudoTerminal(shellQuoted(analyzeCommand()) + " >" + shellQuoted(List.of(shown.toString())));
        // the bar's last frame: the task, 100 %, the weights read of their total, elapsed / remaining, the counts
        assertTrue(transcript.matches("(?s).*\\ranalyze 100% \\[=+\\] 312/312 B \\(\\d+:\\d\\d:\\d\\d / \\d+:\\d\\d:\\d\\d\\) "
                + "layers 3/3, pairs 3/3\\s*"), "progress frames: " + transcript);
        assertFalse(transcript.contains("\u001b"), "no terminal escape, only carriage returns: " + transcript);
        // byte for byte, but for the provenance's times of this run (the same in two runs without a terminal)
        assertEquals(withoutRunTimes(Files.readString(piped)), withoutRunTimes(Files.readString(shown)),
                "the JSON does not depend on the bar");
    }

    /** The JSON with every ISO-8601 instant (the provenance's run times) replaced by {@code TIME}. */
    private static String withoutRunTimes(String json) {
        return json.replaceAll("\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z\"", "\"TIME\"");
    }

    @Test
    void quietDrawsNoBarEvenOnATerminal() throws IOException, InterruptedException {
        assumeTrue(hasScript(), "needs util-linux script for a pseudo-terminal");
        String analyze = inPseudoTerminal(shellQuoted(analyzeCommand("--quiet")) + " >"
                + shellQuoted(List.of(dir.resolve("out.json").toString())));
        assertEquals("", analyze, "nothing on the terminal");
        List<String> train = trainCommand();
        train.add("--quiet");
        String trained = inPseudoTerminal(shellQuoted(train) + " >" + shellQuoted(List.of(dir.resolve("out.txt").toString())));
        assertEquals("", trained, "nothing on the terminal");
        assertTrue(Files.readString(dir.resolve("out.txt")).contains("trained DeepNetModel"));
    }

    @Test
    void onATerminalTheBarIsDrawnOnStandardError() throws IOException, InterruptedException {
        assumeTrue(hasScript(), "needs util-linux script for a pseudo-terminal");
        String transcript = inPseudoTerminal(shellQuoted(trainCommand()) + " >" + shellQuoted(List.of(dir.resolve("out.txt").toString())));
        assertTrue(transcript.contains("3000/3000") && transcript.contains("loss"), "progress frames: " + transcript);
    }

    @Test
    void standardErrorRedirectedToAFileWhileStandardOutputIsATerminalGetsNoFrames()
            throws IOException, InterruptedException {
        assumeTrue(hasScript(), "needs util-linux script for a pseudo-terminal");
        Path log = dir.resolve("err.log");
        String transcript = inPseudoTerminal(shellQuoted(trainCommand()) + " 2>" + shellQuoted(List.of(log.toString())));
        assertTrue(transcript.contains("trained DeepNetModel"), transcript);
        assertFalse(Files.readString(log).contains("\r"), "no progress frames in the log: " + Files.readString(log));
    }

    @Test
    void standardErrorRedirectedToAFileGetsNoCarriageReturnFrames() throws IOException, InterruptedException {
        Path log = dir.resolve("err.log");
        List<String> command = trainCommand();
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectInput(new File("/dev/null")).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "train finished");
        assertEquals(0, p.exitValue(), Files.readString(log) + Files.readString(dir.resolve("out.txt")));
        assertFalse(Files.readString(log).contains("\r"), "no progress frames in " + log);
        assertTrue(Files.readString(dir.resolve("out.txt")).contains("trained DeepNetModel"));
    }
}
