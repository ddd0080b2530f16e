package dev.invariance.deepnet;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import dev.invariance.compression.RankChoice;
import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import dev.invariance.training.LossFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.test.Helpers;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DeepNetModel#compress}: predictions within the truncation bound, provenance, serialisation and ONNX. */
class DeepNetModelCompressionTest {
    /** W0 (4 × 6) = diag(4, 2, 1, 0.5) padded: σ = 4, 2, 1, 0.5, so its rank-2 truncation is diag(4, 2, 0, 0). */
    private static final double[] SIGMA = {4, 2, 1, 0.5};
    private static final double[][] W1 = {{0.3, -1.2, 0.7, 0.4}, {-0.5, 0.2, 1.1, -0.9}, {0.8, 0.6, -0.3, 0.2}};
    private static final double[] B0 = {0.1, -0.2, 0.3, 0.05};
    private static final double[] B1 = {0.2, 0.0, -0.1};

    /**
     * A linear 6 → 4 → 3 network with the hand-built W0, W1 above, in a model whose features and classes come from a
     * trained model of the same shape (squared loss: the class scores are the raw outputs f(x)).
     */
    private static DeepNetModel handBuilt() {
        MutableDataset<Label> data = DeepNetTrainerTest.separableMultiClass(30, 6, 3, 7);
        DeepNetModel trained = DeepNetTrainer.builder().hidden(4).loss(LossFunction.SQUARED).steps(5).build()
                .train(data);
        double[] w0 = new double[4 * 6];
        for (int i = 0; i < 4; i++) {
            w0[i * 6 + i] = SIGMA[i];
        }
        NetworkDescription net = NetworkDescription.chain("hand-built", List.of(
                new DenseLayer("layer-0", "Dense", WeightMatrix.fromRowMajor(4, 6, w0), BiasVector.of(B0),
                        Activation.LINEAR, ElementType.FLOAT64),
                new DenseLayer("layer-1", "Dense", WeightMatrix.fromRows(W1), BiasVector.of(B1), Activation.LINEAR,
                        ElementType.FLOAT64)));
        return new DeepNetModel(trained.getName(), trained.getProvenance(), trained.getFeatureIDMap(),
                trained.getOutputIDInfo(), net, LossFunction.SQUARED, trained.getLossCurve(), trained.getStepsRun(),
                trained.getStopReason(), null, LayerStructure.DENSE);
    }

    /** W1 (W0_r x + b0) + b1 with W0_r = diag(σ_1..σ_r, 0…): computed here, independently of the compression. */
    private static double[] truncatedOutputs(double[] x, int rank) {
        double[] h = new double[4];
        for (int i = 0; i < 4; i++) {
            h[i] = (i < rank ? SIGMA[i] * x[i] : 0.0) + B0[i];
        }
        double[] f = new double[3];
        for (int c = 0; c < 3; c++) {
            f[c] = B1[c];
            for (int i = 0; i < 4; i++) {
                f[c] += W1[c][i] * h[i];
            }
        }
        return f;
    }

    private static double[] scores(DeepNetModel model, Example<Label> e) {
        Map<String, Label> s = model.predict(e).getOutputScores();
        double[] out = new double[3];
        for (int id = 0; id < 3; id++) {
            out[id] = s.get(model.getOutputIDInfo().getOutput(id).getLabel()).getScore();
        }
        return out;
    }

