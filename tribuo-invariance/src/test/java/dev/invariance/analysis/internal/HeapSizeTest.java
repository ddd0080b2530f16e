package dev.invariance.analysis.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How refusals state sizes and the heap option they suggest. */
class HeapSizeTest {
    private static final long MB = 1L << 20;

    @Test
    void sizesAreWholeMegabytesUpToTenGigabytes() {
        assertEquals("1 MB", HeapSize.describe(1));
        assertEquals("512 MB", HeapSize.describe(512 * MB));
        assertEquals("513 MB", HeapSize.describe(512 * MB + 1));
        assertEquals("12.5 GB", HeapSize.describe(12_800 * MB));
    }

    @Test
    void theSuggestedHeapIsRoundedUpToQuartersOfAGigabyteThenToGigabytes() {
        assertEquals("-Xmx256m", HeapSize.maxHeapOption(100 * MB));
        assertEquals("-Xmx512m", HeapSize.maxHeapOption(300 * MB));
        assertEquals("-Xmx1g", HeapSize.maxHeapOption(1024 * MB));
        assertEquals("-Xmx1280m", HeapSize.maxHeapOption(1025 * MB));
        assertEquals("-Xmx6g", HeapSize.maxHeapOption(5200 * MB));
    }
}
