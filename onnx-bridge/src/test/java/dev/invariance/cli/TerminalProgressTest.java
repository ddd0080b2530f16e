package dev.invariance.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The progress bar draws only when the stream it draws on, standard error, is a terminal. */
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
