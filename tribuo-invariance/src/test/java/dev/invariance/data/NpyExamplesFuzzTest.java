package dev.invariance.data;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The reader of {@code .npy} example folders on arbitrary bytes: each input is a folder's only example, {@code x.npy},
 * named by a labels file; its header is read and its values are read as float32 (a float input) and as int64 (a token
 * input) into buffers of {@link #ROOM} values, as {@code analyze --data FOLDER} reads them. Either the values are read
 * (finite, in the type read) or the file is refused with {@link InvalidDataException} whose message is one line
 * naming the file, free of control characters; any other exception, an {@code Error} (out of memory, stack overflow)
 * or an input that takes more than {@link #TIME_BOUND_NANOS} is a bug.
 * <p>
 * Under {@code mvn test} the committed inputs in
 * {@code src/test/resources/dev/invariance/data/NpyExamplesFuzzTestInputs} (written by make_npy_fuzz_seeds.py: valid
 * files of every accepted type and format version, and hostile headers) run as regression tests; with
 * {@code JAZZER_FUZZ=1} Jazzer mutates them in a campaign (docs/fuzzing.md).
 */
class NpyExamplesFuzzTest {
    static final int ROOM = 64;
    static final long TIME_BOUND_NANOS = 2_000_000_000L;

    @FuzzTest(maxDuration = "1h", maxExecutions = 1_000_000)
    void readerRefusesOnlyWithInvalidDataException(byte[] data) throws IOException {
        Path folder = Files.createTempDirectory("npy-fuzz");
        try {
            Path file = Files.write(folder.resolve("x.npy"), data);
            Path labels = Files.writeString(folder.resolve("labels.csv"), "file,label\nx.npy,a\n");
            long start = System.nanoTime();
            read(folder, labels, file, true);
            read(folder, labels, file, false);
            long elapsed = System.nanoTime() - start;
            if (elapsed > TIME_BOUND_NANOS) {
                throw new AssertionError("reading " + data.length + " bytes took " + elapsed / 1_000_000 + " ms");
            }
        } finally {
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).forEach(NpyExamplesFuzzTest::delete);
            }
        }
    }

    private static void read(Path folder, Path labels, Path file, boolean floats) {
        try (NpyExamples examples = NpyExamples.open(folder, labels, "label")) {
            if (!examples.next()) {
                throw new AssertionError("the labels file names one example");
            }
            if (floats) {
                FloatBuffer values = FloatBuffer.allocate(ROOM);
                examples.read(values);
                for (int i = 0; i < values.position(); i++) {
                    if (!Float.isFinite(values.get(i))) {
                        throw new AssertionError("a value that is not finite in float32 was read");
                    }
                }
            } else {
                examples.read(LongBuffer.allocate(ROOM));
            }
        } catch (InvalidDataException refused) {
            checkLine(refused.getMessage(), file.toString());
        }
    }

    /** A message names the file and is one line a terminal shows as it is: no control characters. */
    private static void checkLine(String message, String file) {
        if (!message.startsWith(file + ": ")) {
            throw new AssertionError("does not name the file: " + message);
        }
        for (int i = 0; i < message.length(); i++) {
            if (Character.isISOControl(message.charAt(i))) {
                throw new AssertionError("control character " + (int) message.charAt(i) + " in: " + message);
            }
        }
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
