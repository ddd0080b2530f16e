package dev.invariance.analysis;

/**
 * The analysis needs more heap than this JVM can give it: thrown before anything large is allocated (from the memory
 * plan of {@link WeightAnalyzer#analyze(dev.invariance.network.StreamedNetwork)}) or, should an allocation still
 * fail, in place of the {@link OutOfMemoryError}. The message is one line naming what needs the memory, about how
 * much, and the {@code -Xmx} option of a heap that holds it ({@link #getNeededHeapBytes()}).
 */
public final class InsufficientMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long neededHeapBytes;

    /**
     * @param message         one line naming what needs the memory and how much
     * @param neededHeapBytes the heap ({@code -Xmx}) that would hold it
     */
    public InsufficientMemoryException(String message, long neededHeapBytes) {
        super(message);
        this.neededHeapBytes = neededHeapBytes;
    }

    /** The heap ({@code -Xmx}) in bytes that the refused work would fit in. */
    public long getNeededHeapBytes() {
        return neededHeapBytes;
    }
}
