package dev.invariance.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A folder of {@code .npy} files with a labels file, read as untrusted input: valid files in every accepted type and
 * byte order are read exactly; a hostile header, a file name that leaves the folder, values that do not fit the type
 * read, are each one line naming the file, refused before anything is allocated from a size the file declares.
 */
class NpyExamplesTest {
    @TempDir
    Path dir;

    /** A .npy file, format 1.0, with {@code header} (the dict literal) padded as NumPy pads it, then {@code data}. */
    static byte[] npy(String header, byte[] data) {
        return npy(1, header, data);
    }

    static byte[] npy(int major, String header, byte[] data) {
        int prefix = major == 1 ? 10 : 12;
        StringBuilder h = new StringBuilder(header);
        while ((prefix + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        byte[] text = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        return b.put(text).put(data).array();
    }

    static byte[] floats(ByteOrder order, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(order);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] doubles(ByteOrder order, double... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(order);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    static byte[] longs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    /** Writes {@code x.npy} with {@code content} and a labels file naming it (label a). */
    private Path one(byte[] content) throws IOException {
        Files.write(dir.resolve("x.npy"), content);
        return Files.writeString(dir.resolve("labels.csv"), "file,label\nx.npy,a\n");
    }

    private NpyExamples open() {
        return NpyExamples.open(dir, dir.resolve("labels.csv"), "label");
    }

    private float[] readFloats(int room) {
        FloatBuffer into = FloatBuffer.allocate(room);
        try (NpyExamples examples = open()) {
            while (examples.next()) {
                examples.read(into);
            }
        }
        return Arrays.copyOf(into.array(), into.position());
    }

    private static void oneLine(String message, String names) {
        assertFalse(message.contains("\n"), message);
        assertTrue(message.startsWith(names), message);
    }

    @Test
    void float32AndFloat64FilesInEitherByteOrderAreReadRowMajor() throws IOException {
        Files.write(dir.resolve("a.npy"), npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }",
                floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4)));
        Files.write(dir.resolve("b.npy"), npy(2, "{\"shape\": (2, 2), \"descr\": \">f8\", \"fortran_order\": False}",
                doubles(ByteOrder.BIG_ENDIAN, 0.5, -0.25, 1e-3, 7)));
        Files.write(dir.resolve("c.npy"), npy(3, "{'descr': '>f4', 'fortran_order': False, 'shape': (4,)}",
                floats(ByteOrder.BIG_ENDIAN, 9, 8, 7, 6)));
        Files.writeString(dir.resolve("labels.csv"), "id,label,file\n1,cat,a.npy\n2,dog,b.npy\n3,cat,c.npy\n");
        FloatBuffer into = FloatBuffer.allocate(12);
        try (NpyExamples examples = open()) {
            assertTrue(examples.next());
            assertEquals(List.of(1L, 2L, 2L), examples.getShape());
            assertEquals("float32", examples.getElementType());
            assertEquals("cat", examples.label(Set.of("cat", "dog")));
            examples.read(into);
            assertTrue(examples.next());
            assertEquals("float64", examples.getElementType());
            assertEquals("dog", examples.label());
            examples.read(into);
            assertTrue(examples.next());
            examples.read(into);
            assertFalse(examples.next());
            assertEquals(3, examples.getRows());
        }
        assertArrayEquals(new float[] {1, 2, 3, 4, 0.5f, -0.25f, 1e-3f, 7, 9, 8, 7, 6}, into.array());
        assertEquals(Set.of("cat", "dog"), NpyExamples.labelValues(dir.resolve("labels.csv"), "label"));
    }

