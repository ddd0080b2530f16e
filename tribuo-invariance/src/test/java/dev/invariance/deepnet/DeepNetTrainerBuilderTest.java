package dev.invariance.deepnet;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import dev.invariance.network.Activation;
import dev.invariance.network.WeightDigest;
import dev.invariance.training.OptimizerKind;
import dev.invariance.training.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.evaluation.CrossValidation;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The builder reads both ways (chained and as properties), has one source of defaults, and carries the listener. */
class DeepNetTrainerBuilderTest {

    @Test
    void gettersBeforeAnySetterReturnThePublishedDefaults() {
        DeepNetTrainerBuilder b = DeepNetTrainer.builder();
        assertEquals(List.of(16, 16), b.getHidden());
        assertEquals(List.of(Activation.LINEAR), b.getActivations());
        assertEquals(false, b.getBias());
        assertEquals(1000L, b.getSteps());
        assertEquals(0, b.getEpochs());
        assertEquals(0.1, b.getLearningRate());
        assertEquals(32, b.getBatchSize());
        assertEquals(OptimizerKind.GD, b.getOptimizer());
        assertEquals(0.9, b.getAdamBeta1());
        assertEquals(0.999, b.getAdamBeta2());
        assertEquals(1e-8, b.getAdamEpsilon());
        assertEquals(Trainer.DEFAULT_SEED, b.getSeed());
        assertNull(b.getListener());
    }

    @Test
    void everyConfigFieldHasASetterAGetterAndAChainedForm() throws NoSuchMethodException {
        List<Field> fields = new ArrayList<>(List.of(DeepNetTrainer.class.getDeclaredFields()));
        fields.addAll(List.of(AbstractDeepNetTrainer.class.getDeclaredFields()));
        for (Field f : fields) {
            if (!f.isAnnotationPresent(Config.class) || Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            String property = switch (f.getName()) {
                case "hiddenWidths" -> "hidden";
                default -> f.getName();
            };
            String capital = property.substring(0, 1).toUpperCase(Locale.ROOT) + property.substring(1);
            Method getter = DeepNetTrainerBuilder.class.getMethod("get" + capital);
            boolean hasSetter = false;
            boolean hasChained = false;
            for (Method m : DeepNetTrainerBuilder.class.getMethods()) {
                if (m.getParameterCount() == 1 && m.getReturnType().isAssignableFrom(DeepNetTrainerBuilder.class)) {
                    hasSetter |= m.getName().equals("set" + capital) && m.getParameterTypes()[0] == getter.getReturnType();
                    hasChained |= m.getName().equals(property);
                }
            }
            assertTrue(hasSetter, "set" + capital + "(" + getter.getReturnType().getSimpleName() + ")");
            assertTrue(hasChained, property + "(…)");
        }
    }

    @Test
    void propertyStyleAndChainedStyleBuildTheSameTrainer() {
        DeepNetTrainerBuilder properties = DeepNetTrainer.builder();
        properties.setHidden(List.of(5, 4));
        properties.setActivations(List.of(Activation.RELU));
        properties.setBias(true);
        properties.setOptimizer(OptimizerKind.ADAM);
        properties.setAdamBeta2(0.99);
        properties.setSteps(30);
        properties.setSeed(9L);
        DeepNetTrainer chained = DeepNetTrainer.builder().hidden(5, 4).activation(Activation.RELU).bias(true)
                .optimizer(OptimizerKind.ADAM).adamBeta2(0.99).steps(30).seed(9L).build();
        assertEquals(chained.toString(), properties.build().toString());
        MutableDataset<Label> data = DeepNetTrainerTest.separable(30, 3, 2);
        assertEquals(WeightDigest.sha256(chained.train(data).getNetwork()),
                WeightDigest.sha256(properties.build().train(data).getNetwork()));
    }

    @Test
    void adamSettingsAreNamedAndRecordedInTheProvenance() {
        DeepNetTrainer trainer = DeepNetTrainer.builder().optimizer(OptimizerKind.ADAM).adamBeta1(0.8).adamBeta2(0.95)
                .adamEpsilon(1e-6).build();
        assertEquals(new DoubleProvenance("adamBeta1", 0.8), trainer.getProvenance().getConfiguredParameters().get("adamBeta1"));
        assertEquals(new DoubleProvenance("adamBeta2", 0.95), trainer.getProvenance().getConfiguredParameters().get("adamBeta2"));
        assertEquals(new DoubleProvenance("adamEpsilon", 1e-6), trainer.getProvenance().getConfiguredParameters().get("adamEpsilon"));
    }

    @Test
    void aBuilderCanBuildSeveralIndependentTrainers() {
        DeepNetTrainerBuilder b = DeepNetTrainer.builder().hidden(3).steps(10);
        DeepNetTrainer first = b.build();
        b.hidden(7, 7).steps(20);
        DeepNetTrainer second = b.build();
        assertTrue(first.toString().contains("hiddenWidths=[3]"), first.toString());
        assertTrue(second.toString().contains("hiddenWidths=[7, 7]"), second.toString());
        assertEquals(10L, first.totalStepsFor(100));
    }

    @Test
    void stepsClearEpochsAndEpochsOverrideSteps() {
        assertEquals(0, DeepNetTrainer.builder().epochs(3).steps(5).getEpochs());
        assertEquals(3L, DeepNetTrainer.builder().steps(5).epochs(3).build().totalStepsFor(10));
    }

    @Test
    void invalidSettingsFailAtBuildNamingTheSetting() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> DeepNetTrainer.builder().setBatchSize(0).build());
        assertTrue(e.getMessage().contains("batch size"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeepNetTrainer.builder().setListenerInterval(-1));
    }

