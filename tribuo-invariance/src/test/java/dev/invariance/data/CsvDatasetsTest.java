package dev.invariance.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvDatasetsTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private String failure(Path file, String label) {
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> CsvDatasets.load(file, label));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void loadsNumericFeaturesAndTheLabelColumn() throws IOException {
        Path f = write("ok.csv", "a,b,y\n1,2,p\n-1,0.5,n\n3,1e-3,p\n");
        MutableDataset<Label> data = CsvDatasets.load(f, "y");
        assertEquals(3, data.size());
        assertEquals(2, data.getFeatureIDMap().size());
        assertEquals(2, data.getOutputIDInfo().size());
    }

    @Test
    void missingFileIsNamed() {
        assertTrue(failure(dir.resolve("absent.csv"), "y").contains("no such file"));
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        assertTrue(failure(write("empty.csv", ""), "y").contains("empty file"));
    }

    @Test
    void headerWithoutRowsIsRefused() throws IOException {
        assertTrue(failure(write("header.csv", "a,b,y\n"), "y").contains("no data rows"));
    }

    @Test
    void unknownLabelColumnListsTheColumns() throws IOException {
        String m = failure(write("cols.csv", "a,b,y\n1,2,p\n"), "label");
        assertTrue(m.contains("no column 'label'") && m.contains("a, b, y"), m);
    }

    @Test
    void nonNumericCellNamesLineAndColumn() throws IOException {
        String m = failure(write("bad.csv", "a,b,y\n1,2,p\n3,abc,n\n"), "y");
        assertTrue(m.contains("line 3") && m.contains("column 'b'") && m.contains("'abc' is not a number"), m);
    }

    @Test
    void emptyCellIsNamed() throws IOException {
        String m = failure(write("hole.csv", "a,b,y\n1,,p\n3,4,n\n"), "y");
        assertTrue(m.contains("line 2") && m.contains("column 'b'") && m.contains("empty cell"), m);
    }

    @Test
    void singleClassIsRefused() throws IOException {
        String m = failure(write("one.csv", "a,y\n1,p\n2,p\n"), "y");
        assertTrue(m.contains("single class 'p'"), m);
    }

    @Test
    void raggedRowIsRefused() throws IOException {
        String m = failure(write("ragged.csv", "a,b,y\n1,2,p\n3,n\n"), "y");
        assertTrue(m.contains("line 3") || m.contains("malformed"), m);
    }

    @Test
    void duplicateColumnNamesAreRefusedNamingThem() throws IOException {
        Path f = write("dup.csv", "a,a,b,b,label\n1,2,3,4,x\n5,6,7,8,y\n");
        assertEquals(f + ": line 1: duplicate column names 'a' (1, 2), 'b' (3, 4) (each column becomes one feature, so"
                + " names must be unique)", failure(f, "label"));
    }

    @Test
    void aRaggedRowIsNamedByItsLine() throws IOException {
        Path f = write("ragged.csv", "a,b,label\n1,2,x\n3,y\n");
        assertEquals(f + ": line 3: 2 cells, the header has 3", failure(f, "label"));
    }

    @Test
    void dataForAModelMustHaveItsColumnsAndClassesAndExtrasAreReported() throws IOException {
        java.util.Set<String> features = java.util.Set.of("a", "b");
        java.util.Set<String> classes = java.util.Set.of("x", "y");
        java.util.List<String> warnings = new java.util.ArrayList<>();
        Path missing = write("missing.csv", "b,label\n1,x\n2,y\n");
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> CsvDatasets.loadFor(missing, "label", features, classes, warnings::add));
        assertEquals(missing + ": line 1: missing column 'a' that the model needs", e.getMessage());
        Path unknown = write("unknown.csv", "a,b,label\n1,2,x\n3,4,y\n5,6,martian\n7,8,martian\n");
        e = assertThrows(InvalidDataException.class,
                () -> CsvDatasets.loadFor(unknown, "label", features, classes, warnings::add));
        assertEquals(unknown + ": line 4, column 'label' (3): unknown label 'martian' (the model's classes: x, y)",
                e.getMessage());
        Path extra = write("extra.csv", "a,z,b,w,label\n1,0,2,0,x\n3,0,4,0,y\n");
        MutableDataset<Label> data = CsvDatasets.loadFor(extra, "label", features, classes, warnings::add);
        assertEquals(2, data.size());
        assertEquals(java.util.List.of(extra + ": ignoring columns 'z', 'w' that the model does not use"), warnings);
    }

    /**
     * The file is parsed once; the data set equals the one Tribuo's CSVLoader data source builds when iterated (what
     * provenance replay does), feature by feature, zeros and padded cells included, and so does its provenance.
     * (The replay test in TrainCommandTest checks the resulting weights bit for bit.)
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"iris", "digits"})
    void theSinglePassBuildsTheSameDataSetAsTribuosCsvDataSource(String name) throws IOException {
        Path f = Path.of("src/test/resources/fixtures/sklearn/" + name + ".csv");
        checkSameAsTribuo(f);
        checkSameAsTribuo(write("spaces.csv", "b,a,label\n 0, 1.5,up\n0,-2e3, down\n0.0,0,up\n"));
    }

    private static void checkSameAsTribuo(Path f) throws IOException {
        MutableDataset<Label> mine = CsvDatasets.load(f, "label");
        MutableDataset<Label> tribuo = new MutableDataset<>(new org.tribuo.data.csv.CSVLoader<>(
                new org.tribuo.classification.LabelFactory()).loadDataSource(f.toAbsolutePath(), "label"));
        assertEquals(tribuo.getFeatureIDMap().keySet(), mine.getFeatureIDMap().keySet());
        for (String feature : tribuo.getFeatureIDMap().keySet()) {
            assertEquals(tribuo.getFeatureIDMap().getID(feature), mine.getFeatureIDMap().getID(feature));
        }
        assertEquals(tribuo.getOutputIDInfo().getDomain(), mine.getOutputIDInfo().getDomain());
        assertEquals(tribuo.size(), mine.size());
        for (int i = 0; i < tribuo.size(); i++) {
            org.tribuo.Example<Label> t = tribuo.getExample(i);
            org.tribuo.Example<Label> m = mine.getExample(i);
            assertEquals(t.getOutput(), m.getOutput(), "label of row " + i);
            assertEquals(t.getWeight(), m.getWeight());
            assertEquals(t.size(), m.size(), "features of row " + i);
            java.util.Iterator<org.tribuo.Feature> ti = t.iterator();
            java.util.Iterator<org.tribuo.Feature> mi = m.iterator();
            while (ti.hasNext()) {
                org.tribuo.Feature a = ti.next();
                org.tribuo.Feature b = mi.next();
                assertEquals(a.getName(), b.getName());
                assertEquals(Double.doubleToLongBits(a.getValue()), Double.doubleToLongBits(b.getValue()));
            }
        }
        // the same configurable source, file hash included; only the time each source object was created differs
        String creation = "datasource-creation-time=[^,)]*";
        assertEquals(tribuo.getProvenance().getSourceProvenance().toString().replaceAll(creation, ""),
                mine.getProvenance().getSourceProvenance().toString().replaceAll(creation, ""));
    }
}
