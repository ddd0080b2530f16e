package dev.invariance.onnx.reading;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.deepnet.regression.DeepNetRegressionModel;
import dev.invariance.deepnet.regression.DeepNetRegressionTrainer;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.NetworkDescription;
import dev.invariance.training.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A diagonal or circulant network exports to ONNX as the dense W it equals (Gemm, float32) and our reader gives it
 * back: trained in float32, every W read is the model's W exactly and the analyzer's figures agree to rounding.
 */
class StructuredExportTest {
    /** Relative agreement of figures computed from identical float32 weights along the two load paths. */
    private static final double TOLERANCE = 1e-12;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = LayerStructure.class, names = {"DIAGONAL", "CIRCULANT"})
    void theExportReadsBackWithTheSameWeightsAndFigures(LayerStructure structure) throws IOException {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(40, 5, 0.0, 4));
        DeepNetModel model = DeepNetTrainer.builder().hidden(5, 5).structure(structure).initScale(0.5)
                .precision(Precision.FLOAT32).steps(300).build().train(data);
        assertEquals(structure, model.getStructure());
        Path onnx = dir.resolve(structure.getConfigName() + ".onnx");
        model.saveONNXModel("dev.invariance", 1, onnx);
        NetworkDescription trained = model.getNetwork();
        try (OnnxModel read = OnnxModelReader.open(onnx)) {
            NetworkDescription back = read.readAll();
            assertEquals(trained.depth(), back.depth());
            for (int i = 0; i < trained.depth(); i++) {
                assertArrayEquals(trained.layer(i).weights().toRowMajorArray(), back.layer(i).weights().toRowMajorArray(),
                        0.0, "W of layer " + i);
            }
            double[] first = back.layer(0).weights().toRowMajorArray();
            assertNotEquals(0.0, first[structure == LayerStructure.DIAGONAL ? 0 : 5], "the layer was trained");
            AnalysisReport memory = WeightAnalyzer.create().analyze(trained);
            AnalysisReport file = WeightAnalyzer.create().analyze(read);
            assertEquals(memory.layers().size(), file.layers().size());
            for (int i = 0; i < memory.layers().size(); i++) {
                LayerMetrics m = memory.layers().get(i);
                LayerMetrics f = file.layers().get(i);
                close(m.spectralNorm(), f.spectralNorm(), "spectral norm of layer " + i);
                close(m.frobeniusNorm(), f.frobeniusNorm(), "Frobenius norm of layer " + i);
                close(m.rank1Ratio(), f.rank1Ratio(), "rank-1 ratio of layer " + i);
                close(m.stableRank(), f.stableRank(), "stable rank of layer " + i);
                assertEquals(m.numericalRank(), f.numericalRank(), "numerical rank of layer " + i);
            }
            assertEquals(memory.pairs().size(), file.pairs().size());
            for (int i = 0; i < memory.pairs().size(); i++) {
                PairMetrics m = memory.pairs().get(i);
                PairMetrics f = file.pairs().get(i);
                close(m.adjacentAlignment(), f.adjacentAlignment(), "alignment of pair " + i);
                close(Objects.requireNonNull(m.commutatorScore()), Objects.requireNonNull(f.commutatorScore()),
                        "commutator of pair " + i);
            }
        }
    }

    /**
     * A regression net d → d → d with {@code structuredOutput(true)} (science.md E2d's two circulant layers), trained
     * in float32: both layers export as the circulant W they are and read back unchanged.
     */
    @Test
    void aCirculantOutputLayerReadsBackWithTheSameWeights() throws IOException {
        int d = 4;
        String[] targets = {"t0", "t1", "t2", "t3"};
        String[] features = {"x0", "x1", "x2", "x3"};
        Random rng = new Random(8);
        RegressionFactory factory = new RegressionFactory();
        MutableDataset<Regressor> data = new MutableDataset<>(new SimpleDataSourceProvenance("circulant", factory),
                factory);
        for (int n = 0; n < 20; n++) {
            double[] x = new double[d];
            for (int j = 0; j < d; j++) {
                x[j] = rng.nextGaussian();
            }
            double[] y = {x[0] - x[3], x[1] - x[0], x[2] - x[1], x[3] - x[2]}; // y = (I − shift) x, circulant
            data.add(new ArrayExample<>(new Regressor(targets, y), features, x));
        }
        DeepNetRegressionModel model = DeepNetRegressionTrainer.builder().hidden(d).structure(LayerStructure.CIRCULANT)
                .structuredOutput(true).initScale(0.5).learningRate(0.05).precision(Precision.FLOAT32).steps(100)
                .build().train(data);
        Path onnx = dir.resolve("circulant-output.onnx");
        model.saveONNXModel("dev.invariance", 1, onnx);
        NetworkDescription trained = model.getNetwork();
        try (OnnxModel read = OnnxModelReader.open(onnx)) {
            NetworkDescription back = read.readAll();
            assertEquals(2, back.depth());
            for (int i = 0; i < 2; i++) {
                double[] w = trained.layer(i).weights().toRowMajorArray();
                assertArrayEquals(w, back.layer(i).weights().toRowMajorArray(), 0.0, "W of layer " + i);
                for (int r = 0; r < d; r++) {
                    for (int c = 0; c < d; c++) {
                        assertEquals(w[r * d + c], w[((r + 1) % d) * d + (c + 1) % d], "layer " + i + " circulant");
                    }
                }
            }
        }
    }

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, TOLERANCE * Math.max(1.0, Math.abs(expected)), what);
    }
}