    @Test
    void trainWithATrailingListenerReportsAboutAHundredCheckpointsByDefault() {
        MutableDataset<Label> data = DeepNetTrainerTest.separable(20, 3, 4);
        List<Long> steps = new ArrayList<>();
        DeepNetTrainer.builder().hidden(4).steps(500).build().train(data, (TrainingCheckpoint c) -> steps.add(c.step()));
        assertEquals(0L, steps.get(0));
        assertEquals(5L, steps.get(1), "automatic interval: max(1, 500/100)");
        assertEquals(500L, steps.get(steps.size() - 1));
        assertEquals(101, steps.size());
    }

    @Test
    void theBuildersListenerIntervalApplies() {
        MutableDataset<Label> data = DeepNetTrainerTest.separable(20, 3, 4);
        List<Long> steps = new ArrayList<>();
        DeepNetTrainer trainer = DeepNetTrainer.builder().hidden(4).steps(50).listenerInterval(25)
                .listener(c -> steps.add(c.step())).build();
        trainer.train(data);
        assertEquals(List.of(0L, 25L, 50L), steps);
    }

    @Test
    void aListenerSetOnTheTrainerFollowsTribuosCrossValidation() {
        MutableDataset<Label> data = DeepNetTrainerTest.separable(30, 3, 5);
        DeepNetTrainer trainer = DeepNetTrainer.builder().hidden(4).steps(20).listenerInterval(10).build();
        List<Long> steps = new ArrayList<>();
        trainer.setListener(c -> steps.add(c.step()));
        new CrossValidation<>(trainer, data, new LabelEvaluator(), 3).evaluate();
        assertEquals(List.of(0L, 10L, 20L, 0L, 10L, 20L, 0L, 10L, 20L), steps, "three folds, three checkpoints each");
    }

    @Test
    void theListenerIsNotConfigurationSoItLeavesProvenanceAndWeightsAlone() {
        MutableDataset<Label> data = DeepNetTrainerTest.separable(20, 3, 4);
        DeepNetModel quiet = DeepNetTrainer.builder().hidden(4).steps(40).build().train(data);
        DeepNetModel followed = DeepNetTrainer.builder().hidden(4).steps(40).listener(c -> { }).build().train(data);
        assertEquals(WeightDigest.sha256(quiet.getNetwork()), WeightDigest.sha256(followed.getNetwork()));
        assertEquals(quiet.getProvenance().getTrainerProvenance().getConfiguredParameters(),
                followed.getProvenance().getTrainerProvenance().getConfiguredParameters());
    }
}
