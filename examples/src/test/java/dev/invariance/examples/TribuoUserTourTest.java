package dev.invariance.examples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the Kotlin user tour ({@code TribuoUserTour.kt}, compiled with {@code -Werror}) and holds the library to
 * what it shows: the listener reaches both a direct and a Tribuo-driven {@code train}, lookups by name and by typed
 * id agree, and the model survives ONNX, Java serialisation and protobuf.
 */
class TribuoUserTourTest {
    @TempDir
    static Path dir;

    private static TribuoUserTourResult result;

    @BeforeAll
    static void runTour() {
        result = TribuoUserTour.runTribuoUserTour(dir);
    }

    @Test
    void readsBothCsvFiles() {
        assertEquals(80, result.getTrainExamples());
        assertEquals(40, result.getTestExamples());
    }

    @Test
    void theTrailingLambdaSeesAboutAHundredCheckpointsAndTheLossFalls() {
        List<Double> losses = result.getCheckpointLosses();
        assertEquals(101, losses.size(), "300 steps at the automatic interval of 3, plus step 0");
        assertTrue(losses.get(losses.size() - 1) < 0.5 * losses.get(0), losses.get(0) + " -> " + losses.get(losses.size() - 1));
        assertEquals(result.getFinalLoss(), losses.get(losses.size() - 1));
    }

    @Test
    void theTrainersListenerFollowsEveryCrossValidationFold() {
        List<Long> oneRun = new ArrayList<>();
        for (long s = 0; s <= 300; s += 3) {
            oneRun.add(s);
        }
        List<Long> threeFolds = new ArrayList<>();
        for (int fold = 0; fold < 3; fold++) {
            threeFolds.addAll(oneRun);
        }
        assertEquals(threeFolds, result.getCrossValidationSteps());
    }

    @Test
    void classifiesTheSeparableSensorsWell() {
        assertTrue(result.getCrossValidationAccuracy() > 0.85, "cross-validation accuracy " + result.getCrossValidationAccuracy());
        assertTrue(result.getTestAccuracy() > 0.9, "test accuracy " + result.getTestAccuracy());
    }

    @Test
    void lookupByNameAndByTypedIdGiveTheSameFigures() {
        assertEquals(List.of("layer-0", "layer-1", "layer-2"), result.getLayerNames());
        assertEquals(result.getRank1RatioByName(), result.getRank1RatioById());
        assertEquals(result.getTopAlignmentByName(), result.getTopAlignmentById());
        assertTrue(result.getRank1RatioByName() > 1 / Math.sqrt(4) && result.getRank1RatioByName() <= 1,
                "ρ of a 8×4 matrix lies in [1/√4, 1]: " + result.getRank1RatioByName());
    }

    @Test
    void analysisOptionsSetThroughKotlinPropertiesApply() {
        // layers 8×4, 8×8, 1×8: the top 3 of min(d_out, d_in) = 4, 8, 1 singular values
        assertEquals(List.of(3, 3, 1), result.getSingularValuesListed());
    }

    @Test
    void theAnalysisReportsEachLayerAndEdgeToATrailingLambda() {
        // 3 layers and 2 edges: the start, then one update each, one count up by one at a time (in full mode a
        // pair is reported as soon as both its layers are done, so layers and pairs may interleave)
        List<Integer> layersDone = new ArrayList<>();
        List<Integer> pairsDone = new ArrayList<>();
        result.getAnalysisProgress().forEach(s -> {
            layersDone.add(s.layersDone());
            pairsDone.add(s.pairsDone());
        });
        assertEquals(6, layersDone.size());
        assertEquals(0, layersDone.get(0) + pairsDone.get(0));
        for (int i = 1; i < 6; i++) {
            assertEquals(1, layersDone.get(i) - layersDone.get(i - 1) + pairsDone.get(i) - pairsDone.get(i - 1),
                    "update " + i + ": " + layersDone + " / " + pairsDone);
            assertTrue(layersDone.get(i) >= layersDone.get(i - 1) && pairsDone.get(i) >= pairsDone.get(i - 1));
            // a pair needs both its layers: at most (layers done − 1) of the chain's edges can be done
            assertTrue(pairsDone.get(i) <= Math.max(0, layersDone.get(i) - 1), layersDone + " / " + pairsDone);
        }
        assertEquals(3, layersDone.get(5));
        assertEquals(2, pairsDone.get(5));
        assertTrue(result.getAnalysisProgress().get(5).isFinished());
    }

    @Test
    void aLayerSelectionSetAsAKotlinPropertyKeepsTheEdgesBetweenSelectedLayers() {
        assertEquals(List.of("layer-1", "layer-2"), result.getSelectedLayerNames());
        assertEquals(List.of("layer-1->layer-2"), result.getSelectedEdges());
    }

    @Test
    void onnxRuntimeReproducesTheScoresToFloat32Precision() {
        // probabilities in [0, 1] through three float32 layers: a few float32 ulps of 1 (6e-8) per layer
        assertTrue(result.getOnnxMaxScoreDifference() < 1e-5, "max |Δscore| " + result.getOnnxMaxScoreDifference());
        assertTrue(result.getOnnxCarriesProvenance());
    }

    @Test
    void javaAndProtobufSerialisationGiveBackTheSameModel() {
        assertTrue(result.getJavaSerialisedPredictsTheSame());
        assertTrue(result.getProtobufPredictsTheSame());
        assertTrue(Files.exists(dir.resolve("sensors.onnx")) && Files.exists(dir.resolve("sensors.ser"))
                && Files.exists(dir.resolve("sensors.tribuo")));
    }

    @Test
    void theHtmlReportIsWrittenFromKotlinToAPathAndToAStream() throws java.io.IOException {
        String html = java.nio.file.Files.readString(result.getReportFile());
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("<title>Sensors: the user tour&#39;s model</title>"));
        assertTrue(result.getReportWrittenToAStreamIsTheSame());
    }

    /**
     * From Kotlin, {@code model.compress(RankChoice.fixedRank(2))} gives a smaller DeepNetModel: the 8 × 8 hidden layer
     * (64 weights, 32 at rank 2) becomes layer-1-R and layer-1-L, the 8-wide input layer and the output layer are kept
     * (rank 2 saves nothing there), it still classifies the test rows (the tour's accuracy is 1.0; rank 2 of a
     * ReLU net's middle layer costs some), and its provenance carries the source model's.
     */
    @Test
    void theModelCompressesFromKotlinToASmallerModelThatNamesItsSource() {
        assertTrue(result.getCompressedLayerNames().contains("layer-1-R")
                && result.getCompressedLayerNames().contains("layer-1-L"), result.getCompressedLayerNames().toString());
        assertTrue(result.getCompressedTestAccuracy() >= 0.5, "accuracy " + result.getCompressedTestAccuracy());
        assertTrue(result.getCompressedKeepsTheSourceProvenance());
    }
}
