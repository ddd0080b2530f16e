package dev.invariance.onnx.reading;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static dev.invariance.onnx.reading.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code analyze --format json} of a model with 10⁵ tiny layers (issue 19): the analysis itself fits 1 GB of heap,
 * and so must its JSON. The document used to be built as a Jackson tree before it was written (at -Xmx1g that ended
 * in {@code OutOfMemoryError: Java heap space} after about a minute); it is streamed now.
 */
class ManyLayersJsonTest {
    private static final int LAYERS = 100_000;

    @TempDir
    Path dir;

    /**
     * A chain of 10⁵ 2 × 2 {@code Gemm}s at -Xmx1g: within 300 s (26 s alone on this 2-core machine, 59 s during
     * the whole suite), exit 0 and one valid JSON document (276 MB) with every layer and edge.
     */
    @Test
    void theJsonOfAHundredThousandLayersIsStreamedWithinAGigabyteOfHeap() throws Exception {
        Path model = write(dir.resolve("chain.onnx"), HostileModels.gemmChain(LAYERS));
        Path json = dir.resolve("chain.json");
        SmallHeapCli.Result r = SmallHeapCli.run("1g", 300, json, "analyze", model.toString(), "--format", "json");
        assertFalse(r.err().contains("OutOfMemoryError"), r.err());
        assertEquals(0, r.code(), r.err());
        Map<String, Integer> sizes = topLevelArraySizes(json);
        assertEquals(LAYERS, sizes.get("layers"));
        assertEquals(LAYERS - 1, sizes.get("alignment"));
        assertEquals(LAYERS - 1, sizes.get("edges"));
    }

    /**
     * The number of elements of each top-level array of the JSON document in {@code file}, read token by token (the
     * document is too large to hold as a tree here); a parse error fails the test, and so does anything after the
     * document but white space.
     */
    private static Map<String, Integer> topLevelArraySizes(Path file) throws IOException {
        Map<String, Integer> sizes = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (p.nextToken() == JsonToken.START_ARRAY) {
                    int n = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        p.skipChildren();
                        n++;
                    }
                    sizes.put(key, n);
                } else {
                    p.skipChildren();
                }
            }
            assertEquals(JsonToken.END_OBJECT, p.currentToken());
            assertEquals(null, p.nextToken(), "one document");
        }
        return sizes;
    }
}
