package dev.invariance.deepnet.regression;

import com.oracle.labs.mlrg.olcut.config.Config;
import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.deepnet.AbstractDeepNetTrainer;
import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.WeightDifference;
import dev.invariance.training.LossFunction;
import dev.invariance.training.Precision;
import dev.invariance.training.TrainingDivergedException;
import dev.invariance.training.internal.TrainingData;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.Trainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.evaluation.RegressionEvaluation;
import org.tribuo.regression.evaluation.RegressionEvaluator;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The regression trainer: targets in output order, the square loss it minimises, Tribuo's evaluation, refusals. */
class DeepNetRegressionTrainerTest {
    private static final String[] NAMES = {"zeta", "alpha"};

    @Test
    void outputJIsTheDimensionWithOutputIdJWhateverOrderTheExamplesNameThem() {
        MutableDataset<Regressor> data = RegressionData.linear(5, 3, NAMES, 1);
        TrainingData converted = DeepNetRegressionTrainer.toTrainingData(data, data.getFeatureIDMap(),
                data.getOutputIDInfo());
        List<String> order = DeepNetRegressionTrainer.dimensionNames(data.getOutputIDInfo());
        int row = 0;
        for (Example<Regressor> example : data) {
            for (int j = 0; j < order.size(); j++) {
                double expected = example.getOutput().getDimension(order.get(j)).orElseThrow().getValue();
                assertEquals(expected, converted.targets().target(row, j), 0.0, order.get(j) + " of example " + row);
            }
            row++;
        }
    }

    @Test
    void aDeepLinearNetworkFitsLinearTargetsAndTribuosEvaluatorSaysSo() {
        MutableDataset<Regressor> train = RegressionData.linear(60, 4, NAMES, 2);
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(6, 6).initScale(0.5)
                .learningRate(0.05).steps(3000).build().train(train);
        assertEquals(List.of("alpha", "zeta"), model.getDimensionNames().stream().sorted().toList());
        assertTrue(model.getLossCurve().getFinalLoss() < 1e-6, "final loss " + model.getLossCurve().getFinalLoss());
        MutableDataset<Regressor> test = RegressionData.linear(30, 4, NAMES, 2);
        RegressionEvaluation evaluation = new RegressionEvaluator().evaluate(model, test);
        for (String name : NAMES) {
            Regressor dimension = new Regressor(name, Double.NaN);
            assertTrue(evaluation.r2(dimension) > 0.999, name + ": R² " + evaluation.r2(dimension));
        }
        Prediction<Regressor> p = model.predict(test.getExample(0));
        assertArrayEquals(new String[] {"alpha", "zeta"}, p.getOutput().getNames());
    }

    @Test
    void theLossCurveIsTheMeanOfHalfTheSquaredDistance() {
        MutableDataset<Regressor> data = RegressionData.linear(8, 3, NAMES, 3);
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(4).activation(Activation.RELU)
                .bias(true).steps(0).build().train(data);
        double sum = 0.0;
        for (Example<Regressor> example : data) {
            Regressor predicted = model.predict(example).getOutput();
            for (String name : NAMES) {
                double d = predicted.getDimension(name).orElseThrow().getValue()
                        - example.getOutput().getDimension(name).orElseThrow().getValue();
                sum += 0.5 * d * d;
            }
        }
        assertEquals(sum / data.size(), model.getLossCurve().getFinalLoss(), 1e-14);
    }

    @Test
    void aSingleOutputReluNetworkFitsTwoPointsWithTheSameTarget() {
        // Timor et al.'s setting (science.md E5): f(x) = vᵀReLU(Wx), two unit vectors at an obtuse angle, targets 1
        double theta = 2.4;
        List<Example<Regressor>> examples = List.of(
                new ArrayExample<>(new Regressor("y", 1.0), new String[] {"x0", "x1"}, new double[] {1.0, 0.0}),
                new ArrayExample<>(new Regressor("y", 1.0), new String[] {"x0", "x1"},
                        new double[] {Math.cos(theta), Math.sin(theta)}));
        MutableDataset<Regressor> data = RegressionData.dataset(examples);
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(50).activation(Activation.RELU)
                .initScale(0.1).learningRate(0.05).steps(20_000).seed(4).build().train(data);
        assertTrue(model.getLossCurve().getFinalLoss() < 1e-8, "final loss " + model.getLossCurve().getFinalLoss());
        for (Example<Regressor> example : data) {
            assertEquals(1.0, model.predict(example).getOutput().getValues()[0], 1e-4);
        }
        DenseLayer head = model.getNetwork().layer(1);
        assertEquals(1, head.outputWidth());
        assertEquals(50, head.inputWidth());
    }

    @Test
    void theAnalyzerReadsTheTrainedNetwork() {
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(5, 5).initScale(0.3).steps(200)
                .build().train(RegressionData.linear(20, 4, NAMES, 5));
        AnalysisReport report = WeightAnalyzer.create().analyze(model.getNetwork());
        assertEquals(3, report.layers().size());
        assertEquals(List.of(2, 5), List.of(model.getNetwork().layer(2).outputWidth(),
                model.getNetwork().layer(2).inputWidth()), "the head is d_out × d_in");
    }

    @Test
    void theInvarianceEvaluatorAnalysesTheRegressorsWeights() {
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(5, 5).initScale(0.3).steps(200)
                .build().train(RegressionData.linear(20, 4, NAMES, 5));
        var evaluation = dev.invariance.evaluation.InvarianceEvaluator.create().evaluate(model);
        assertEquals(WeightAnalyzer.create().analyze(model.getNetwork()).layers(), evaluation.getReport().layers());
    }

