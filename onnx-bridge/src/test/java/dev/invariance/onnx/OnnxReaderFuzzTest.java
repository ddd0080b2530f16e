package dev.invariance.onnx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;

/**
 * The ONNX reader on arbitrary bytes: it either reads the model (every layer loads, the description is consistent) or
 * refuses it with {@link InvalidModelException}; any other exception, an error or running out of memory is a bug.
 * <p>
 * Under {@code mvn test} the committed inputs in {@code src/test/resources/dev/invariance/onnx/OnnxReaderFuzzTestInputs}
 * (valid fixtures and earlier findings) run as regression tests. With {@code JAZZER_FUZZ=1} Jazzer mutates them in a
 * campaign; docs/fuzzing.md records the command and the outcome.
 */
class OnnxReaderFuzzTest {
    @FuzzTest(maxDuration = "3h", maxExecutions = 1_200_000)
    void readerRefusesOnlyWithInvalidModelException(byte[] data) {
        OnnxModel model;
        try {
            model = OnnxModelReader.read("fuzz.onnx", null, data);
        } catch (InvalidModelException refused) {
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
        } catch (InvalidModelException refused) {
            // a weight that is only seen to be invalid when read (NaN, infinity)
        }
    }
}
