package dev.invariance.deepnet;

import ai.onnx.proto.OnnxMl;
import dev.invariance.data.CsvDatasets;
import dev.invariance.training.TrainingDivergedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.test.Helpers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code standardize} (issue 10): scikit-learn's bundled data sets as raw CSV (src/test/python/make_sklearn_csv.py)
 * diverge with the default options and train to ≥ 0.95 accuracy with standardisation; the statistics match numpy;
 * the model's serial forms keep them; the ONNX export takes raw features.
 */
class StandardizationTest {
    static Path sklearn(String name) {
        return Path.of("src/test/resources/fixtures/sklearn", name + ".csv");
    }

    @ParameterizedTest
    @ValueSource(strings = {"wine", "breast_cancer", "digits"})
    void rawScikitLearnDataReachNinetyFivePercentWithStandardizeAndDefaultsOtherwise(String name) {
        MutableDataset<Label> data = CsvDatasets.load(sklearn(name), "label");
        DeepNetModel model = DeepNetTrainer.builder().standardize(true).build().train(data);
        double accuracy = new LabelEvaluator().evaluate(model, data).accuracy();
        assertTrue(accuracy >= 0.95, name + ": training accuracy " + accuracy);
    }

    /**
     * Iris's middle class sits at the centre of the standardised data, where a bias-free network outputs 0: the
     * default bias-free net stops at 0.85, the same defaults with biases reach ≥ 0.95.
     */
    @Test
    void centredIrisNeedsBiasesForItsMiddleClass() {
        MutableDataset<Label> data = CsvDatasets.load(sklearn("iris"), "label");
        DeepNetModel model = DeepNetTrainer.builder().standardize(true).bias(true).build().train(data);
        double accuracy = new LabelEvaluator().evaluate(model, data).accuracy();
        assertTrue(accuracy >= 0.95, "iris: training accuracy " + accuracy);
    }

