package dev.invariance.cli;

import dev.invariance.network.NetworkDescription;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code reproduce-check}: the provenance written by {@code train --provenance} retrains the model bit for bit (exit 0,
 * for the ONNX export and the Tribuo model), and a changed seed or data file is found (exit 1, naming the layer, the
 * index and both values) or refused (exit 2, one line naming the file and both hashes).
 */
class ReproduceCheckCommandTest {
    @TempDir
    Path dir;
    private Path csv;
    private Path provenance;

    @BeforeEach
    void train() throws IOException {
        csv = CliRun.hyperplaneCsv(dir.resolve("data.csv"), 5, new double[]{1, -2, 0.5}, 60);
        provenance = dir.resolve("p.json");
        CliRun.Result r = invariance("train", "--data", csv.toString(), "--label", "label", "--hidden", "4,4",
                "--steps", "30", "--output", dir.resolve("m.onnx").toString(), "--tribuo-model",
                dir.resolve("m.tribuo").toString(), "--provenance", provenance.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void theRecordedRunRetrainsBitForBitAgainstBothModelFiles() {
        for (String model : new String[]{"m.onnx", "m.tribuo"}) {
            CliRun.Result r = invariance("reproduce-check", provenance.toString(), dir.resolve(model).toString());
            assertEquals(0, r.code(), r.out() + r.err());
            // 3-4, 4-4 and 4-1 layers with biases
            assertEquals("identical: 3 layers, 41 parameters bit for bit\n", r.out());
        }
    }

    @Test
    void anotherSeedDiffersAtTheFirstWeightAndNamesBothValues() throws IOException {
        Path other = dir.resolve("seed.json");
        String json = Files.readString(provenance);
        assertTrue(json.contains("\"value\" : \"12345\""), "the default seed is recorded");
        Files.writeString(other, json.replace("\"value\" : \"12345\"", "\"value\" : \"7\""));
        CliRun.Result r = invariance("reproduce-check", other.toString(), dir.resolve("m.onnx").toString());
        assertEquals(1, r.code(), r.out() + r.err());
        double stored;
        try (OnnxModel m = OnnxModelReader.open(dir.resolve("m.onnx"))) {
            NetworkDescription n = m.readAll();
            stored = n.layer(0).weights().get(0, 0);
        }
        assertTrue(r.out().startsWith("differs: layer-0 (layer 0) weight [0, 0] (row-major index 0): recorded "
                + stored + ", retrained "), r.out());
    }

    @Test
    void aChangedDataFileIsRefusedInOneLineUnlessAllowed() throws IOException {
        String data = Files.readString(csv);
        Files.writeString(csv, data.replaceFirst("\n(-?)0", "\n$19"));
        CliRun.Result refused = invariance("reproduce-check", provenance.toString(), dir.resolve("m.onnx").toString());
        assertEquals(InvarianceCommand.BAD_INPUT, refused.code(), refused.out() + refused.err());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertTrue(refused.err().contains(csv.toAbsolutePath() + ": the training data changed since the provenance"
                + " was recorded (resource-hash recorded "), refused.err());
        assertTrue(refused.err().contains("give --allow-data-change"), refused.err());
        CliRun.Result allowed = invariance("reproduce-check", provenance.toString(), dir.resolve("m.onnx").toString(),
                "--allow-data-change");
        assertEquals(1, allowed.code(), allowed.out() + allowed.err());
        assertTrue(allowed.out().startsWith("differs: layer-"), allowed.out());
    }

    @Test
    void aMissingDataFileAndAModelThatIsNoneAreNamed() throws IOException {
        Files.delete(csv);
        CliRun.Result gone = invariance("reproduce-check", provenance.toString(), dir.resolve("m.onnx").toString());
        assertEquals(InvarianceCommand.BAD_INPUT, gone.code(), gone.err());
        assertTrue(gone.err().contains(csv.toAbsolutePath() + ": the training data recorded in the provenance is not"
                + " there (no such file)"), gone.err());
        Files.writeString(dir.resolve("x.tribuo"), "not a model");
        CliRun.Result bad = invariance("reproduce-check", provenance.toString(), dir.resolve("x.tribuo").toString());
        assertEquals(InvarianceCommand.BAD_INPUT, bad.code(), bad.err());
        assertTrue(bad.err().contains("x.tribuo: not a Tribuo protobuf model"), bad.err());
    }
}
