package dev.invariance.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.jspecify.annotations.Nullable;

import java.io.ByteArrayInputStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The CSV reader on arbitrary bytes, read as both paths read it: in file order as doubles (training and the in-memory
 * analyzer) and for a model that names its features {@code b} and {@code a}, as float32 with the labels checked
 * against the classes {@code x} and {@code y} (the ONNX Runtime path). Either the file is read or it is refused with
 * {@link InvalidDataException} whose message, like every warning, is one line without control characters naming the
 * file; any other exception, an {@code Error} (out of memory, stack overflow), or an input that takes more than
 * {@link #TIME_BOUND_NANOS} is a bug. The record limit is lowered to {@link #LIMITS} (4,096 characters, 64 columns)
 * so that short inputs reach it.
 * <p>
 * Under {@code mvn test} the committed inputs in
 * {@code src/test/resources/dev/invariance/data/CsvExampleReaderFuzzTestInputs} (the cases of issues 18 and 19 as
 * seeds, and any findings) run as regression tests. With {@code JAZZER_FUZZ=1} Jazzer mutates them in a campaign;
 * docs/fuzzing.md records the command and the outcome.
 */
class CsvExampleReaderFuzzTest {
    static final CsvLimits LIMITS = new CsvLimits(4096, 64, 0);
    static final long TIME_BOUND_NANOS = 2_000_000_000L;
    private static final String SOURCE = "fuzz.csv";

    @FuzzTest(maxDuration = "1h", maxExecutions = 2_000_000)
    void readerRefusesOnlyWithInvalidDataException(byte[] data) {
        long start = System.nanoTime();
        readInFileOrder(data);
        readForAModel(data);
        long elapsed = System.nanoTime() - start;
        if (elapsed > TIME_BOUND_NANOS) {
            throw new AssertionError("reading " + data.length + " bytes took " + elapsed / 1_000_000 + " ms");
        }
    }

    private static void readInFileOrder(byte[] data) {
        try (CsvExampleReader reader = open(data, null, CsvExampleReaderFuzzTest::checkLine)) {
            int features = reader.getFeatureColumns().size();
            while (reader.next()) {
                reader.label();
                for (int f = 0; f < features; f++) {
                    if (!Double.isFinite(reader.value(f))) {
                        throw new AssertionError("a value that is not finite was read");
                    }
                }
            }
        } catch (InvalidDataException refused) {
            checkLine(refused.getMessage());
        }
    }

    private static void readForAModel(byte[] data) {
        List<String> messages = new ArrayList<>();
        try (CsvExampleReader reader = open(data, List.of("b", "a"), messages::add)) {
            FloatBuffer values = FloatBuffer.allocate(2 * 16);
            List<String> labels = new ArrayList<>();
            while (true) {
                values.clear();
                labels.clear();
                int rows = reader.read(values, 16, labels, Set.of("x", "y"));
                if (rows == 0) {
                    break;
                }
                if (values.position() != 2 * rows || labels.size() != rows) {
                    throw new AssertionError(rows + " rows gave " + values.position() + " values");
                }
                for (int i = 0; i < values.position(); i++) {
                    if (!Float.isFinite(values.get(i))) {
                        throw new AssertionError("a value that is not finite in float32 was read");
                    }
                }
            }
        } catch (InvalidDataException refused) {
            checkLine(refused.getMessage());
        }
        messages.forEach(CsvExampleReaderFuzzTest::checkLine);
    }

    private static CsvExampleReader open(byte[] data, @Nullable List<String> features, Consumer<String> warnings) {
        return CsvExampleReader.open(SOURCE, new ByteArrayInputStream(data), "label", features, LIMITS, warnings);
    }

    /** A message names the file and is one line a terminal shows as it is: no control characters. */
    private static void checkLine(String message) {
        if (!message.startsWith(SOURCE + ": ")) {
            throw new AssertionError("does not name the file: " + message);
        }
        for (int i = 0; i < message.length(); i++) {
            if (Character.isISOControl(message.charAt(i))) {
                throw new AssertionError("control character " + (int) message.charAt(i) + " in: " + message);
            }
        }
    }
}
