package dev.invariance.deepnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.invariance.network.Activation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the back-compatibility fixtures that {@link DeepNetModelBackCompatTest} loads: a small trained model in
 * Tribuo's protobuf form ({@code .tribuo}) and in Java serialisation ({@code .ser}), and the class scores that
 * version computed for a few examples. Not a test: surefire's default includes skip it. Run it with the library
 * version the files are named after, then commit the files:
 * <pre>
 * mvn -o test -pl tribuo-invariance -Dtest=WriteBackCompatFixtures -Dinvariance.fixtures=$PWD/tribuo-invariance/src/test/resources/fixtures/backcompat
 * </pre>
 * The 0.1.0 files were written at commit 771c555 (protobuf {@code DeepNetModel.CURRENT_VERSION} 0,
 * {@code serialVersionUID} 1).
 */
class WriteBackCompatFixtures {
    static final String VERSION = "0.1.0";

    /** Bias, ReLU and a residual skip, so every part of the serial form is exercised; two classes, logistic loss. */
    static DeepNetModel fixtureModel(MutableDataset<Label> data) {
        return DeepNetTrainer.builder().hidden(4, 4).activation(Activation.RELU).bias(true).skipConnections(true)
                .learningRate(0.05).steps(200).seed(7L).build().train(data);
    }

    @Test
    @EnabledIfSystemProperty(named = "invariance.fixtures", matches = ".+")
    void write() throws IOException {
        Path dir = Path.of(System.getProperty("invariance.fixtures"));
        Files.createDirectories(dir);
        MutableDataset<Label> data = DeepNetTrainerTest.separable(30, 3, 11);
        DeepNetModel model = fixtureModel(data);
        model.serializeToFile(dir.resolve("deepnet-" + VERSION + ".tribuo"));
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(dir.resolve("deepnet-" + VERSION + ".ser")))) {
            out.writeObject(model);
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("version", VERSION);
        root.put("steps_run", model.getStepsRun());
        root.put("stop_reason", model.getStopReason().name());
        ArrayNode examples = root.putArray("examples");
        int written = 0;
        for (Example<Label> e : data) {
            if (written++ == 8) {
                break;
            }
            ObjectNode o = examples.addObject();
            ObjectNode features = o.putObject("features");
            for (Feature f : e) {
                features.put(f.getName(), f.getValue());
            }
            Prediction<Label> p = model.predict(e);
            o.put("predicted", p.getOutput().getLabel());
            ObjectNode scores = o.putObject("scores");
            p.getOutputScores().forEach((name, label) -> scores.put(name, label.getScore()));
        }
        Files.writeString(dir.resolve("deepnet-" + VERSION + "-predictions.json"), mapper.writeValueAsString(root));
    }
}
