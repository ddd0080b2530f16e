package dev.invariance.deepnet.regression;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.network.LayerStructure;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.regression.Regressor;

import java.io.InputStream;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Regression models written before the structure field existed (commit b3a8a83, {@link
 * WriteRegressionBackCompatFixtures}) load in both serial forms as {@link LayerStructure#DENSE} and predict what they
 * predicted then.
 */
class RegressionBackCompatTest {
    private static final String VERSION = WriteRegressionBackCompatFixtures.VERSION;
    /** Float64 sums of a few dozen terms; a changed summation order may move them by a few ulps. */
    private static final double VALUE_TOLERANCE = 1e-13;

    private static Path fixture(String name) throws Exception {
        return Path.of(RegressionBackCompatTest.class.getResource("/fixtures/backcompat/" + name).toURI());
    }

    private static void assertDenseAndPredictsAsRecorded(DeepNetRegressionModel model) throws Exception {
        assertEquals(LayerStructure.DENSE, model.getStructure());
        JsonNode recorded = new ObjectMapper().readTree(
                Files.readString(fixture("deepnet-regression-" + VERSION + "-predictions.json")));
        Iterator<Example<Regressor>> examples = WriteRegressionBackCompatFixtures.fixtureData().iterator();
        int checked = 0;
        for (JsonNode value : recorded.path("predictions")) {
            assertEquals(value.asDouble(), model.predict(examples.next()).getOutput().getValues()[0], VALUE_TOLERANCE,
                    "example " + checked);
            checked++;
        }
        assertEquals(8, checked);
    }

    @Test
    void aProtobufModelFromBeforeStructuresLoadsAsDense() throws Exception {
        assertDenseAndPredictsAsRecorded(
                DeepNetRegressionModel.deserializeFromFile(fixture("deepnet-regression-" + VERSION + ".tribuo")));
    }

    @Test
    void aJavaSerialisedModelFromBeforeStructuresLoadsAsDense() throws Exception {
        try (InputStream in = Files.newInputStream(fixture("deepnet-regression-" + VERSION + ".ser"));
             ObjectInputStream objects = new ObjectInputStream(in)) {
            assertDenseAndPredictsAsRecorded((DeepNetRegressionModel) objects.readObject());
        }
    }
}
