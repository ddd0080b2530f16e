package dev.invariance.onnx.reading;

import dev.invariance.compression.RankChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-pass write (a layer's factors written as it is done) against ranks chosen first and written after. */
class OnnxCompressorTest {
    private static final Path EXTERNAL = Path.of("src/test/resources/fixtures/compress/linear_external.onnx");

    @TempDir
    Path dir;

    @Test
    void onePassWriteEqualsRanksThenWriteWithExternalData() throws Exception {
        RankChoice choice = RankChoice.energy(0.9);
        Path streamed = dir.resolve("streamed.onnx");
        Path twoStep = dir.resolve("two-step.onnx");
        OnnxCompression a;
        OnnxCompression b;
        try (OnnxCompressor c = OnnxCompressor.open(EXTERNAL, null)) {
            a = c.write(streamed, choice);
        }
        try (OnnxCompressor c = OnnxCompressor.open(EXTERNAL, null)) {
            Map<String, Integer> ranks = c.ranksFor(choice);
            assertTrue(ranks.values().stream().anyMatch(r -> r > 0), "something is factored: " + ranks);
            b = c.write(twoStep, ranks, choice.toString());
        }
        assertEquals(b.layers(), a.layers());
        assertEquals(b.parametersAfter(), a.parametersAfter());
        assertArrayEquals(Files.readAllBytes(twoStep.resolveSibling("two-step.onnx.data")),
                Files.readAllBytes(streamed.resolveSibling("streamed.onnx.data")), "the same data file, in the same order");
    }
}