    /** The message is one sentence naming the step and the layer and suggesting the two fixes. */
    @ParameterizedTest
    @ValueSource(strings = {"wine", "breast_cancer"})
    void rawDataWithDefaultsDivergeWithAMessageThatSuggestsStandardize(String name) {
        MutableDataset<Label> data = CsvDatasets.load(sklearn(name), "label");
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> DeepNetTrainer.builder().build().train(data));
        String m = e.getMessage();
        assertTrue(m.matches("training diverged at step \\d+: the (loss|(weights|bias|outputs) of layer-\\d+) became"
                + " infinite or NaN; standardise the features \\(--standardize\\) or use a smaller learning rate"), m);
        assertFalse(m.contains(" in layer") || m.contains(" in loss"), m);
    }

    /** numpy: iris.mean(0), iris.std(0) (population), reordered to Tribuo's sorted feature ids. */
    @Test
    void statisticsAreNumpysMeanAndPopulationDeviationInFeatureIdOrder() {
        MutableDataset<Label> data = CsvDatasets.load(sklearn("iris"), "label");
        DeepNetModel model = DeepNetTrainer.builder().standardize(true).steps(1).build().train(data);
        FeatureStandardization s = model.getStandardization();
        assertNotNull(s);
        // petal_length_cm, petal_width_cm, sepal_length_cm, sepal_width_cm
        double[] mean = {3.758, 1.19933333333333, 5.84333333333333, 3.05733333333333};
        double[] std = {1.75940407, 0.75969263, 0.82530129, 0.43441097};
        for (int j = 0; j < 4; j++) {
            assertEquals(mean[j], s.getMeans().get(j), 1e-12, "mean " + j);
            assertEquals(std[j], s.getStandardDeviations().get(j), 5e-9, "std " + j); // numpy printed to 8 digits
        }
        assertEquals(0.0, s.getTargetMean());
    }

    @Test
    void constantFeaturesGetDeviationOneInsteadOfDividingByZero() {
        MutableDataset<Label> data = CsvDatasets.load(sklearn("digits"), "label");
        DeepNetModel model = DeepNetTrainer.builder().standardize(true).steps(2).build().train(data);
        FeatureStandardization s = model.getStandardization();
        assertNotNull(s);
        int pixel00 = model.getFeatureIDMap().getID("pixel_0_0"); // always 0 in digits
        assertEquals(0.0, s.getMeans().get(pixel00));
        assertEquals(1.0, s.getStandardDeviations().get(pixel00));
    }

    @Test
    void serialFormsKeepTheStandardization() {
        MutableDataset<Label> data = CsvDatasets.load(sklearn("wine"), "label");
        DeepNetModel model = DeepNetTrainer.builder().standardize(true).steps(50).build().train(data);
        Helpers.testModelSerialization(model, Label.class);
        Model<Label> back = Helpers.testModelProtoSerialization(model, Label.class, data);
        assertEquals(model.getStandardization(), ((DeepNetModel) back).getStandardization());
    }

    /** ONNX Runtime on the RAW features gives the Tribuo model's scores; the file names the feature and class order. */
    @Test
    void onnxExportOfAStandardizedModelTakesRawFeaturesAndNamesTheirOrder(@TempDir Path dir) throws Exception {
        MutableDataset<Label> data = CsvDatasets.load(sklearn("iris"), "label");
        DeepNetModel model = DeepNetTrainer.builder().standardize(true).build().train(data);
        Path file = dir.resolve("iris.onnx");
        model.saveONNXModel("dev.invariance.test", 1, file);
        DeepNetModelSerializationTest.compareWithOnnxRuntime(model, file, data);
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
        String features = "[\"petal_length_cm\",\"petal_width_cm\",\"sepal_length_cm\",\"sepal_width_cm\"]";
        // Tribuo's output ids (the order ONNX Runtime's scores were just matched in), not alphabetical
        String classes = "[\"virginica\",\"setosa\",\"versicolor\"]";
        assertEquals(features, metadata(proto, "feature_names"));
        assertEquals(classes, metadata(proto, "class_names"));
        assertTrue(proto.getGraph().getInput(0).getDocString().contains(features));
        assertTrue(proto.getGraph().getOutput(0).getDocString().contains(classes));
        List<String> ops = proto.getGraph().getNodeList().stream().map(OnnxMl.NodeProto::getOpType).toList();
        assertEquals(List.of("Sub", "Div", "Gemm"), ops.subList(0, 3));
    }

    private static String metadata(OnnxMl.ModelProto proto, String key) {
        return proto.getMetadataPropsList().stream().filter(p -> p.getKey().equals(key)).findFirst().orElseThrow()
                .getValue();
    }

    @Test
    void theAnalyzerSeesTheWeightsAsTrained() {
        MutableDataset<Label> data = CsvDatasets.load(sklearn("iris"), "label");
        DeepNetModel plain = DeepNetTrainer.builder().hidden(4).steps(1).build().train(data);
        DeepNetModel standardized = DeepNetTrainer.builder().hidden(4).steps(1).standardize(true).build().train(data);
        // same seed, same init: after one step the weights differ only through the standardised gradient, and the
        // network exposed for analysis has the same shape, not a W_0 with the standardisation folded in
        assertEquals(plain.getNetwork().layer(0).weights().getColumns(),
                standardized.getNetwork().layer(0).weights().getColumns());
        DeepNetModel untrained = DeepNetTrainer.builder().hidden(4).steps(0).standardize(true).build().train(data);
        DeepNetModel untrainedPlain = DeepNetTrainer.builder().hidden(4).steps(0).build().train(data);
        assertEquals(untrainedPlain.getNetwork().layer(0).weights(), untrained.getNetwork().layer(0).weights(),
                "0 steps: the reported W_0 is the initialisation, not W_0·diag(1/s)");
    }

    /** The training summary writes shapes d_out x d_in, as analyze does (issue 10: it wrote 4x16 for 16x4). */
    @Test
    void modelSummaryWritesShapesAsDOutByDIn() {
        MutableDataset<Label> data = CsvDatasets.load(sklearn("iris"), "label");
        DeepNetModel model = DeepNetTrainer.builder().hidden(16, 8).steps(1).standardize(true).build().train(data);
        assertTrue(model.toString().contains("layers=16x4 -> 8x16 -> 3x8, standardized"), model.toString());
    }
}
