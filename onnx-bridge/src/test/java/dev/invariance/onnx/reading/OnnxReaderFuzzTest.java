package dev.invariance.onnx.reading;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.invariance.analysis.AnalysisOptions;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.InsufficientMemoryException;
import dev.invariance.analysis.SpectrumMode;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkDescription;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ONNX reader on arbitrary bytes: it either reads the model (every layer loads, the description is consistent,
 * every layer has a name of its own) or refuses it with {@link InvalidModelException}; any other exception, an error
 * or running out of memory is a bug.
 * <p>
 * The analysis on the same bytes ({@link #analysisRefusesOnlyWithItsOwnExceptions}) runs every model the reader
 * accepts through {@link WeightAnalyzer} in both spectrum modes: it reports every layer and edge or refuses with
 * {@link InvalidModelException} (weights seen to be invalid when read) or {@link InsufficientMemoryException} (the
 * memory plan), within {@link #ANALYSIS_SECONDS} per input.
 * <p>
 * Under {@code mvn test} the committed inputs in {@code src/test/resources/dev/invariance/onnx/OnnxReaderFuzzTestInputs}
 * (valid fixtures and earlier findings) run as regression tests. With {@code JAZZER_FUZZ=1} Jazzer mutates them in a
 * campaign; docs/fuzzing.md records the command and the outcome.
 */
class OnnxReaderFuzzTest {
    /**
     * The folder the fuzzed model "lives" in: it holds the external data file of the external_mlp fixture (a seed),
     * so mutated locations, offsets and lengths exercise the external-data checks and reads.
     */
    private static final Path FOLDER = folder();

    private static Path folder() {
        try {
            Path dir = Files.createTempDirectory("onnx-fuzz").toRealPath();
            try (InputStream in = OnnxReaderFuzzTest.class.getResourceAsStream("/onnx/external_mlp.data")) {
                Files.copy(in, dir.resolve("external_mlp.data"));
            }
            dir.toFile().deleteOnExit();
            dir.resolve("external_mlp.data").toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_200_000)
    void readerRefusesOnlyWithInvalidModelException(byte[] data) {
        OnnxModel model = readOrNull(data);
        if (model == null) {
            return;
        }
        try (model) {
            NetworkDescription network = model.readAll();
            for (DenseLayer layer : network.layers()) {
                if (layer.weights().getRows() != layer.outline().outputWidth()) {
                    throw new AssertionError("outline and weights disagree for " + layer.name());
                }
            }
            if (model.bindings().size() != network.depth() || model.outline().layers().size() != network.depth()) {
                throw new AssertionError("bindings, outline and layers disagree");
            }
            // a method reference, not a lambda: a lambda's synthetic method would take a LayerOutline, and JUnit's
            // look at this class's methods would load that record before Jazzer's agent, which then retransforms it;
            // retransforming a record with a type annotation (@Nullable) breaks its fields (JDK-8376185:
            // NoSuchFieldError on every input of a campaign)
            if (model.outline().layers().stream().map(LayerOutline::name).distinct().count() != network.depth()) {
                throw new AssertionError("two layers have the same name");
            }
        } catch (InvalidModelException refused) {
            // a weight that is only seen to be invalid when read (NaN, infinity)
        }
    }

    /** The time one input's analysis may take (the seeds take well under a second each). */
    static final int ANALYSIS_SECONDS = 30;

    @FuzzTest(maxDuration = "9m", maxExecutions = 200_000)
    void analysisRefusesOnlyWithItsOwnExceptions(byte[] data) {
        OnnxModel model = readOrNull(data);
        if (model == null) {
            return;
        }
        long start = System.nanoTime();
        try (model) {
            for (SpectrumMode mode : SpectrumMode.values()) {
                AnalysisReport report = WeightAnalyzer.create(AnalysisOptions.builder().spectrum(mode).build())
                        .analyze(model);
                if (report.layers().size() != model.outline().layers().size()
                        || report.edges().size() != model.outline().edges().size()) {
                    throw new AssertionError("the report lost a layer or an edge in " + mode + " mode");
                }
            }
        } catch (InvalidModelException | InsufficientMemoryException refused) {
            checkOneLine(refused);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (seconds > ANALYSIS_SECONDS) {
            throw new AssertionError("the analysis took " + seconds + " s");
        }
    }

    /** The model the reader makes of {@code data}, or null when it refuses it (the one refusal allowed). */
    private static @org.jspecify.annotations.Nullable OnnxModel readOrNull(byte[] data) {
        try {
            return OnnxModelReader.read("fuzz.onnx", FOLDER, data);
        } catch (InvalidModelException refused) {
            checkOneLine(refused);
            return null;
        }
    }

    /** A refusal's message is one line without control characters (names from the file are escaped in it). */
    private static void checkOneLine(RuntimeException refused) {
        String m = refused.getMessage();
        if (m == null || m.chars().anyMatch(Character::isISOControl)) {
            throw new AssertionError("a refusal is one line without control characters: " + m);
        }
    }
}
