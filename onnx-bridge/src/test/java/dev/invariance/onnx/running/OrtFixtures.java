package dev.invariance.onnx.running;

import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The fixtures of make_ort_fixtures.py and their numpy reference. */
final class OrtFixtures {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/ort");

    private OrtFixtures() {
    }

    static JsonNode reference(String name) {
        try {
            return new ObjectMapper().readTree(FIXTURES.resolve("reference.json").toFile()).path(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model as the ONNX reader gives it (dense layers, data-flow edges, value bindings). */
    static OnnxModel source(String name) {
        return OnnxModelReader.open(FIXTURES.resolve(name + ".onnx"));
    }

    /** A CSV's feature values (row-major, float32) and labels. */
    record Table(float[] values, List<String> labels) {
    }

    static Table table(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> labels = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            for (int c = 0; c < cells.length - 1; c++) {
                values.add((float) Double.parseDouble(cells[c]));
            }
            labels.add(cells[cells.length - 1]);
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return new Table(v, labels);
    }
}
