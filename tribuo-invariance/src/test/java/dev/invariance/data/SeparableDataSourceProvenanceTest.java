package dev.invariance.data;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceException;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.invariance.data.SeparableDataSource.SeparableDataSourceProvenance;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeparableDataSourceProvenanceTest {

    private static Map<String, Provenance> fieldsOf(SeparableDataSource source) {
        Map<String, Provenance> map = new HashMap<>();
        for (Pair<String, Provenance> p : source.getProvenance()) {
            map.put(p.getA(), p.getB());
        }
        return map;
    }

    @Test
    void unmarshallingTheFieldsGivesTheSameProvenance() {
        SeparableDataSource source = new SeparableDataSource(40, 10, 0.1, 7L);
        assertEquals(source.getProvenance(), new SeparableDataSourceProvenance(fieldsOf(source)));
    }

    @Test
    void aMapWithoutTheClassNameIsRefusedNamingIt() {
        Map<String, Provenance> map = fieldsOf(new SeparableDataSource(40, 10, 0.1, 7L));
        map.remove(ObjectProvenance.CLASS_NAME);
        ProvenanceException e = assertThrows(ProvenanceException.class, () -> new SeparableDataSourceProvenance(map));
        assertTrue(e.getMessage().contains(ObjectProvenance.CLASS_NAME), e.getMessage());
    }
}
