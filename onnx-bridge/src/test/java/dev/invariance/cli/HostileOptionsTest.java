package dev.invariance.cli;

import dev.invariance.cli.CliRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Options as untrusted input: the findings of {@link CommandLineFuzzTest}, each refused in one line with exit code 2
 * before anything of the size it asks for is allocated, read or overwritten.
 */
class HostileOptionsTest {
    private static final Path ORT_FIXTURES = Path.of("src/test/resources/fixtures/ort");

    @TempDir
    Path dir;

    private Path csv() throws IOException {
        return CliRun.hyperplaneCsv(dir.resolve("data.csv"), 3, new double[] {1.0, -2.0, 0.5}, 20);
    }

    /** Exit code 2 with one line holding {@code fragment}, no stack trace, nothing on standard output. */
    private static Result refused(String fragment, String... args) {
        Result r = invariance(args);
        assertEquals(InvarianceCommand.BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(r.err().contains(fragment), r.err());
        assertTrue(r.out().isEmpty(), r.out());
        return r;
    }

    @Test
    void anArgumentStartingWithAnAtSignIsAnArgumentNotAFileOfArguments() throws IOException {
        // picocli would read the file's lines as arguments: here --help; @/dev/zero would be read for ever
        Path arguments = Files.writeString(dir.resolve("arguments"), "--help\n");
        refused("@" + arguments + ": no such file", "analyze", "@" + arguments);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2147483647", "46341,46341", "100000000", "65536,65536"})
    void widthsWhoseTrainingTheHeapCannotHoldAreRefusedBeforeTraining(String hidden) throws IOException {
        // 2^31 - 1 units, a 46341 x 46341 layer (more than 2^31 weights), 10^8 units, 65536^2 (an index past int)
        Path out = dir.resolve("m.onnx");
        refused("--hidden " + hidden + ": ", "train", "--data", csv().toString(), "--label", "label", "--hidden",
                hidden, "--optimizer", "adam", "--output", out.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void aClassNamedTwiceOrEmptyInClassesIsABadOption() {
        String[] run = {"analyze", ORT_FIXTURES.resolve("mlp_bias.onnx").toString(), "--data",
                ORT_FIXTURES.resolve("mlp_bias.csv").toString(), "--label", "label", "--classes"};
        refused("--classes cat,cat,dog: class 'cat' is named twice", concat(run, "cat,cat,dog"));
        refused("--classes cat,,dog: an empty class name", concat(run, "cat,,dog"));
    }

    @Test
    void twoOutputsNamingOneFileAreRefused() throws IOException {
        Path out = dir.resolve("m.onnx");
        Path again = dir.resolve("./m.onnx");
        refused("--tribuo-model " + again + ": the same file as --output", "train", "--data", csv().toString(),
                "--label", "label", "--steps", "3", "--output", out.toString(), "--tribuo-model", again.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void anOutputNamingTheDataIsRefusedAndTheDataKept() throws IOException {
        Path data = csv();
        byte[] before = Files.readAllBytes(data);
        refused("--provenance " + data + ": the same file as --data", "train", "--data", data.toString(),
                "--label", "label", "--steps", "3", "--output", dir.resolve("m.onnx").toString(), "--provenance",
                data.toString());
        assertArrayEquals(before, Files.readAllBytes(data));
    }

    @Test
    void anOutputThatIsAPipeIsRefusedNotReplaced() throws IOException, InterruptedException {
        // the output is renamed over its target: as root, --output /dev/null would replace the device with a file
        Path pipe = dir.resolve("pipe.onnx");
        assumeTrue(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0, "mkfifo is available");
        refused(pipe + ": not a regular file", "train", "--data", csv().toString(), "--label", "label", "--steps",
                "3", "--output", pipe.toString());
        assertTrue(Files.exists(pipe) && !Files.isRegularFile(pipe), "still a pipe");
    }

    @Test
    void aProvenanceFileLargerThanAnyProvenanceIsRefusedBeforeItIsRead() throws IOException {
        Path big = dir.resolve("big.json");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(TrainCommand.provenanceLimit() + 1); // sparse: nothing is written
        }
        refused(big + ": " + (TrainCommand.provenanceLimit() + 1) + " bytes, more than a provenance JSON file holds",
                "train", "--from-provenance", big.toString(), "--output", dir.resolve("m.onnx").toString());
    }

    @Test
    void aLineFeedInAValueIsShownEscapedWithTheCauseAfterIt() throws IOException {
        refused("Unknown option: '--steps\\nx'", "train", "--output", dir.resolve("m.onnx").toString(), "--steps\nx");
        Path folder = Files.createDirectories(dir.resolve("a\nb"));
        refused(dir + "/a\\nb: is a folder, expected a file name", "train", "--data", csv().toString(), "--label",
                "label", "--output", folder.toString());
    }

    private static String[] concat(String[] head, String last) {
        String[] all = java.util.Arrays.copyOf(head, head.length + 1);
        all[head.length] = last;
        return all;
    }
}