    @Test
    void factoredLinearNetworkGivesTheTruncatedOutputsWithinTheBound() {
        DeepNetModel model = handBuilt();
        // rank 2: W0 (4 x 6, saving up to rank 2) factored; W1 (3 x 4, saving only at rank 1) kept
        DeepNetModel small = model.compress(RankChoice.fixedRank(2));
        NetworkDescription net = small.getNetwork();
        assertEquals(3, net.depth());
        assertEquals(List.of("layer-0-R", "layer-0-L", "layer-1"), net.layers().stream().map(DenseLayer::name).toList());
        assertFalse(net.layer(0).hasBias(), "R carries no bias");
        assertEquals(Activation.LINEAR, net.layer(0).activation());
        assertEquals(2, net.layer(0).outputWidth());
        // ‖W1‖_F ≥ ‖W1‖₂: the bound ‖f(x) − f_r(x)‖ ≤ ‖W1‖₂ σ_3 ‖x‖ loosened to the Frobenius norm
        double w1Frobenius = WeightMatrix.fromRows(W1).frobeniusNorm();
        MutableDataset<Label> data = DeepNetTrainerTest.separableMultiClass(40, 6, 3, 11);
        for (Example<Label> e : data) {
            double[] x = model.featureVector(e);
            double[] expected = truncatedOutputs(x, 2);
            double[] actual = scores(small, e);
            double[] original = scores(model, e);
            double diff = 0;
            double norm = 0;
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c], actual[c], 1e-12 * Math.max(1, Math.abs(expected[c])));
                diff += (original[c] - actual[c]) * (original[c] - actual[c]);
            }
            for (double v : x) {
                norm += v * v;
            }
            assertTrue(Math.sqrt(diff) <= w1Frobenius * SIGMA[2] * Math.sqrt(norm) + 1e-12,
                    "moved " + Math.sqrt(diff) + " beyond the bound");
        }
    }

    @Test
    void provenanceKeepsTheSourceAndRecordsTheSettingsAndLayers() {
        DeepNetModel model = handBuilt();
        DeepNetModel small = model.compress(RankChoice.fixedRank(2));
        ModelProvenance p = small.getProvenance();
        assertEquals(model.getProvenance().getTrainerProvenance(), p.getTrainerProvenance());
        assertEquals(model.getProvenance().getDatasetProvenance(), p.getDatasetProvenance());
        Map<String, ? extends Provenance> instance = p.getInstanceProvenance().getMap();
        assertEquals(model.getProvenance(), instance.get(DeepNetModel.COMPRESSED_FROM));
        assertEquals("rank 2", instance.get(DeepNetModel.COMPRESSION_SETTINGS).toString());
        ListProvenance<?> layers = (ListProvenance<?>) instance.get(DeepNetModel.COMPRESSION_LAYERS);
        assertEquals(2, layers.getList().size());
        Map<String, ?> first = ((MapProvenance<?>) layers.getList().get(0)).getMap();
        assertEquals("layer-0", first.get("name").toString());
        assertEquals("2", first.get("rank").toString());
        assertEquals(1.0, Double.parseDouble(first.get("error").toString()), 1e-12, "σ_3 of W0");
        Map<String, ?> second = ((MapProvenance<?>) layers.getList().get(1)).getMap();
        assertEquals("0", second.get("rank").toString(), "W1 kept");
    }

    @Test
    void compressedModelRoundTripsThroughProtobufAndJavaSerialisation() {
        DeepNetModel small = handBuilt().compress(RankChoice.fixedRank(2));
        MutableDataset<Label> data = DeepNetTrainerTest.separableMultiClass(40, 6, 3, 11);
        Model<Label> back = Helpers.testModelProtoSerialization(small, Label.class, data);
        assertEquals(small.getNetwork(), ((DeepNetModel) back).getNetwork());
        assertEquals(small.getProvenance(), back.getProvenance());
        Helpers.testModelSerialization(small, Label.class);
    }

    @Test
    void trainedReluNetworkWithSkipsCompressesAndExportsToOnnx(@TempDir Path dir) throws Exception {
        MutableDataset<Label> data = DeepNetTrainerTest.separableMultiClass(60, 8, 3, 3);
        DeepNetModel model = DeepNetTrainer.builder().hidden(12, 12).activation(Activation.RELU).bias(true)
                .skipConnections(true).learningRate(0.05).steps(200).build().train(data);
        DeepNetModel small = model.compress(RankChoice.energy(0.9));
        List<String> names = small.getNetwork().layers().stream().map(DenseLayer::name).toList();
        assertTrue(names.contains("layer-1"), "the residual layer 12 x 12 is kept: " + names);
        List<Boolean> residual = small.getNetwork().residualLayers();
        for (int i = 0; i < names.size(); i++) {
            assertEquals(names.get(i).equals("layer-1"), residual.get(i), "only layer-1 keeps its skip: " + names);
        }
        assertTrue(names.size() > 3, "some layer is factored: " + names);
        Path file = dir.resolve("small.onnx");
        small.saveONNXModel("dev.invariance.test", 1, file);
        DeepNetModelSerializationTest.compareWithOnnxRuntime(small, file, data);
    }

    @Test
    void structuredModelsAreRefusedInOneLine() {
        MutableDataset<Label> data = DeepNetTrainerTest.separableMultiClass(30, 4, 3, 5);
        DeepNetModel model = DeepNetTrainer.builder().hidden(4).structure(LayerStructure.CIRCULANT).steps(5).build()
                .train(data);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.compress(RankChoice.fixedRank(1)));
        assertTrue(e.getMessage().contains("circulant") && !e.getMessage().contains("\n"), e.getMessage());
    }
}
