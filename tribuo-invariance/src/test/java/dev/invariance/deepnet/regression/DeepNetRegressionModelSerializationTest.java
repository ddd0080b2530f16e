package dev.invariance.deepnet.regression;

import ai.onnxruntime.OrtSession;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.data.InvalidDataException;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.ProvenanceReplay;
import dev.invariance.network.Activation;
import dev.invariance.network.WeightDifference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.Prediction;
import org.tribuo.interop.onnx.DenseTransformer;
import org.tribuo.interop.onnx.ONNXExternalModel;
import org.tribuo.interop.onnx.RegressorTransformer;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.example.GaussianDataSource;
import org.tribuo.test.Helpers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The regression model's serial forms, its ONNX export under ONNX Runtime, and the replay of its provenance. */
class DeepNetRegressionModelSerializationTest {
    private static final String[] NAMES = {"zeta", "alpha", "mid"};

    /** ORT computes in float32: outputs of order one agree to a few float32 ulps times the depth. */
    private static final double ONNX_TOLERANCE = 1e-5;

    private static DeepNetRegressionModel reluModel() {
        return DeepNetRegressionTrainer.builder().hidden(6, 6, 6).activation(Activation.RELU).bias(true)
                .skipConnections(true).learningRate(0.02).steps(300).build()
                .train(RegressionData.linear(40, 5, NAMES, 3));
    }

    @Test
    void javaSerialisationRoundTrips() {
        DeepNetRegressionModel model = reluModel();
        Helpers.testModelSerialization(model, Regressor.class);
    }

    @Test
    void protobufSerialisationRoundTripsWeightsAndPredictions(@TempDir Path dir) throws Exception {
        DeepNetRegressionModel model = reluModel();
        MutableDataset<Regressor> data = RegressionData.linear(20, 5, NAMES, 4);
        Model<Regressor> back = Helpers.testModelProtoSerialization(model, Regressor.class, data);
        DeepNetRegressionModel restored = (DeepNetRegressionModel) back;
        assertEquals(model.getNetwork(), restored.getNetwork());
        assertEquals(model.getLossCurve(), restored.getLossCurve());
        assertEquals(model.getStopReason(), restored.getStopReason());
        assertEquals(model.getDimensionNames(), restored.getDimensionNames());
        Path file = dir.resolve("model.tribuo");
        model.serializeToFile(file);
        DeepNetRegressionModel typed = DeepNetRegressionModel.deserializeFromFile(file);
        assertEquals(model.getNetwork(), typed.getNetwork());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeepNetModel.deserializeFromFile(file));
        assertTrue(e.getMessage().endsWith("holds a " + DeepNetRegressionModel.class.getName() + ", not a DeepNetModel"),
                e.getMessage());
    }

    @Test
    void aNewerProtobufVersionIsRefusedNamingBoth() {
        var proto = reluModel().serialize();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeepNetRegressionModel.deserializeFromProto(DeepNetRegressionModel.CURRENT_VERSION + 1,
                        proto.getClassName(), proto.getSerializedData()));
        assertEquals("DeepNetRegressionModel protobuf version 1 is newer than this library understands (0)",
                e.getMessage());
    }

    @Test
    void onnxExportGivesTheSamePredictionsUnderOnnxRuntime(@TempDir Path dir) throws Exception {
        DeepNetRegressionModel model = reluModel();
        MutableDataset<Regressor> test = RegressionData.linear(50, 5, NAMES, 99);
        Path file = dir.resolve("model.onnx");
        model.saveONNXModel("dev.invariance.test", 1, file);
        Map<String, Integer> features = new HashMap<>();
        for (int i = 0; i < model.getFeatureIDMap().size(); i++) {
            features.put(model.getFeatureIDMap().get(i).getName(), i);
        }
        Map<Regressor, Integer> outputs = new HashMap<>();
        for (Pair<Integer, Regressor> p : model.getOutputIDInfo()) {
            outputs.put(p.getB(), p.getA());
        }
        // ONNXExternalModel takes ownership of the options and closes them with the session
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try (ONNXExternalModel<Regressor> onnx = ONNXExternalModel.createOnnxModel(new RegressionFactory(), features,
                outputs, new DenseTransformer(), new RegressorTransformer(), options, file, "input")) {
            List<Prediction<Regressor>> expected = model.predict(test);
            List<Prediction<Regressor>> actual = onnx.predict(test);
            for (int i = 0; i < expected.size(); i++) {
                Regressor e = expected.get(i).getOutput();
                Regressor a = actual.get(i).getOutput();
                for (String name : NAMES) {
                    double ev = e.getDimension(name).orElseThrow().getValue();
                    assertEquals(ev, a.getDimension(name).orElseThrow().getValue(),
                            ONNX_TOLERANCE * Math.max(1.0, Math.abs(ev)), name + " of example " + i);
                }
            }
            assertEquals(model.getProvenance(), onnx.getTribuoProvenance().orElseThrow());
        }
        var proto = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
        String dims = proto.getMetadataPropsList().stream().filter(p -> p.getKey().equals("dimension_names"))
                .findFirst().orElseThrow().getValue();
        assertEquals(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(model.getDimensionNames()), dims);
        assertTrue(proto.getMetadataPropsList().stream()
                .anyMatch(p -> p.getKey().equals(ONNXExportable.PROVENANCE_METADATA_FIELD)));
    }

    @Test
    void theProvenanceReplaysBitIdentically() {
        GaussianDataSource source = new GaussianDataSource(30, 2.0f, 0.5f, 0.1f, -1.0f, 1.0f, 17L);
        DeepNetRegressionTrainer trainer = DeepNetRegressionTrainer.builder().hidden(4, 4).activation(Activation.RELU)
                .bias(true).steps(100).seed(5).build();
        trainer.train(new MutableDataset<>(source)); // the replay must restore the invocation count
        DeepNetRegressionModel model = trainer.train(new MutableDataset<>(source));
        ModelProvenance provenance = model.getProvenance();
        DeepNetRegressionModel replayed = ProvenanceReplay.retrain(provenance, DeepNetRegressionModel.class, false);
        assertNull(WeightDifference.first(model.getNetwork(), replayed.getNetwork()));
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> ProvenanceReplay.retrain(provenance));
        assertEquals("provenance describes a " + DeepNetRegressionModel.class.getName() + ", not a "
                + DeepNetModel.class.getName(), e.getMessage());
    }
}
