package dev.invariance.analysis.internal;

import java.util.Locale;

/**
 * The Java heap as the refusals for want of memory state it: what is still available, sizes in words
 * ({@code 312 MB}, {@code 5.8 GB}) and the {@code -Xmx} option of a heap that would hold a given need.
 */
public final class HeapSize {
    private static final long MB = 1L << 20;
    private static final long GB = 1L << 30;

    private HeapSize() {
    }

    /**
     * Bytes the heap can still give: its maximum less what is in use. When that is less than {@code need}, the
     * figure is taken again after a full collection, since part of what is in use may be garbage.
     */
    public static long available(long need) {
        long free = free();
        if (free < need) {
            System.gc(); // only before refusing: the collection decides between running and a refusal
            free = free();
        }
        return free;
    }

    private static long free() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** The heap's maximum size ({@code -Xmx}). */
    public static long max() {
        return Runtime.getRuntime().maxMemory();
    }

    /** A size in words: whole megabytes below 10 GB ({@code 950 MB}), else gigabytes with one decimal. */
    public static String describe(long bytes) {
        if (bytes < 10 * GB) {
            return Math.max(1, (bytes + MB - 1) / MB) + " MB";
        }
        return String.format(Locale.ROOT, "%.1f GB", bytes / (double) GB);
    }

    /**
     * The {@code -Xmx} option for a heap of at least {@code bytes}, rounded up to a multiple of 256 MB
     * ({@code -Xmx768m}) or of a gigabyte from 4 GB on ({@code -Xmx6g}).
     */
    public static String maxHeapOption(long bytes) {
        if (bytes >= 4 * GB) {
            return "-Xmx" + ((bytes + GB - 1) / GB) + "g";
        }
        long quarter = 256 * MB;
        long rounded = Math.max(1, (bytes + quarter - 1) / quarter) * quarter;
        return rounded % GB == 0 ? "-Xmx" + rounded / GB + "g" : "-Xmx" + rounded / MB + "m";
    }
}
