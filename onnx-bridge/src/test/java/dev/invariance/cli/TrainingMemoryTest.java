package dev.invariance.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heap {@code train} asks of a network's widths and its data, counted by hand. */
class TrainingMemoryTest {
    /** Widths 3 -> 16 -> 16 -> 2, batches of 8 from 20 examples. */
    private static final TrainingMemory SMALL = new TrainingMemory(3, List.of(16, 16), 2, 8, 20);

    @Test
    void countsEveryLayersWeightsEveryUnitOfABatchAndEveryValueOfTheData() {
        // 3·16 + 16·16 + 16·2 = 336 weights; 3 + 16 + 16 + 2 = 37 units; 20 · 3 = 60 values
        assertEquals(336, SMALL.weights());
        assertEquals(336 * 64 + 37 * 40 * 8 + 60 * 24, SMALL.bytes());
    }

    @Test
    void aNetworkThatFitsIsNotRefusedAndOneByteLessIs() {
        long need = SMALL.bytes();
        assertDoesNotThrow(() -> SMALL.check("16,16", need));
        BadInputException e = assertThrows(BadInputException.class, () -> SMALL.check("16,16", need - 1));
        assertTrue(e.getMessage().startsWith("--hidden 16,16: training 336 weights needs about 1 MB of heap"),
                e.getMessage());
        assertTrue(e.getMessage().contains("run with -Xmx256m"), e.getMessage());
    }

    @Test
    void beforeTheDataIsReadTheLeastAnyDataNeedsIsCheckedAndSaidToBeALowerBound() {
        // one feature, one output, one example: 1·2147483647 weights in layer-0 already exceed an array
        BadInputException e = assertThrows(BadInputException.class,
                () -> TrainingMemory.leastData(List.of(Integer.MAX_VALUE)).check("2147483647", Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("layer-0 (2147483647 units) would hold 2147483647 or more weights"),
                e.getMessage());
        assertDoesNotThrow(() -> TrainingMemory.leastData(List.of(16, 16)).check("16,16", 1L << 20));
    }

    @Test
    void countsThatOverflowALongSaturate() {
        int max = Integer.MAX_VALUE;
        assertEquals(Long.MAX_VALUE, new TrainingMemory(max, List.of(max, max, max), max, max, max).bytes());
    }

    @Test
    void aLayerOrABatchBeyondAJavaArrayIsRefusedWhateverTheHeap() {
        BadInputException layer = assertThrows(BadInputException.class,
                () -> new TrainingMemory(3, List.of(46341, 46341), 2, 20, 20).check("46341,46341", Long.MAX_VALUE));
        assertTrue(layer.getMessage().contains("layer-1 (46341 units) would hold 2147488281 weights, more than"),
                layer.getMessage());
        BadInputException batch = assertThrows(BadInputException.class,
                () -> new TrainingMemory(3, List.of(100_000_000), 2, 50, 50).check("100000000", Long.MAX_VALUE));
        assertTrue(batch.getMessage().contains("a batch of 50 examples through 100000000 units"), batch.getMessage());
    }

    @Test
    void aMinibatchOfAManyExampleDataSetNeedsNoMoreThanItsBatch() {
        // 10^6 examples of 784 features through 16 units: full-batch buffers would be about 32 GB, a batch of 32 is not
        TrainingMemory minibatch = new TrainingMemory(784, List.of(16), 10, 32, 1_000_000);
        assertEquals(784L * 16 * 64 + 16L * 10 * 64 + (784 + 16 + 10) * 40L * 32 + 1_000_000L * 784 * 24,
                minibatch.bytes());
    }
}
