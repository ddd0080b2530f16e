package dev.invariance.deepnet;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.network.LayerStructure;
import dev.invariance.training.Initialization;
import dev.invariance.training.OptimizerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A structured {@link DeepNetModel}: the structure travels through the builder, the provenance (replayed bit for
 * bit), both serial forms and the ONNX export (ONNX Runtime gives the model's scores).
 */
class StructuredModelTest {

    private static MutableDataset<Label> data() {
        return new MutableDataset<>(new SeparableDataSource(40, 5, 0.0, 6));
    }

    private static DeepNetModel model(LayerStructure structure) {
        return DeepNetTrainer.builder().hidden(5, 5).structure(structure).initScale(0.5).bias(true)
                .optimizer(OptimizerKind.ADAM).batchSize(16).learningRate(0.01).steps(200).build().train(data());
    }

    @Test
    void theBuilderReadsBackItsStructureAndTheDefaultIsDense() {
        DeepNetTrainerBuilder builder = DeepNetTrainer.builder();
        assertEquals(LayerStructure.DENSE, builder.getStructure());
        builder.setStructure(LayerStructure.CIRCULANT);
        assertEquals(LayerStructure.CIRCULANT, builder.getStructure());
        assertTrue(builder.build().toString().contains("structure=CIRCULANT"));
    }

    @Test
    void aStructureWithoutHiddenLayersOrWithAMultiLayerInitIsRefused() {
        PropertyException none = assertThrows(PropertyException.class,
                () -> DeepNetTrainer.builder().hidden().structure(LayerStructure.DIAGONAL).build());
        assertTrue(none.getMessage().contains("structure diagonal applies to the hidden layers, and there are none"),
                none.getMessage());
        PropertyException aligned = assertThrows(PropertyException.class, () -> DeepNetTrainer.builder().hidden(5)
                .structure(LayerStructure.DIAGONAL).initialization(Initialization.ALIGNED).build());
        assertTrue(aligned.getMessage().contains("is initialised with gaussian, identity or constant-diagonal, not aligned"),
                aligned.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = LayerStructure.class, names = {"DIAGONAL", "CIRCULANT"})
    void provenanceRecordsTheStructureAndReplaysBitForBit(LayerStructure structure) {
        DeepNetModel model = model(structure);
        assertEquals(structure, model.getStructure());
        assertEquals(structure.name(), String.valueOf(model.getProvenance().getTrainerProvenance()
                .getConfiguredParameters().get("structure").toString()));
        DeepNetModel again = ProvenanceReplay.retrain(model.getProvenance());
        assertEquals(structure, again.getStructure());
        assertEquals(model.getNetwork(), again.getNetwork());
    }

    @ParameterizedTest
    @EnumSource(value = LayerStructure.class, names = {"DIAGONAL", "CIRCULANT"})
    void bothSerialFormsKeepTheStructure(LayerStructure structure) throws Exception {
        DeepNetModel model = model(structure);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(model);
        }
        DeepNetModel java;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            java = (DeepNetModel) in.readObject();
        }
        assertEquals(structure, java.getStructure());
        assertEquals(model.getNetwork(), java.getNetwork());
        Model<Label> proto = Helpers.testModelProtoSerialization(model, Label.class, data());
        assertEquals(structure, ((DeepNetModel) proto).getStructure());
        assertEquals(model.getNetwork(), ((DeepNetModel) proto).getNetwork());
    }

    @Test
    void theOnnxExportScoresAsTheModelDoes(@TempDir Path dir) throws Exception {
        DeepNetModel model = model(LayerStructure.CIRCULANT);
        Path file = dir.resolve("circulant.onnx");
        model.saveONNXModel("dev.invariance.test", 1, file);
        DeepNetModelSerializationTest.compareWithOnnxRuntime(model, file, data());
    }
}
