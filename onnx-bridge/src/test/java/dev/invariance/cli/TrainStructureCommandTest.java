package dev.invariance.cli;

import dev.invariance.cli.CliRun.Result;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.network.LayerStructure;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --structure dense|diagonal|circulant}, {@code --structured-output}, {@code --init aligned} and
 * {@code --init constant-diagonal}. */
class TrainStructureCommandTest {
    @TempDir
    Path dir;

    private Path fourFeatures() throws IOException {
        return CliRun.hyperplaneCsv(dir.resolve("data.csv"), 4, new double[] {1.0, -2.0, 0.5, 0.3}, 50);
    }

    private Result train(String name, String... options) throws IOException {
        String[] base = {"train", "--data", fourFeatures().toString(), "--label", "label", "--steps", "200",
                "--output", dir.resolve(name + ".onnx").toString(), "--tribuo-model",
                dir.resolve(name + ".tribuo").toString(), "--provenance", dir.resolve(name + ".json").toString()};
        String[] args = new String[base.length + options.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(options, 0, args, base.length, options.length);
        return invariance(args);
    }

    @Test
    void diagonalTrainsDiagonalHiddenLayersAndReplaysBitForBit() throws IOException {
        Result first = train("diag", "--structure", "diagonal", "--hidden", "4,4", "--no-bias");
        assertEquals(0, first.code(), first.err());
        DeepNetModel model = DeepNetModel.deserializeFromFile(dir.resolve("diag.tribuo"));
        assertEquals(LayerStructure.DIAGONAL, model.getStructure());
        for (int layer = 0; layer < 2; layer++) {
            WeightMatrix w = model.getNetwork().layer(layer).weights();
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    if (i == j) {
                        assertNotEquals(0.0, w.get(i, j));
                    } else {
                        assertEquals(0.0, w.get(i, j), "layer " + layer + " (" + i + ", " + j + ")");
                    }
                }
            }
        }
        Result replay = invariance("train", "--from-provenance", dir.resolve("diag.json").toString(),
                "--output", dir.resolve("again.onnx").toString());
        assertEquals(0, replay.code(), replay.err());
        assertEquals(TrainCommandTest.digest(first.out()), TrainCommandTest.digest(replay.out()), "bit-identical weights");
    }

    @Test
    void circulantTrainsCirculantHiddenLayers() throws IOException {
        Result r = train("circ", "--structure", "circulant", "--hidden", "4");
        assertEquals(0, r.code(), r.err());
        DeepNetModel model = DeepNetModel.deserializeFromFile(dir.resolve("circ.tribuo"));
        assertEquals(LayerStructure.CIRCULANT, model.getStructure());
        WeightMatrix w = model.getNetwork().layer(0).weights();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(w.get(i, j), w.get((i + 1) % 4, (j + 1) % 4), "W[i][j] = c[(i - j) mod 4]");
            }
        }
    }

    /** Four features and four classes ({@code k = d}): the output layer of a d → d → d net can be circulant too. */
    @Test
    void structuredOutputMakesTheOutputLayerCirculantAndReplaysBitForBit() throws IOException {
        Random rng = new Random(3);
        StringBuilder csv = new StringBuilder("a,b,c,d,label\n");
        for (int n = 0; n < 60; n++) {
            double[] x = new double[4];
            int best = 0;
            for (int j = 0; j < 4; j++) {
                x[j] = rng.nextGaussian();
                best = x[j] > x[best] ? j : best;
            }
            csv.append(String.format(Locale.ROOT, "%.6f,%.6f,%.6f,%.6f,class%d%n", x[0], x[1], x[2], x[3], best));
        }
        Path data = Files.writeString(dir.resolve("four.csv"), csv.toString());
        Result first = invariance("train", "--data", data.toString(), "--label", "label", "--steps", "200",
                "--structure", "circulant", "--structured-output", "--hidden", "4", "--no-bias",
                "--output", dir.resolve("conv.onnx").toString(), "--tribuo-model", dir.resolve("conv.tribuo").toString(),
                "--provenance", dir.resolve("conv.json").toString());
        assertEquals(0, first.code(), first.err());
        DeepNetModel model = DeepNetModel.deserializeFromFile(dir.resolve("conv.tribuo"));
        for (int layer = 0; layer < 2; layer++) {
            WeightMatrix w = model.getNetwork().layer(layer).weights();
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(w.get(i, j), w.get((i + 1) % 4, (j + 1) % 4), "layer " + layer + ": circulant");
                }
            }
        }
        Result replay = invariance("train", "--from-provenance", dir.resolve("conv.json").toString(),
                "--output", dir.resolve("again.onnx").toString());
        assertEquals(0, replay.code(), replay.err());
        assertEquals(TrainCommandTest.digest(first.out()), TrainCommandTest.digest(replay.out()), "bit-identical weights");
    }

    @Test
    void alignedInitTrainsAndReplaysBitForBit() throws IOException {
        Result first = train("aligned", "--init", "aligned", "--init-scale", "0.3", "--hidden", "4,4", "--no-bias");
        assertEquals(0, first.code(), first.err());
        Result replay = invariance("train", "--from-provenance", dir.resolve("aligned.json").toString(),
                "--output", dir.resolve("again.onnx").toString());
        assertEquals(0, replay.code(), replay.err());
        assertEquals(TrainCommandTest.digest(first.out()), TrainCommandTest.digest(replay.out()), "bit-identical weights");
    }

    @Test
    void constantDiagonalInitTrainsADiagonalNetAndReplaysBitForBit() throws IOException {
        Result first = train("constant", "--structure", "diagonal", "--hidden", "4", "--no-bias", "--init",
                "constant-diagonal", "--init-scale", "0.1");
        assertEquals(0, first.code(), first.err());
        DeepNetModel model = DeepNetModel.deserializeFromFile(dir.resolve("constant.tribuo"));
        assertEquals("CONSTANT_DIAGONAL", model.getProvenance().getTrainerProvenance().getConfiguredParameters()
                .get("initialization").toString());
        Result replay = invariance("train", "--from-provenance", dir.resolve("constant.json").toString(),
                "--output", dir.resolve("again.onnx").toString());
        assertEquals(0, replay.code(), replay.err());
        assertEquals(TrainCommandTest.digest(first.out()), TrainCommandTest.digest(replay.out()), "bit-identical weights");
        assertBadInput("constant-diagonal initialisation needs every hidden width equal to the number of features,"
                + " got widths [4, 3, 1]", "--hidden", "3", "--init", "constant-diagonal");
    }

    @Test
    void anUnknownStructureAndWidthsOtherThanTheFeatureCountGetOneLine() throws IOException {
        assertBadInput("unknown structure 'conv' (expected dense, diagonal or circulant)",
                "--structure", "conv", "--hidden", "4");
        assertBadInput("structure diagonal needs every hidden width to equal the number of features 4, got hidden"
                + " widths [4, 5]", "--structure", "diagonal", "--hidden", "4,5");
        assertBadInput("structure circulant is initialised with gaussian, identity or constant-diagonal, not orthogonal",
                "--structure", "circulant", "--hidden", "4", "--init", "orthogonal");
        assertBadInput("a structured output layer must be square: 1 output but 4 features",
                "--structure", "circulant", "--hidden", "4", "--structured-output");
        assertBadInput("a structured output layer needs a structure (diagonal or circulant), got dense",
                "--hidden", "4", "--structured-output");
    }

    private void assertBadInput(String expected, String... options) throws IOException {
        Result r = train("bad", options);
        assertEquals(2, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(expected), err);
    }
}