    @Test
    void aTrailingListenerSeesTheSquareLossFallUntilTheLastStep() {
        List<Double> losses = new ArrayList<>();
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(4).initScale(0.5).steps(100).build()
                .train(RegressionData.linear(20, 3, NAMES, 9), 10, checkpoint -> losses.add(checkpoint.loss()));
        assertEquals(11, losses.size(), "steps 0, 10, …, 100");
        assertTrue(losses.get(10) < losses.get(0), losses.toString());
        assertEquals(model.getLossCurve().getFinalLoss(), losses.get(10), 0.0);
    }

    @Test
    void float32TrainingGivesFloat32Weights() {
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(3).precision(Precision.FLOAT32)
                .steps(20).build().train(RegressionData.linear(10, 3, NAMES, 6));
        assertEquals(dev.invariance.network.ElementType.FLOAT32, model.getElementType());
    }

    @Test
    void dataWithoutRegressionDimensionsIsRefusedInOneLine() {
        List<Example<Regressor>> examples = List.of(new ArrayExample<>(new Regressor(new String[0], new double[0]),
                new String[] {"x0"}, new double[] {1.0}));
        MutableDataset<Regressor> data = RegressionData.dataset(examples);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeepNetRegressionTrainer.builder().build().train(data));
        assertEquals("training data has no regression dimensions; a regressor needs at least one", e.getMessage());
    }

    @Test
    void aNanTargetIsRefusedInOneLineNamingTheExampleAndTheDimension() {
        List<Example<Regressor>> examples = new ArrayList<>();
        examples.add(new ArrayExample<>(new Regressor(NAMES, new double[] {1.0, 2.0}), new String[] {"x0"},
                new double[] {1.0}));
        examples.add(new ArrayExample<>(new Regressor(NAMES, new double[] {Double.NaN, 2.0}), new String[] {"x0"},
                new double[] {2.0}));
        MutableDataset<Regressor> data = RegressionData.dataset(examples);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeepNetRegressionTrainer.builder().build().train(data));
        assertEquals("example 1 has the target NaN for regression dimension 'zeta'; targets must be finite",
                e.getMessage());
    }

    @Test
    void aStepTooLargeDivergesWithTheTrainersException() {
        MutableDataset<Regressor> data = RegressionData.linear(20, 4, NAMES, 7);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> DeepNetRegressionTrainer.builder().hidden(8, 8).learningRate(50.0).steps(500).build()
                        .train(data));
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void everyConfigFieldHasASetterAGetterAndAChainedFormAndTheLossIsNotOne() throws NoSuchMethodException {
        List<Field> fields = new ArrayList<>(Arrays.asList(DeepNetRegressionTrainer.class.getDeclaredFields()));
        fields.addAll(Arrays.asList(AbstractDeepNetTrainer.class.getDeclaredFields()));
        int configured = 0;
        for (Field f : fields) {
            if (!f.isAnnotationPresent(Config.class) || Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            configured++;
            assertTrue(!f.getName().equals("loss") && !f.getName().equals("standardize"), f.getName());
            String property = f.getName().equals("hiddenWidths") ? "hidden" : f.getName();
            String capital = property.substring(0, 1).toUpperCase(Locale.ROOT) + property.substring(1);
            Method getter = DeepNetRegressionTrainerBuilder.class.getMethod("get" + capital);
            Method setter = DeepNetRegressionTrainerBuilder.class.getMethod("set" + capital, getter.getReturnType());
            assertTrue(setter.getReturnType().isAssignableFrom(DeepNetRegressionTrainerBuilder.class), setter.getName());
        }
        assertEquals(22, configured); // structure and structuredOutput are shared too
    }

    @Test
    void toStringListsTheHyperparameters() {
        String s = DeepNetRegressionTrainer.builder().hidden(3, 2).learningRate(0.25).seed(9).build().toString();
        assertTrue(s.startsWith("DeepNetRegressionTrainer(hiddenWidths=[3, 2],"), s);
        assertTrue(s.contains("learningRate=0.25") && s.contains("seed=9)") && !s.contains("loss="), s);
    }

    @Test
    void invalidSettingsFailAtBuildNamingTheSetting() {
        var e = assertThrows(com.oracle.labs.mlrg.olcut.config.PropertyException.class,
                () -> DeepNetRegressionTrainer.builder().learningRate(-1).build());
        assertTrue(e.getMessage().contains("learning rate must be positive"), e.getMessage());
    }

    @Test
    void theSameSeedAndInvocationGiveBitIdenticalWeights() {
        MutableDataset<Regressor> data = RegressionData.linear(20, 4, NAMES, 8);
        DeepNetRegressionTrainer trainer = DeepNetRegressionTrainer.builder().hidden(4).steps(50).seed(11).build();
        DeepNetRegressionModel first = trainer.train(data);
        DeepNetRegressionModel second = trainer.train(data);
        assertTrue(WeightDifference.first(first.getNetwork(), second.getNetwork()) != null,
                "the second invocation draws other initial weights");
        DeepNetRegressionModel replayed = trainer.train(data, java.util.Map.of(), 0);
        assertNull(WeightDifference.first(first.getNetwork(), replayed.getNetwork()));
        assertEquals(Trainer.DEFAULT_SEED, DeepNetRegressionTrainer.builder().getSeed());
        assertEquals(LossFunction.SQUARED.getConfigName(), "squared");
    }
}
