package dev.invariance.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heap {@code train} asks of a network's widths, counted by hand. */
class TrainingMemoryTest {
    @Test
    void countsEveryLayersWeightsAndEveryUnitOfABatch() {
        // widths 3 -> 16 -> 16 -> 2: 3·16 + 16·16 + 16·2 = 336 weights; 37 units
        assertEquals(336, TrainingMemory.weights(3, List.of(16, 16), 2));
        assertEquals(336 * 64 + 37 * 40 * 20, TrainingMemory.bytes(3, List.of(16, 16), 2, 20));
    }

    @Test
    void aNetworkThatFitsIsNotRefusedAndOneByteLessIs() {
        long need = TrainingMemory.bytes(3, List.of(16, 16), 2, 20);
        assertDoesNotThrow(() -> TrainingMemory.check("16,16", 3, List.of(16, 16), 2, 20, need));
        BadInputException e = assertThrows(BadInputException.class,
                () -> TrainingMemory.check("16,16", 3, List.of(16, 16), 2, 20, need - 1));
        assertTrue(e.getMessage().startsWith("--hidden 16,16: training 336 weights needs about 1 MB of heap"),
                e.getMessage());
        assertTrue(e.getMessage().contains("run with -Xmx256m"), e.getMessage());
    }

    @Test
    void beforeTheDataIsReadTheLeastAnyDataNeedsIsCheckedAndSaidToBeALowerBound() {
        // one feature, one output, one example: 1·2147483647 weights in layer-0 already exceed an array
        BadInputException e = assertThrows(BadInputException.class,
                () -> TrainingMemory.checkBeforeReading("2147483647", List.of(Integer.MAX_VALUE), Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("layer-0 (2147483647 units) would hold 2147483647 or more weights"),
                e.getMessage());
        assertDoesNotThrow(() -> TrainingMemory.checkBeforeReading("16,16", List.of(16, 16), 1L << 20));
    }

    @Test
    void countsThatOverflowALongSaturate() {
        List<Integer> huge = List.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, TrainingMemory.bytes(Integer.MAX_VALUE, huge, Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void aLayerOrABatchBeyondAJavaArrayIsRefusedWhateverTheHeap() {
        BadInputException layer = assertThrows(BadInputException.class,
                () -> TrainingMemory.check("46341,46341", 3, List.of(46341, 46341), 2, 20, Long.MAX_VALUE));
        assertTrue(layer.getMessage().contains("layer-1 (46341 units) would hold 2147488281 weights, more than"),
                layer.getMessage());
        BadInputException batch = assertThrows(BadInputException.class,
                () -> TrainingMemory.check("100000000", 3, List.of(100_000_000), 2, 50, Long.MAX_VALUE));
        assertTrue(batch.getMessage().contains("a batch of 50 examples through 100000000 units"), batch.getMessage());
    }
}
