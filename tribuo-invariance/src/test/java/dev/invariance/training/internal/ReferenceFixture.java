package dev.invariance.training.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.network.Activation;
import org.junit.jupiter.api.DynamicTest;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A PyTorch gradient-descent fixture (make_gd_reference.py, make_regression_reference.py): one dynamic test per
 * case, and the case's initial network (layers {"w", "b"}, W d_out × d_in) as the engine takes it.
 */
final class ReferenceFixture {
    private ReferenceFixture() {
    }

    /** One test per entry of the resource's {@code cases}, named by the case. */
    static List<DynamicTest> tests(String resource, Consumer<JsonNode> check) throws IOException {
        JsonNode root;
        try (InputStream in = ReferenceFixture.class.getResourceAsStream(resource)) {
            assertNotNull(in, "fixture missing: " + resource);
            root = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check.accept(c)));
        }
        return tests;
    }

    /** The initial weights, biases (zeros where the case has none) and architecture of a case. */
    record Initial(double[][] weights, double[][] biases, Architecture architecture) {
        static Initial of(JsonNode c, int inputs, int outputs, boolean skip) {
            JsonNode initial = c.get("initial");
            int depth = initial.size();
            double[][] w0 = new double[depth][];
            double[][] b0 = new double[depth][];
            List<Integer> hidden = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                w0[i] = flatten(initial.get(i).get("w"));
                JsonNode b = initial.get(i).get("b");
                b0[i] = b.isNull() ? new double[initial.get(i).get("w").size()] : flatten(b);
                if (i < depth - 1) {
                    hidden.add(initial.get(i).get("w").size());
                }
            }
            Architecture arch = Architecture.of(inputs, hidden, List.of(Activation.parse(c.get("activation").asText())),
                    outputs, c.get("bias").asBoolean(), skip);
            return new Initial(w0, b0, arch);
        }
    }

    /** A vector or a row-major matrix (rows of equal length) as one array. */
    static double[] flatten(JsonNode node) {
        List<Double> values = new ArrayList<>();
        for (JsonNode v : node) {
            if (v.isArray()) {
                for (JsonNode e : v) {
                    values.add(e.asDouble());
                }
            } else {
                values.add(v.asDouble());
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
