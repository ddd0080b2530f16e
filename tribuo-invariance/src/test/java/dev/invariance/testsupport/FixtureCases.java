package dev.invariance.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;

/** Reads the fixtures written by the Python generators as {@code {"cases": [{"name": ..., ...}, ...]}}. */
public final class FixtureCases {
    private FixtureCases() {
    }

    /** The case called {@code name} in {@code fixture}; an AssertionError naming both when there is none. */
    public static JsonNode named(Path fixture, String name) throws IOException {
        for (JsonNode c : new ObjectMapper().readTree(fixture.toFile()).get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError(name + " not in " + fixture);
    }
}
