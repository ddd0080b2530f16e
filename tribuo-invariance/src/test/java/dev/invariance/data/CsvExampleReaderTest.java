package dev.invariance.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CSV format as both paths read it: in memory as doubles ({@link CsvDatasets}, training and the Tribuo model's
 * analysis) and streamed as float32 ({@link CsvExampleReader#read}, the ONNX Runtime path). Every case is checked on
 * both, and every refusal is one line naming the file, the line and, where it applies, the column by name and
 * 1-based position.
 */
class CsvExampleReaderTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        return bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private Path bytes(byte[] content) throws IOException {
        Path p = dir.resolve("data.csv");
        Files.write(p, content);
        return p;
    }

    /** The values of every row, row-major, as the float32 path reads them. */
    private static float[] float32(Path file) {
        FloatBuffer values = FloatBuffer.allocate(1 << 12);
        try (CsvExampleReader reader = CsvExampleReader.open(file, "label")) {
            while (reader.read(values, 7, new ArrayList<>(), null) > 0) {
                // batches of 7 rows
            }
        }
        return Arrays.copyOf(values.array(), values.position());
    }

    /** The values of every row, row-major in file column order, as the in-memory path reads them. */
    private static double[] inMemory(Path file) {
        MutableDataset<Label> data = CsvDatasets.load(file, "label");
        List<Double> values = new ArrayList<>();
        for (Example<Label> e : data) {
            for (Feature f : e) {
                values.add(f.getValue());
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String refusalAsFloat32(Path file) {
        return refusal(file, f -> float32(f).length);
    }

    private static String refusalInMemory(Path file) {
        return refusal(file, f -> CsvDatasets.load(f, "label").size());
    }

    private static String refusal(Path file, Function<Path, Object> read) {
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> read.apply(file));
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), "names the file: " + e.getMessage());
        return e.getMessage().substring(file.toString().length() + 2);
    }

    /** Both paths refuse {@code file} with {@code message} (after "file: "). */
    private static void bothRefuse(Path file, String message) {
        assertEquals(message, refusalInMemory(file), "in memory");
        assertEquals(message, refusalAsFloat32(file), "float32");
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstColumnName() throws IOException {
        Path file = csv("\uFEFFlabel,a,b\nx,1,2\ny,3,4\n");
        assertArrayEquals(new float[] {1, 2, 3, 4}, float32(file));
        assertArrayEquals(new double[] {1, 2, 3, 4}, inMemory(file));
        assertEquals(Set.of("x", "y"), CsvExampleReader.labelValues(file, "label"));
    }

    @Test
    void aFileOfOnlyAByteOrderMarkAndEmptyLinesIsEmpty() throws IOException {
        bothRefuse(csv("\uFEFF\n\n\r\n"), "empty file (expected a header row and data rows)");
        bothRefuse(csv(""), "empty file (expected a header row and data rows)");
    }

    @Test
    void crlfAndLoneCrEndRecordsAndEmptyLinesAreSkipped() throws IOException {
        Path file = csv("a,b,label\r\n1,2,x\r\n\r\n3,4,y\r5,6,x\r\n");
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, float32(file));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, inMemory(file));
    }

    @Test
    void linesAreCountedAsAnEditorShowsThemThroughEmptyLinesAndQuotedLineBreaks() throws IOException {
        Path file = csv("a,label\r\n1,\"two\r\nlines\"\r\n\r\n2,y\r\nabc,z\r\n");
        bothRefuse(file, "line 6, column 'a' (1): 'abc' is not a number");
    }

    @Test
    void aQuotedCellMayHoldCommasLineBreaksAndDoubledQuotes() throws IOException {
        Path file = csv("\"a\",label\n\"1.5\",\"say \"\"hi\"\", then\nleave\"\n2,plain\n");
        assertEquals(new LinkedHashSet<>(List.of("plain", "say \"hi\", then\nleave")),
                CsvExampleReader.labelValues(file, "label"));
        assertArrayEquals(new float[] {1.5f, 2}, float32(file));
        assertArrayEquals(new double[] {1.5, 2}, inMemory(file));
        Set<String> labels = new LinkedHashSet<>();
        for (Label l : CsvDatasets.load(file, "label").getOutputIDInfo().getDomain()) {
            labels.add(l.getLabel());
        }
        assertEquals(Set.of("plain", "say \"hi\", then\nleave"), labels);
    }

    @Test
    void textAfterAClosingQuoteIsRefused() throws IOException {
        bothRefuse(csv("a,label\n1,x\n\"1\"2,y\n"), "line 3, column 'a' (1): text after the closing quote (a quote"
                + " inside a quoted cell is written twice: \"\")");
    }

    @Test
    void aQuoteThatIsNeverClosedIsRefusedAtTheLineItOpens() throws IOException {
        bothRefuse(csv("a,label\n1,x\n2,\"y\n3,z\n"),
                "line 3, column 'label' (2): the quoted cell is not closed before the end of the file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x1p3", "2d", "1.5f", "0x10", "1_000", "1e", ".", "e5", "--1", "1.2.3", "1 2", "١"})
    void onlyDecimalNumbersAreNumbers(String cell) throws IOException {
        bothRefuse(csv("a,label\n1,x\n" + cell + ",y\n"), "line 3, column 'a' (1): '" + cell + "' is not a number");
    }

    @Test
    void decimalNumbersInTheirUsualSpellingsAreRead() throws IOException {
        Path file = csv("a,b,c,d,label\n1e5,-0.5,+3,.5,x\n5.,1E-3, 2 ,-0,y\n");
        assertArrayEquals(new float[] {1e5f, -0.5f, 3, 0.5f, 5, 1e-3f, 2, -0f}, float32(file));
        assertArrayEquals(new double[] {1e5, -0.5, 3, 0.5, 5, 1e-3, 2, -0.0}, inMemory(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "nan", "inf", "-inf", "1e400", "-1e400"})
    void nanAndInfinityAreRefusedAsNotFinite(String cell) throws IOException {
        bothRefuse(csv("a,label\n1,x\n" + cell + ",y\n"), "line 3, column 'a' (1): '" + cell + "' is not finite");
    }

    @Test
    void aValueFiniteInDoubleButNotInFloat32IsRefusedOnTheFloat32Path() throws IOException {
        Path file = csv("a,label\n3.4e38,x\n1e39,y\n");
        assertArrayEquals(new double[] {3.4e38, 1e39}, inMemory(file));
        assertEquals("line 3, column 'a' (1): '1e39' is not finite in float32 (the largest float32 is 3.4028235E38)",
                refusalAsFloat32(file));
        assertArrayEquals(new float[] {3.4e38f, -3.4e38f}, float32(csv("a,label\n3.4e38,x\n-3.4e38,y\n")));
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithLineAndColumn() throws IOException {
        byte[] text = "a,b,label\n1,2,x\n3,4".getBytes(StandardCharsets.US_ASCII);
        byte[] bad = Arrays.copyOf(text, text.length + 4);
        bad[text.length] = (byte) 0xFF;
        bad[text.length + 1] = ',';
        bad[text.length + 2] = 'y';
        bad[text.length + 3] = '\n';
        bothRefuse(bytes(bad), "line 3, column 'b' (2): byte 0xFF at offset 19 is not UTF-8 (save the file as UTF-8)");
        bothRefuse(bytes(new byte[] {'a', ',', (byte) 0xC3, 'x', ',', 'l', 'a', 'b', 'e', 'l', '\n'}),
                "line 1, column 2: byte 0xC3 at offset 2 is not UTF-8 (save the file as UTF-8)");
        byte[] truncated = "a,label\n1,x\n2,\u00e9".getBytes(StandardCharsets.UTF_8);
        bothRefuse(bytes(Arrays.copyOf(truncated, truncated.length - 1)),
                "line 3, column 'label' (2): byte 0xC3 at offset 14 is not UTF-8 (save the file as UTF-8)");
        bothRefuse(bytes("\uFEFFa,label\n".getBytes(StandardCharsets.UTF_16LE)),
                "line 1: byte 0xFF at offset 0 is not UTF-8 (a UTF-16 byte-order mark?); save the file as UTF-8");
    }

    @Test
    void duplicateColumnNamesAreRefusedWithTheirPositions() throws IOException {
        bothRefuse(csv("a,b,a,label\n1,2,3,x\n4,5,6,y\n"), "line 1: duplicate column name 'a' (1, 3) (each column"
                + " becomes one feature, so names must be unique)");
    }

    @Test
    void aColumnWithoutANameIsRefused() throws IOException {
        bothRefuse(csv("a,,label\n1,2,x\n4,5,y\n"), "line 1, column 2: the column has no name");
    }

    @Test
    void aRowWhoseCellCountDiffersFromTheHeadersIsRefused() throws IOException {
        bothRefuse(csv("a,b,label\n1,2,x\n3,y\n"), "line 3: 2 cells, the header has 3");
        bothRefuse(csv("a,b,label\n1,2,x\n3,4,y,5\n"), "line 3: 4 cells, the header has 3");
    }

    @Test
    void cellsThatMessagesQuoteAreShownOnOneLineWithControlCharactersEscaped() throws IOException {
        bothRefuse(csv("a,label\n1,x\n\"1\u001b]0;owned\u0007\n2\",y\n"),
                "line 3, column 'a' (1): '1\\u001B]0;owned\\u0007\\n2' is not a number");
    }

    @Test
    void aLabelOutsideTheGivenClassesIsRefusedNamingThem() throws IOException {
        Path file = csv("a,label\n1,x\n2,y\n3,z\n");
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> {
            try (CsvExampleReader reader = CsvExampleReader.open(file, "label")) {
                reader.read(FloatBuffer.allocate(8), 8, new ArrayList<>(), new LinkedHashSet<>(List.of("y", "x")));
            }
        });
        assertEquals(file + ": line 4, column 'label' (2): unknown label 'z' (the model's classes: y, x)",
                e.getMessage());
    }

    /**
     * A 100 MB line, and an unclosed quote followed by 100 MB: refused when the record reaches
     * {@link CsvExampleReader#MAX_RECORD_CHARS}, having allocated less than the line holds (the reader never buffers
     * beyond its limit, so a small heap is enough).
     */
    @ParameterizedTest
    @ValueSource(strings = {"line", "quote"})
    void aHundredMegabyteRecordIsRefusedWithoutReadingItIntoMemory(String kind) throws IOException {
        Path file = dir.resolve(kind + ".csv");
        long size = 100L << 20;
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            String start = kind.equals("line") ? "a,label\n1,x\n2," : "a,label\n1,x\n2,\"";
            out.write(start.getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = (kind.equals("line") ? "y".repeat(1 << 10) : "more,data\n".repeat(1 << 10))
                    .getBytes(StandardCharsets.US_ASCII);
            for (long written = 0; written < size; written += chunk.length) {
                out.write(chunk);
            }
        }
        String expected = "line 3: the record is longer than 8,388,608 characters, the limit per record"
                + (kind.equals("line") ? "" : " (the quoted cell opened on line 3, column 2 is not closed)");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertEquals(expected, refusalInMemory(file));
        long inMemory = threads.getCurrentThreadAllocatedBytes() - before;
        before = threads.getCurrentThreadAllocatedBytes();
        assertEquals(expected, refusalAsFloat32(file));
        long float32 = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(inMemory < size && float32 < size, "allocated " + inMemory + " and " + float32 + " bytes");
    }

    /** With a small heap the limits shrink, so that the refusal is still one line, and the message says why. */
    @Test
    void aSmallHeapLowersTheLimitsAndTheMessageSaysSo() {
        CsvLimits limits = CsvLimits.forHeap(32L << 20);
        assertEquals(4 << 20, limits.recordChars());
        assertEquals(1 << 17, limits.columns());
        byte[] line = ("a,label\n1,x\n2," + "y".repeat(5 << 20) + "\n").getBytes(StandardCharsets.US_ASCII);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> {
            try (CsvExampleReader reader = CsvExampleReader.open("small.csv", new java.io.ByteArrayInputStream(line),
                    "label", null, limits, warning -> { })) {
                while (reader.next()) {
                    reader.label();
                }
            }
        });
        assertEquals("small.csv: line 3: the record is longer than 4,194,304 characters, the limit per record with a"
                + " 32 MB Java heap (8,388,608 from 64 MB, -Xmx64m)", e.getMessage());
        assertEquals(CsvExampleReader.MAX_RECORD_CHARS, CsvLimits.forHeap(64L << 20).recordChars());
        assertEquals(CsvExampleReader.MAX_COLUMNS, CsvLimits.forHeap(256L << 20).columns());
    }

    @Test
    void collectingTheLabelsStopsAtMaxClassesDistinctValues() throws IOException {
        StringBuilder sb = new StringBuilder("a,label\n");
        for (int i = 0; i <= CsvExampleReader.MAX_CLASSES; i++) {
            sb.append("1,").append(i).append('\n');
        }
        Path file = csv(sb.toString());
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> CsvExampleReader.labelValues(file, "label"));
        assertEquals(file + ": line 65538, column 'label' (2): more than 65,536 distinct labels (is 'label' the column"
                + " of class labels?)", e.getMessage());
    }
}
