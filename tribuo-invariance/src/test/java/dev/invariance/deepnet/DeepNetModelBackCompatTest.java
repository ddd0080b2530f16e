package dev.invariance.deepnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.network.Activation;
import dev.invariance.training.StopReason;
import org.junit.jupiter.api.Test;
import org.tribuo.Feature;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models written by library version 0.1.0 (protobuf {@code CURRENT_VERSION} 0, {@code serialVersionUID} 1) still
 * load, in both serial forms, and predict what 0.1.0 predicted. The files and the recorded scores come from
 * {@link WriteBackCompatFixtures}, run at commit 771c555.
 */
class DeepNetModelBackCompatTest {
    private static final String VERSION = "0.1.0";
    /** The scores are float64 sums of a few dozen terms; a changed summation order may move them by a few ulps. */
    private static final double SCORE_TOLERANCE = 1e-13;

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(DeepNetModelBackCompatTest.class.getResource("/fixtures/backcompat/" + name).toURI());
    }

    private static void assertPredictsAsRecorded(DeepNetModel model) throws Exception {
        JsonNode recorded = new ObjectMapper().readTree(Files.readString(fixture("deepnet-" + VERSION + "-predictions.json")));
        assertEquals(recorded.path("steps_run").asLong(), model.getStepsRun());
        assertEquals(StopReason.valueOf(recorded.path("stop_reason").asText()), model.getStopReason());
        assertEquals(3, model.getNetwork().depth());
        assertEquals(Activation.RELU, model.getNetwork().layer(0).activation());
        assertEquals(List.of(false, true, false), model.getNetwork().residualLayers(),
                "hidden [4, 4] with skipConnections: a residual around the 4 x 4 layer");
        int checked = 0;
        for (JsonNode e : recorded.path("examples")) {
            List<Feature> features = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = e.path("features").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                features.add(new Feature(f.getKey(), f.getValue().asDouble()));
            }
            Prediction<Label> p = model.predict(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, features));
            assertEquals(e.path("predicted").asText(), p.getOutput().getLabel());
            for (Iterator<Map.Entry<String, JsonNode>> it = e.path("scores").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> s = it.next();
                assertEquals(s.getValue().asDouble(), p.getOutputScores().get(s.getKey()).getScore(), SCORE_TOLERANCE,
                        s.getKey());
            }
            checked++;
        }
        assertEquals(8, checked);
    }

    @Test
    void protobufModelFromVersion010LoadsAndPredictsAsRecorded() throws Exception {
        DeepNetModel model = DeepNetModel.deserializeFromFile(fixture("deepnet-" + VERSION + ".tribuo"));
        assertPredictsAsRecorded(model);
        assertEquals(DeepNetModel.class.getName(), model.getProvenance().getClassName());
        assertInstanceOf(DeepNetModel.class, Model.deserializeFromFile(fixture("deepnet-" + VERSION + ".tribuo")));
    }

    @Test
    void javaSerialisedModelFromVersion010LoadsAndPredictsAsRecorded() throws Exception {
        try (InputStream in = Files.newInputStream(fixture("deepnet-" + VERSION + ".ser"));
             ObjectInputStream objects = new ObjectInputStream(in)) {
            assertPredictsAsRecorded((DeepNetModel) objects.readObject());
        }
    }

    @Test
    void typedLoadingRefusesAFileThatIsNotATribuoModel() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> DeepNetModel.deserializeFromFile(fixture("deepnet-" + VERSION + "-predictions.json")));
        assertTrue(e.getMessage() != null, "a message");
    }
}
