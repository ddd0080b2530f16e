package dev.invariance.deepnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.data.CsvDatasets;
import dev.invariance.data.InvalidDataException;
import dev.invariance.network.WeightDifference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.provenance.ModelProvenance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provenance file of {@code train --provenance} (docs/provenance.md): it round-trips (written, read, written again:
 * the same provenance and the same text), docs/provenance.md documents every key it holds, and it is a contract: the
 * replay is bit-identical, and a data file that changed is refused naming the file and both hashes unless allowed.
 */
class ProvenanceFileTest {
    private static final Path IRIS = Path.of("src/test/resources/fixtures/sklearn/iris.csv");
    private static final Path DOC = Path.of("../docs/provenance.md");

    @TempDir
    Path dir;

    private ModelProvenance trainOn(Path csv) {
        DeepNetModel model = DeepNetTrainer.builder().hidden(4).bias(true).standardize(true).steps(20).seed(3).build()
                .train(CsvDatasets.load(csv, "label"));
        return model.getProvenance();
    }

    @Test
    void theFileRoundTripsToTheSameProvenanceAndText() throws Exception {
        Path csv = Files.copy(IRIS, dir.resolve("iris.csv"));
        ModelProvenance p = trainOn(csv);
        Path file = Files.writeString(dir.resolve("p.json"), ProvenanceReplay.toJson(p));
        ModelProvenance read = ProvenanceReplay.readJson(file);
        assertEquals(p, read);
        assertEquals(ProvenanceReplay.toJson(p), ProvenanceReplay.toJson(read));
    }

    @Test
    void everyKeyOfTheFileIsDocumented() throws Exception {
        Path csv = Files.copy(IRIS, dir.resolve("iris.csv"));
        JsonNode json = new ObjectMapper().readTree(ProvenanceReplay.toJson(trainOn(csv)));
        TreeSet<String> keys = new TreeSet<>();
        for (JsonNode object : json) {
            object.fieldNames().forEachRemaining(keys::add);
            object.path("map").fieldNames().forEachRemaining(keys::add);
            for (JsonNode entry : object.path("map")) {
                entry.fieldNames().forEachRemaining(keys::add);
            }
        }
        String doc = Files.readString(DOC);
        TreeSet<String> missing = new TreeSet<>();
        for (String key : keys) {
            if (!doc.contains("`" + key + "`")) {
                missing.add(key);
            }
        }
        assertEquals(new TreeSet<String>(), missing, "keys of the provenance file that docs/provenance.md does not name");
    }

    @Test
    void theReplayIsBitIdenticalAndAChangedFileIsRefusedUnlessAllowed() throws Exception {
        Path csv = Files.copy(IRIS, dir.resolve("iris.csv"));
        ModelProvenance p = trainOn(csv);
        DeepNetModel first = ProvenanceReplay.retrain(p);
        assertNull(WeightDifference.first(first.getNetwork(), ProvenanceReplay.retrain(p).getNetwork()));
        Files.writeString(csv, Files.readString(csv).replaceFirst("\n5\\.1,", "\n5.2,"));
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> ProvenanceReplay.retrain(p));
        assertTrue(e.getMessage().startsWith(csv.toAbsolutePath() + ": the training data changed since the provenance"
                + " was recorded (resource-hash recorded "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        DeepNetModel changed = ProvenanceReplay.retrain(p, true);
        WeightDifference d = WeightDifference.first(first.getNetwork(), changed.getNetwork());
        assertTrue(d != null && d.layer() == 0, String.valueOf(d));
    }
}
