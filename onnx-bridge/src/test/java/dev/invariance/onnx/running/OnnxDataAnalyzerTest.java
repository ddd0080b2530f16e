package dev.invariance.onnx.running;

import dev.invariance.onnx.running.internal.OrtSessions;
import dev.invariance.onnx.running.internal.SingleScoreLabelTransformer;
import dev.invariance.onnx.reading.OnnxAnalysis;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.evaluation.EvaluationJson;
import dev.invariance.evaluation.DataAnalysis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.invariance.onnx.running.OrtFixtures.FIXTURES;
import static dev.invariance.onnx.running.OrtFixtures.reference;
import static dev.invariance.onnx.running.OrtFixtures.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX Runtime probe on PyTorch-exported models against numpy (make_ort_fixtures.py): activation sets, the
 * stable-submatrix metrics, and the LabelEvaluation against ONNX Runtime's own outputs.
 */
class OnnxDataAnalyzerTest {
    /** float64 SVDs of the same float32 weights: agreement to rounding of a few dozen flops. */
    private static final double METRIC_TOLERANCE = 1e-9;

    static OnnxDataEvaluation run(String name, OnnxDataOptions options) {
        return OnnxDataAnalyzer.create(WeightAnalyzer.create(), options)
                .analyze(source(name), FIXTURES.resolve(name + ".csv"), "label", note -> { });
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_bias", "mlp_nobias", "residual", "binary_logit", "binary_probability", "softmax",
            "input3d", "branches", "split_heads"})
    void activationSetsAndStableSubmatrixMetricsEqualNumpy(String name) throws Exception {
        JsonNode ref = reference(name);
        // batches of 7 rows: partial last batch, statistics carried across batches
        OnnxDataEvaluation result = run(name, OnnxDataOptions.defaults().withBatchSize(7));
        DataAnalysis data = result.evaluation().getDataAnalysis();
        assertNotNull(data);
        assertEquals(ref.path("examples").asInt(), data.examples());
        assertEquals(ref.path("examples").asLong(), result.execution().examples());
        assertEquals(OrtSessions.CPU_PROVIDER, result.execution().provider());

        JsonNode layers = ref.path("layers");
        List<LayerActivation> relu = data.activations();
        int k = 0;
        for (int i = 0; i < layers.size(); i++) {
            JsonNode l = layers.get(i);
            if (!l.path("relu").asBoolean()) {
                continue;
            }
            LayerActivation a = relu.get(k++);
            assertEquals(i, a.layer());
            assertEquals(ints(l.path("stably_active")), a.stablyActive(), name + " layer " + i + " S");
            assertEquals(ints(l.path("stably_dead")), a.stablyDead(), name + " layer " + i + " Z");
            assertEquals(l.path("unstable").asInt(), a.unstableCount(), name + " layer " + i + " unstable");
        }
        assertEquals(k, relu.size(), "one pattern per ReLU layer");

        StableSubmatrixMetrics stable = data.stable();
        assertNotNull(stable);
        for (int i = 0; i < layers.size(); i++) {
            JsonNode l = layers.get(i);
            StableSubmatrixMetrics.StableLayer s = stable.layers().get(i);
            assertEquals(ints(l.path("stable_rows")), s.rows());
            JsonNode columns = l.path("stable_columns");
            assertEquals(columns.isNull() ? null : ints(columns), s.columns(), name + " layer " + i + " C");
            assertEquals(columns.isNull(), s.reason() != null && s.reason().contains("sum of several producers"),
                    name + " layer " + i + ": " + s.reason());
            JsonNode m = l.path("stable_metrics");
            LayerMetrics got = s.metrics();
            if (m.isNull()) {
                assertNull(got, name + " layer " + i);
                continue;
            }
            assertNotNull(got, name + " layer " + i);
            close(m, "spectral_norm", got.spectralNorm());
            close(m, "frobenius_norm", got.frobeniusNorm());
            close(m, "rank1_ratio", got.rank1Ratio());
            close(m, "stable_rank", got.stableRank());
            close(m, "effective_rank", got.effectiveRank());
        }
        for (JsonNode p : ref.path("pairs")) {
            StableSubmatrixMetrics.StablePair got = null;
            for (StableSubmatrixMetrics.StablePair sp : stable.pairs()) {
                if (sp.from() == p.path("from").asInt() && sp.to() == p.path("to").asInt()) {
                    got = sp;
                }
            }
            assertNotNull(got, name + " pair " + p);
            JsonNode m = p.path("stable_metrics");
            PairMetrics pm = got.metrics();
            if (m.isNull()) {
                assertNull(pm);
                continue;
            }
            assertNotNull(pm);
            close(m, "adjacent_alignment", pm.adjacentAlignment());
            close(m, "weighted_alignment", pm.weightedAlignment());
            close(m, "commutator_score", pm.commutatorScore());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_bias", "mlp_nobias", "residual", "binary_logit", "binary_probability", "softmax",
            "input3d", "branches", "split_heads"})
    void labelEvaluationEqualsOnnxRuntimesOwnOutputs(String name) throws Exception {
        JsonNode ref = reference(name);
        OnnxDataEvaluation result = run(name, OnnxDataOptions.defaults());
        LabelEvaluation evaluation = result.evaluation().getLabelEvaluation();
        assertNotNull(evaluation);
        List<String> classes = new ArrayList<>();
        ref.path("classes").forEach(c -> classes.add(c.asText()));

        // ONNX Runtime's own outputs of the unmodified model, all rows in one call
        OrtFixtures.Table table = OrtFixtures.table(FIXTURES.resolve(name + ".csv"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<String> expected = new ArrayList<>();
        try (OrtSession session = env.createSession(FIXTURES.resolve(name + ".onnx").toString());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(table.values()), shape(ref, table));
             OrtSession.Result r = session.run(Map.of("input", x))) {
            float[][] scores = (float[][]) r.get(0).getValue();
            for (float[] s : scores) {
                int best = 0;
                if (s.length == 1) {
                    // one column: a probability of the second class after a Sigmoid, else a logit
                    best = s[0] > (name.equals("binary_probability") ? 0.5f : 0f) ? 1 : 0;
                } else {
                    for (int j = 1; j < s.length; j++) {
                        if (s[j] > s[best]) {
                            best = j;
                        }
                    }
                }
                expected.add(classes.get(best));
            }
        }
        List<Prediction<Label>> predictions = evaluation.getPredictions();
        assertEquals(expected.size(), predictions.size());
        int correct = 0;
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), predictions.get(i).getOutput().getLabel(), name + " example " + i);
            assertEquals(table.labels().get(i), predictions.get(i).getExample().getOutput().getLabel());
            correct += expected.get(i).equals(table.labels().get(i)) ? 1 : 0;
        }
        double accuracy = (double) correct / expected.size();
        assertEquals(accuracy, evaluation.accuracy(), 1e-12);
        assertEquals(ref.path("accuracy").asDouble(), evaluation.accuracy(), 1e-12, "numpy's accuracy");
        for (String c : classes) {
            long tp = 0;
            long fp = 0;
            for (int i = 0; i < expected.size(); i++) {
                tp += expected.get(i).equals(c) && table.labels().get(i).equals(c) ? 1 : 0;
                fp += expected.get(i).equals(c) && !table.labels().get(i).equals(c) ? 1 : 0;
            }
            assertEquals(tp, evaluation.tp(new Label(c)), 0.0, c);
            assertEquals(fp, evaluation.fp(new Label(c)), 0.0, c);
        }
        assertTrue(result.evaluation().getProvenance().getTestDatasetProvenance() instanceof OnnxDataProvenance p
                && p.getExecutionProvider().equals(OrtSessions.CPU_PROVIDER));
        // Tribuo's LabelEvaluation is made against a model carrying the reader's provenance, as the whole evaluation's
        assertEquals(OnnxModel.class.getName(), evaluation.getProvenance().getModelProvenance().getClassName());
        assertEquals(result.evaluation().getProvenance().getModelProvenance(),
                evaluation.getProvenance().getModelProvenance());
        // (its data-source creation time is the reading's, so compare the trainer side: file hash and location)
        assertEquals(OnnxAnalysis.provenance(OnnxModelReader.open(FIXTURES.resolve(name + ".onnx"))).getTrainerProvenance(),
                result.evaluation().getProvenance().getModelProvenance().getTrainerProvenance());
    }

    @ParameterizedTest
    @ValueSource(strings = {"binary_logit", "binary_probability", "softmax"})
    void scoresAreProbabilitiesExactlyWhenTheModelEndsInSoftmaxOrSigmoid(String name) {
        OnnxDataEvaluation result = run(name, OnnxDataOptions.defaults());
        Prediction<Label> p = result.evaluation().getPredictions().get(0);
        assertEquals(!name.equals("binary_logit"), p.hasProbabilities());
        if (!name.equals("binary_logit")) {
            // softmax columns, or [1 - p, p] from one Sigmoid column
            double sum = p.getOutputScores().values().stream().mapToDouble(Label::getScore).sum();
            assertEquals(1.0, sum, 1e-6);
        } else {
            // a logit z becomes the scores [0, z]
            assertEquals(0.0, p.getOutputScores().get("neg").getScore());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_bias", "input3d"})
    void jsonCarriesActivationsStableSubmatricesAndExecution(String name) throws Exception {
        OnnxDataEvaluation result = run(name, OnnxDataOptions.defaults());
        JsonNode root = new ObjectMapper().readTree(EvaluationJson.write(result.evaluation(), name + ".onnx"));
        JsonNode ref = reference(name);
        JsonNode acts = root.path("activations");
        int reluLayers = 0;
        for (JsonNode l : ref.path("layers")) {
            reluLayers += l.path("relu").asBoolean() ? 1 : 0;
        }
        assertEquals(reluLayers, acts.size());
        JsonNode first = ref.path("layers").get(0);
        assertEquals(first.path("stably_active").size(), acts.get(0).path("stably_active").asInt());
        assertEquals(first.path("stably_dead").size(), acts.get(0).path("stably_dead").asInt());
        assertEquals(first.path("unstable").asInt(), acts.get(0).path("unstable").asInt());
        assertFalse(acts.get(0).path("layer").asText().isEmpty());
        assertEquals(ref.path("layers").size(), root.path("stable_submatrix").path("layers").size());
        JsonNode e = root.path("execution");
        assertEquals("CPUExecutionProvider", e.path("provider").asText());
        assertTrue(e.path("device_id").isNull());
        assertEquals(OrtEnvironment.getEnvironment().getVersion(), e.path("onnxruntime_version").asText());
        assertEquals(ref.path("examples").asInt(), e.path("examples").asInt());
        assertTrue(e.path("seconds").asDouble() > 0);
        assertTrue(root.path("classification").path("accuracy").isNumber());
    }

    @org.junit.jupiter.api.Test
    void externalDataIsFoundNextToTheModelWhateverTheWorkingDirectory() {
        // mlp_external.onnx is mlp_bias.onnx with its weights in mlp_external.data; the working directory is the
        // module, not the fixtures folder, so a copy opened from memory would miss the data file
        OnnxDataEvaluation external = OnnxDataAnalyzer.create(WeightAnalyzer.create(), OnnxDataOptions.defaults())
                .analyze(source("mlp_external"), FIXTURES.resolve("mlp_bias.csv"), "label", note -> { });
        OnnxDataEvaluation inline = run("mlp_bias", OnnxDataOptions.defaults());
        DataAnalysis a = external.evaluation().getDataAnalysis();
        DataAnalysis b = inline.evaluation().getDataAnalysis();
        assertNotNull(a);
        assertNotNull(b);
        assertEquals(b.activations(), a.activations());
        assertNotNull(external.evaluation().getLabelEvaluation());
        assertEquals(reference("mlp_bias").path("accuracy").asDouble(),
                external.evaluation().getLabelEvaluation().accuracy(), 1e-12);
    }

    @org.junit.jupiter.api.Test
    void exactZerosAreTiesCountedAsInactive(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // mlp_nobias has no biases: an all-zero example gives h = 0 exactly in every unit of both ReLU layers, so
        // every unit is tied once, no unit stays stably active, and the stably dead units of numpy stay dead
        List<String> lines = Files.readAllLines(FIXTURES.resolve("mlp_nobias.csv"));
        lines.add("0,0,0,0,0,no");
        Path csv = Files.write(dir.resolve("with_zero.csv"), lines);
        OnnxDataEvaluation r = OnnxDataAnalyzer.create(WeightAnalyzer.create(), OnnxDataOptions.defaults().withBatchSize(8))
                .analyze(source("mlp_nobias"), csv, "label", note -> { });
        JsonNode ref = reference("mlp_nobias").path("layers");
        DataAnalysis data = r.evaluation().getDataAnalysis();
        assertNotNull(data);
        for (int i = 0; i < 2; i++) {
            LayerActivation a = data.activations().get(i);
            int d = ref.get(i).path("shape").get(0).asInt();
            assertEquals(List.of(), a.stablyActive(), "layer " + i);
            assertEquals(ints(ref.get(i).path("stably_dead")), a.stablyDead(), "layer " + i);
            assertEquals(d - a.stablyDead().size(), a.unstableCount());
            assertEquals(d, a.tiedUnitCount());
            assertEquals(d, a.tieCount());
        }
    }

    @org.junit.jupiter.api.Test
    void withoutTheLabelEvaluationNoPredictionIsKeptAndTheFiguresAreTheSame() {
        OnnxDataEvaluation without = run("residual", OnnxDataOptions.defaults().withLabelEvaluation(false));
        OnnxDataEvaluation with = run("residual", OnnxDataOptions.defaults());
        assertNull(without.evaluation().getLabelEvaluation());
        assertTrue(without.evaluation().getPredictions().isEmpty());
        DataAnalysis a = without.evaluation().getDataAnalysis();
        DataAnalysis b = with.evaluation().getDataAnalysis();
        assertNotNull(a);
        assertNotNull(b);
        assertEquals(b.activations(), a.activations());
        assertEquals(b.stable(), a.stable());
        assertEquals(with.evaluation().getProvenance().getModelProvenance().getTrainerProvenance(),
                without.evaluation().getProvenance().getModelProvenance().getTrainerProvenance());
    }

    @org.junit.jupiter.api.Test
    void singleScoreTransformerSurvivesTribuosProtobufRoundTrip() throws Exception {
        for (boolean probability : new boolean[] {false, true}) {
            SingleScoreLabelTransformer t = new SingleScoreLabelTransformer(probability);
            org.tribuo.interop.onnx.protos.OutputTransformerProto proto = t.serialize();
            Object back = org.tribuo.protos.ProtoUtil.deserialize(proto);
            assertEquals(t, back);
            assertEquals(probability, ((SingleScoreLabelTransformer) back).generatesProbabilities());
        }
    }

    private static long[] shape(JsonNode ref, OrtFixtures.Table table) {
        int n = table.labels().size();
        return ref.path("model").asText().startsWith("input3d") ? new long[] {n, 4, 3}
                : new long[] {n, table.values().length / n};
    }

    private static void close(JsonNode m, String key, double got) {
        double want = m.path(key).asDouble();
        assertEquals(want, got, METRIC_TOLERANCE * Math.max(1, Math.abs(want)), key);
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asInt()));
        return out;
    }
}
