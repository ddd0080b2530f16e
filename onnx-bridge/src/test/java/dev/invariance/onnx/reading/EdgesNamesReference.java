package dev.invariance.onnx.reading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The numpy reference of the issue-20 fixtures (onnx/wild/reference.json, written by
 * src/test/python/make_wild_fixtures.py) as the edge and name tests read it.
 */
final class EdgesNamesReference {
    private static final Path FOLDER;
    private static final JsonNode REFERENCE;

    static {
        try {
            FOLDER = Path.of(EdgesNamesReference.class.getResource("/onnx/wild/reference.json").toURI()).getParent();
            REFERENCE = new ObjectMapper().readTree(FOLDER.resolve("reference.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private EdgesNamesReference() {
    }

    /** The fixture file {@code name} of onnx/wild. */
    static Path file(String name) {
        return FOLDER.resolve(name);
    }

    /** Every model file the reference describes. */
    static List<String> files() {
        List<String> files = new ArrayList<>();
        REFERENCE.get("models").forEach(m -> files.add(m.get("file").asText()));
        return files;
    }

    /** The reference's entry for {@code file}. */
    static JsonNode model(String file) {
        for (JsonNode m : REFERENCE.get("models")) {
            if (m.get("file").asText().equals(file)) {
                return m;
            }
        }
        throw new AssertionError("no reference for " + file);
    }

    /** The reference layer named {@code name} of {@code model}, or null. */
    static JsonNode layer(JsonNode model, String name) {
        for (JsonNode l : model.get("layers")) {
            if (l.get("name").asText().equals(name)) {
                return l;
            }
        }
        return null;
    }
}