    @Test
    void integerFilesAreReadAsInt64AndAsInt32WithinItsRange() throws IOException {
        Files.write(dir.resolve("a.npy"), npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 3)}",
                longs(3, -4, 1L << 40)));
        Files.writeString(dir.resolve("labels.csv"), "file,label\na.npy,x\n");
        LongBuffer wide = LongBuffer.allocate(3);
        try (NpyExamples examples = open()) {
            examples.next();
            examples.read(wide);
        }
        assertArrayEquals(new long[] {3, -4, 1L << 40}, wide.array());
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> {
            try (NpyExamples examples = open()) {
                examples.next();
                examples.read(IntBuffer.allocate(3));
            }
        });
        assertEquals(dir.resolve("a.npy") + ": value 2 [0, 2] is 1099511627776, outside the int32 range",
                e.getMessage());
        e = assertThrows(InvalidDataException.class, () -> readFloats(3));
        assertEquals(dir.resolve("a.npy") + ": holds int64 values; a float32 input takes float32 or float64 arrays",
                e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }|NaN|value 1 [0, 1] is NaN",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }|Infinity|value 1 [0, 1] is Infinity"})
    void aValueThatIsNotFiniteIsOneLineNamingItsIndex(String header, String value, String message) throws IOException {
        one(npy(header, floats(ByteOrder.LITTLE_ENDIAN, 1, Float.parseFloat(value), 3, 4)));
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> readFloats(4));
        assertEquals(dir.resolve("x.npy") + ": " + message, e.getMessage());
    }

    @Test
    void aFloat64BeyondTheFloat32RangeIsRefusedLikeTheCsvReaderRefusesIt() throws IOException {
        one(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", doubles(ByteOrder.LITTLE_ENDIAN, 1, 1e39)));
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> readFloats(2));
        assertEquals(dir.resolve("x.npy") + ": value 1 [1] is 1.0E39, beyond the float32 range", e.getMessage());
    }

    @Test
    void moreValuesThanTheExampleHoldsAreRefusedBeforeReading() throws IOException {
        one(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4), }", floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4)));
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> readFloats(3));
        assertEquals(dir.resolve("x.npy") + ": holds 4 values (float32 [1, 4]), more than the 3 of one example",
                e.getMessage());
    }

    /** Headers a careless or hostile writer makes: each refused when the file is reached, naming it. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }|.npy element type '<f2' (this reads float32",
            "{'descr': '<u1', 'fortran_order': False, 'shape': (16,), }|.npy element type '<u1'",
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }|.npy header: '[' where a quoted string belongs",
            "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }|.npy array in Fortran order",
            "{'descr': '<f4', 'fortran_order': False}|.npy header: no 'shape' key",
            "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}|.npy header: the key 'descr' twice",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}|.npy header: an unknown key 'extra'",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}|.npy header: '-' where a size belongs",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1234567890123456789,)}|.npy header: a size of over 18 digits",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}|.npy data of 16 bytes does not hold the float32 [4294967296, 4294967296, 4294967296] array",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}|.npy data of 16 bytes does not hold the float32 [3] array",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (5,)}|.npy data of 16 bytes does not hold the float32 [5] array",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)} trailing|.npy header: text after the dict",
            "{'descr': '<f4\\', 'fortran_order': False, 'shape': (4,)}|.npy header: a string with an escape",
            "[4]|.npy header: '[' where '{' belongs",
            "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,)}|.npy header: 'M' where True or False belongs"})
    void aHostileHeaderIsOneLineNamingTheFile(String header, String message) throws IOException {
        one(npy(header, floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4)));
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> readFloats(64));
        oneLine(e.getMessage(), dir.resolve("x.npy") + ": ");
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aShapeOfManyAxesIsRefused() throws IOException {
        String shape = "(" + "1, ".repeat(33) + ")";
        one(npy("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + "}", floats(ByteOrder.LITTLE_ENDIAN, 1)));
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> readFloats(1));
        assertTrue(e.getMessage().contains(".npy header: a shape of more than 32 axes"), e.getMessage());
    }

    /** The preamble: magic, version, header length; each refused before the header is read. */
    @Test
    void aBrokenPreambleIsOneLine() throws IOException {
        byte[] valid = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", floats(ByteOrder.LITTLE_ENDIAN, 1));
        one(new byte[0]);
        assertMessage("not a .npy file (0 bytes, shorter than its preamble)");
        byte[] magic = valid.clone();
        magic[1] = 'X';
        one(magic);
        assertMessage("not a .npy file (it does not start with \\x93NUMPY)");
        byte[] version = valid.clone();
        version[6] = 4;
        one(version);
        assertMessage(".npy format version 4.0 (this reads 1.0, 2.0 and 3.0)");
        byte[] past = valid.clone();
        past[8] = (byte) 0xff;
        past[9] = 0x7f;
        one(past);
        assertMessage(".npy header of 32767 bytes passes the end of the " + valid.length + "-byte file");
        ByteArrayOutputStream huge = new ByteArrayOutputStream();
        huge.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0, 0x40});
        one(huge.toByteArray());
        assertMessage(".npy header of 1073741824 bytes (at most 65536 are read)");
        byte[] nonAscii = valid.clone();
        nonAscii[12] = (byte) 0xe9;
        one(nonAscii);
        assertMessage(".npy header has a byte 0xe9 at 12 (expected a Python dict literal)");
    }

    private void assertMessage(String message) {
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> readFloats(4));
        assertEquals(dir.resolve("x.npy") + ": " + message, e.getMessage());
    }

    /** Names in the labels file that would read outside the folder, or nothing: refused, naming the cell. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "../x.npy|is not the name of a .npy file in",
            "sub/x.npy|is not the name of a .npy file in",
            "/etc/passwd|is not the name of a .npy file in",
            "labels.csv|is not the name of a .npy file in",
            "..|is not the name of a .npy file in",
            "missing.npy|no file 'missing.npy' in",
            "folder.npy|'folder.npy' is not a regular file",
            "outside.npy|'outside.npy' leads outside"})
    void aFileNameThatLeavesTheFolderIsRefused(String name, String message) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("examples"));
        Files.createDirectories(folder.resolve("folder.npy"));
        Files.createDirectories(folder.resolve("sub"));
        byte[] valid = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", floats(ByteOrder.LITTLE_ENDIAN, 1));
        Files.write(folder.resolve("sub/x.npy"), valid);
        Files.write(dir.resolve("x.npy"), valid);
        Files.createSymbolicLink(folder.resolve("outside.npy"), dir.resolve("x.npy"));
        Path labels = Files.writeString(folder.resolve("labels.csv"), "file,label\n" + name + ",a\n");
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> {
            try (NpyExamples examples = NpyExamples.open(folder, labels, "label")) {
                examples.next();
            }
        });
        oneLine(e.getMessage(), labels + ": line 2, column 'file' (1): ");
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aLabelsFileWithoutTheFileColumnOrAFolderThatIsNotOneIsOneLine() throws IOException {
        Path labels = Files.writeString(dir.resolve("labels.csv"), "name,label\nx.npy,a\n");
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> open().close());
        assertEquals(labels + ": line 1: no column 'file' naming each example's .npy file (columns: name, label)",
                e.getMessage());
        e = assertThrows(InvalidDataException.class, () -> NpyExamples.open(labels, labels, "label"));
        assertEquals(labels + ": not a folder", e.getMessage());
    }
}
