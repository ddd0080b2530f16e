package dev.invariance.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * CSV cells read as the integers of an int32 or int64 model input (token ids): whole numbers only, exact over the
 * whole range (no detour through a double), out-of-range values and fractions refused in one line naming the cell.
 */
class WholeNumberCellsTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        return Files.writeString(dir.resolve("tokens.csv"), text);
    }

    private static long[] int64(Path file) {
        LongBuffer values = LongBuffer.allocate(64);
        try (CsvExampleReader reader = CsvExampleReader.open(file, "label")) {
            while (reader.read(values, 2, new ArrayList<>(), null) > 0) {
                // batches of 2 rows
            }
        }
        return Arrays.copyOf(values.array(), values.position());
    }

    private static int[] int32(Path file, Set<String> classes, List<String> labels) {
        IntBuffer values = IntBuffer.allocate(64);
        try (CsvExampleReader reader = CsvExampleReader.open(file, "label")) {
            while (reader.read(values, 3, labels, classes) > 0) {
                // batches of 3 rows
            }
        }
        return Arrays.copyOf(values.array(), values.position());
    }

    @Test
    void wholeNumbersAreReadExactlyAcrossTheInt64Range() throws IOException {
        // 2^53 + 1 is the first integer a double cannot hold
        Path file = csv("a,b,label\n9007199254740993,-9223372036854775808,x\n 7.0 ,+12,y\n9223372036854775807,0.00,x\n");
        assertArrayEquals(new long[] {9007199254740993L, Long.MIN_VALUE, 7, 12, Long.MAX_VALUE, 0}, int64(file));
    }

    @Test
    void int32ValuesAndLabelsAreRead() throws IOException {
        Path file = csv("a,b,label\n-2147483648,2147483647,x\n3,4,y\n5,6,x\n7,8,y\n");
        List<String> labels = new ArrayList<>();
        assertArrayEquals(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 3, 4, 5, 6, 7, 8},
                int32(file, Set.of("x", "y"), labels));
        assertEquals(List.of("x", "y", "x", "y"), labels);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "2.5|'2.5' is not a whole number (an int32 input takes integers)",
            "1e3|'1e3' is not a whole number (an int32 input takes integers)",
            "0x10|'0x10' is not a whole number (an int32 input takes integers)",
            "-|'-' is not a whole number (an int32 input takes integers)",
            "NaN|'NaN' is not a whole number (an int32 input takes integers)",
            "2147483648|'2147483648' is outside the int32 range [-2147483648, 2147483647]",
            "-2147483649|'-2147483649' is outside the int32 range [-2147483648, 2147483647]",
            "99999999999999999999999|'99999999999999999999999' is outside the int32 range [-2147483648, 2147483647]"})
    void aCellThatIsNotAnInt32IsOneLineNamingLineAndColumn(String cell, String problem) throws IOException {
        Path file = csv("a,b,label\n1,2,x\n3," + cell + ",y\n");
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> int32(file, Set.of("x", "y"), new ArrayList<>()));
        assertEquals(file + ": line 3, column 'b' (2): " + problem, e.getMessage());
    }

    @Test
    void anInt64BeyondItsRangeAndAnEmptyCellAreRefused() throws IOException {
        Path big = csv("a,label\n9223372036854775808,x\n");
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> int64(big));
        assertEquals(big + ": line 2, column 'a' (1): '9223372036854775808' is outside the int64 range "
                + "[-9223372036854775808, 9223372036854775807]", e.getMessage());
        Path empty = csv("a,b,label\n1,,x\n");
        e = assertThrows(InvalidDataException.class, () -> int64(empty));
        assertEquals(empty + ": line 2, column 'b' (2): empty cell", e.getMessage());
    }
}
