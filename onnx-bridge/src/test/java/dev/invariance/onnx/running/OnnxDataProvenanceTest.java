package dev.invariance.onnx.running;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceException;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.evaluation.Execution;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxDataProvenanceTest {

    private static Map<String, Provenance> fieldsOf(OnnxDataProvenance provenance) {
        Map<String, Provenance> map = new LinkedHashMap<>();
        for (Pair<String, Provenance> p : provenance) {
            map.put(p.getA(), p.getB());
        }
        return map;
    }

    private static OnnxDataProvenance written() {
        return new OnnxDataProvenance("data.csv", "label", "input", 64, Execution.inJava(10, 0.5));
    }

    @Test
    void unmarshallingTheFieldsKeepsTheExecutionProvider() {
        OnnxDataProvenance read = new OnnxDataProvenance(fieldsOf(written()));
        assertEquals(written(), read);
        assertEquals(written().getExecutionProvider(), read.getExecutionProvider());
    }

    @Test
    void aMapWithoutTheExecutionProviderIsRefusedNamingIt() {
        Map<String, Provenance> map = fieldsOf(written());
        map.remove("execution-provider");
        ProvenanceException e = assertThrows(ProvenanceException.class, () -> new OnnxDataProvenance(map));
        assertTrue(e.getMessage().contains("execution-provider"), e.getMessage());
    }
}
