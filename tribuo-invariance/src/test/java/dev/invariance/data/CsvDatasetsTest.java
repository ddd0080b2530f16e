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
}
