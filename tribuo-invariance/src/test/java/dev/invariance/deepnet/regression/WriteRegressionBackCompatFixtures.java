package dev.invariance.deepnet.regression;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.invariance.network.Activation;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.example.NonlinearGaussianDataSource;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the back-compatibility fixtures that {@link RegressionBackCompatTest} loads: a small trained regression model
 * in Tribuo's protobuf form ({@code .tribuo}) and in Java serialisation ({@code .ser}), and the values that version
 * predicted for a few examples. Not a test (surefire's default includes skip it). The files named
 * {@code pre-structure} were written by the classes of commit b3a8a83 (branch {@code regress}, before the structure
 * field existed), with the dependencies of this module:
 * <pre>
 * javac -d /tmp/gen -cp OLD_CLASSES:DEPENDENCIES WriteRegressionBackCompatFixtures.java
 * java -cp /tmp/gen:OLD_CLASSES:DEPENDENCIES dev.invariance.deepnet.regression.WriteRegressionBackCompatFixtures \
 *     tribuo-invariance/src/test/resources/fixtures/backcompat
 * </pre>
 */
final class WriteRegressionBackCompatFixtures {
    static final String VERSION = "pre-structure";

    private WriteRegressionBackCompatFixtures() {
    }

    /** Bias, ReLU and a residual skip, so every part of the serial form is exercised; one target dimension. */
    static MutableDataset<Regressor> fixtureData() {
        return new MutableDataset<>(new NonlinearGaussianDataSource(30, 13L));
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        MutableDataset<Regressor> data = fixtureData();
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(4, 4).activation(Activation.RELU)
                .bias(true).skipConnections(true).learningRate(0.01).steps(100).seed(7L).build().train(data);
        model.serializeToFile(dir.resolve("deepnet-regression-" + VERSION + ".tribuo"));
        try (ObjectOutputStream out = new ObjectOutputStream(
                Files.newOutputStream(dir.resolve("deepnet-regression-" + VERSION + ".ser")))) {
            out.writeObject(model);
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("version", VERSION);
        ArrayNode values = root.putArray("predictions");
        int written = 0;
        for (Example<Regressor> e : data) {
            if (written++ == 8) {
                break;
            }
            values.add(model.predict(e).getOutput().getValues()[0]);
        }
        mapper.writeValue(dir.resolve("deepnet-regression-" + VERSION + "-predictions.json").toFile(), root);
    }
}
