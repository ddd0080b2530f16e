package dev.invariance.deepnet;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.internal.NetworkFunction;
import dev.invariance.network.Activation;
import dev.invariance.training.LossFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tribuo.Example;
import org.tribuo.Excuse;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.interop.onnx.DenseTransformer;
import org.tribuo.interop.onnx.LabelTransformer;
import org.tribuo.interop.onnx.ONNXExternalModel;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.test.Helpers;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeepNetModelSerializationTest {

    /** ORT computes in float32: probabilities of order one agree to a few float32 ulps times the depth. */
    private static final double ONNX_TOLERANCE = 1e-5;

    private static DeepNetModel reluModel(LossFunction loss, int classes) {
        MutableDataset<Label> data = classes == 2 ? DeepNetTrainerTest.separable(40, 5, 3)
                : DeepNetTrainerTest.separableMultiClass(40, 5, classes, 3);
        return DeepNetTrainer.builder().hidden(6, 6, 6).activation(Activation.RELU).bias(true).skipConnections(true)
                .loss(loss).learningRate(0.05).steps(300).build().train(data);
    }

    @Test
    void javaSerialisationRoundTrips() {
        DeepNetModel model = reluModel(LossFunction.LOGISTIC, 3);
        Helpers.testModelSerialization(model, Label.class);
    }

    @ParameterizedTest
    @EnumSource(LossFunction.class)
    void protobufSerialisationRoundTripsWeightsAndPredictions(LossFunction loss) {
        DeepNetModel model = reluModel(loss, 2);
        MutableDataset<Label> data = DeepNetTrainerTest.separable(40, 5, 3);
        Model<Label> back = Helpers.testModelProtoSerialization(model, Label.class, data);
        DeepNetModel restored = (DeepNetModel) back;
        assertEquals(model.getNetwork(), restored.getNetwork());
        assertEquals(model.getLossCurve(), restored.getLossCurve());
        assertEquals(model.getStopReason(), restored.getStopReason());
    }

    @ParameterizedTest
    @EnumSource(LossFunction.class)
    void onnxExportGivesTheSameScoresUnderOnnxRuntime(LossFunction loss, @TempDir Path dir) throws Exception {
        for (int classes : new int[] {2, 3}) {
            DeepNetModel model = reluModel(loss, classes);
            MutableDataset<Label> test = classes == 2 ? DeepNetTrainerTest.separable(50, 5, 99)
                    : DeepNetTrainerTest.separableMultiClass(50, 5, classes, 99);
            Path file = dir.resolve("model-" + classes + ".onnx");
            model.saveONNXModel("dev.invariance.test", 1, file);
            compareWithOnnxRuntime(model, file, test);
        }
    }

    @Test
    void onnxExportOfDeepLinearNetworkCarriesProvenance(@TempDir Path dir) throws Exception {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(40, 10, 0.0, 1));
        DeepNetModel model = DeepNetTrainer.builder().hidden(10, 10).initScale(0.1).learningRate(0.5).steps(500)
                .build().train(data);
        Path file = dir.resolve("linear.onnx");
        model.saveONNXModel("dev.invariance.test", 1, file);
        ai.onnx.proto.OnnxMl.ModelProto proto = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(java.nio.file.Files.readAllBytes(file));
        String stored = proto.getMetadataPropsList().stream()
                .filter(p -> p.getKey().equals(ONNXExportable.PROVENANCE_METADATA_FIELD)).findFirst().orElseThrow().getValue();
        ModelProvenance parsed = (ModelProvenance) ONNXExportable.SERIALIZER.deserializeAndUnmarshal(stored);
        assertEquals(model.getProvenance(), parsed);
        long gemms = proto.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Gemm")).count();
        assertEquals(3, gemms, "one Gemm per dense layer, nothing else");
        compareWithOnnxRuntime(model, file, data);
    }

    static void compareWithOnnxRuntime(DeepNetModel model, Path file, MutableDataset<Label> test)
            throws OrtException {
        Map<String, Integer> features = new HashMap<>();
        for (int i = 0; i < model.getFeatureIDMap().size(); i++) {
            features.put(model.getFeatureIDMap().get(i).getName(), i);
        }
        Map<Label, Integer> outputs = new HashMap<>();
        for (Pair<Integer, Label> p : model.getOutputIDInfo()) {
            outputs.put(p.getB(), p.getA());
        }
        // ONNXExternalModel takes ownership of the options and closes them with the session
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try (ONNXExternalModel<Label> onnx = ONNXExternalModel.createOnnxModel(new LabelFactory(), features, outputs,
                     new DenseTransformer(), new LabelTransformer(model.generatesProbabilities()), options, file, "input")) {
            List<Prediction<Label>> expected = model.predict(test);
            List<Prediction<Label>> actual = onnx.predict(test);
            for (int i = 0; i < expected.size(); i++) {
                Map<String, Label> e = expected.get(i).getOutputScores();
                Map<String, Label> a = actual.get(i).getOutputScores();
                assertEquals(e.keySet(), a.keySet());
                for (String label : e.keySet()) {
                    double scale = Math.max(1.0, Math.abs(e.get(label).getScore()));
                    assertEquals(e.get(label).getScore(), a.get(label).getScore(), ONNX_TOLERANCE * scale,
                            "score of " + label + " for example " + i);
                }
            }
            assertEquals(model.getProvenance(), onnx.getTribuoProvenance().orElseThrow());
        }
    }

    @Test
    void topFeaturesOfALinearNetworkAreTheEndToEndWeights() {
        MutableDataset<Label> data = DeepNetTrainerTest.separable(30, 4, 5);
        DeepNetModel model = DeepNetTrainer.builder().hidden(3, 2).initScale(0.7).steps(50).build().train(data);
        var net = model.getNetwork();
        // P = W2 W1 W0 by hand
        double[] p = new double[4];
        for (int j = 0; j < 4; j++) {
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 3; b++) {
                    p[j] += net.layer(2).weights().get(0, a) * net.layer(1).weights().get(a, b)
                            * net.layer(0).weights().get(b, j);
                }
            }
        }
        String positive = model.getOutputIDInfo().getOutput(1).getLabel();
        String negative = model.getOutputIDInfo().getOutput(0).getLabel();
        Map<String, List<Pair<String, Double>>> top = model.getTopFeatures(-1);
        for (Pair<String, Double> f : top.get(positive)) {
            if (f.getA().equals(Model.BIAS_FEATURE)) {
                assertEquals(0.0, f.getB(), 0.0, "bias-free network");
                continue;
            }
            int id = model.getFeatureIDMap().getID(f.getA());
            assertEquals(p[id], f.getB(), 1e-14);
        }
        assertEquals(-top.get(positive).get(0).getB(), top.get(negative).get(0).getB(), 0.0);
        assertEquals(2, model.getTopFeatures(2).get(positive).size());
        double first = Math.abs(top.get(positive).get(0).getB());
        double second = Math.abs(top.get(positive).get(1).getB());
        assertTrue(first >= second, "sorted by magnitude");
    }

    @Test
    void excuseContributionsAddUpToTheLogitOfABiasFreeReluNetwork() {
        MutableDataset<Label> data = DeepNetTrainerTest.separable(30, 4, 5);
        DeepNetModel model = DeepNetTrainer.builder().hidden(5, 5).activation(Activation.RELU).skipConnections(true)
                .steps(100).build().train(data);
        Example<Label> example = data.getExample(3);
        Excuse<Label> excuse = model.getExcuse(example).orElseThrow();
        String positive = model.getOutputIDInfo().getOutput(1).getLabel();
        double sum = excuse.excuse(positive).stream().mapToDouble(Pair::getB).sum();
        double logit = new NetworkFunction(model.getNetwork()).outputs(model.featureVector(example))[0];
        assertEquals(logit, sum, 1e-12, "f(x) = J(x)·x for a bias-free piecewise-linear network");
        Prediction<Label> p = excuse.getPrediction();
        double probability = p.getOutputScores().get(positive).getScore();
        assertEquals(1 / (1 + Math.exp(-logit)), probability, 1e-12, "logistic: p(positive) = sigmoid(f)");
    }
}
