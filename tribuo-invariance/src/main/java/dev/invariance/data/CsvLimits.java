package dev.invariance.data;

/**
 * How large one CSV record may be, so that a hostile or broken file is refused in bounded memory with one line rather
 * than read until the heap runs out. A record's characters cost 2 bytes each plus half again while the buffer grows,
 * and a column about 100 bytes (its name and its place in the header's lists); the defaults keep one record under
 * about 40 % of the Java heap.
 *
 * @param recordChars the longest record, in characters (separators, quotes and line breaks included)
 * @param columns     the most cells a record may have
 * @param heapBytes   the Java heap the limits were derived from, or 0 when they were given
 */
record CsvLimits(int recordChars, int columns, long heapBytes) {
    /**
     * {@link CsvExampleReader#MAX_RECORD_CHARS} and {@link CsvExampleReader#MAX_COLUMNS}, lowered to an eighth of
     * the heap in characters and one column per 256 bytes of heap when the heap is smaller than they need (64 MB and
     * 256 MB).
     */
    static CsvLimits forHeap(long maxHeapBytes) {
        return new CsvLimits((int) Math.min(CsvExampleReader.MAX_RECORD_CHARS, maxHeapBytes / 8),
                (int) Math.min(CsvExampleReader.MAX_COLUMNS, maxHeapBytes / 256), maxHeapBytes);
    }

    /** What messages add after "the limit per record" of characters: why it is lower than usual, or "". */
    String recordCharsNote() {
        return note(recordChars < CsvExampleReader.MAX_RECORD_CHARS, CsvExampleReader.MAX_RECORD_CHARS, 64);
    }

    /** What messages add after "the limit per record" of cells: why it is lower than usual, or "". */
    String columnsNote() {
        return note(columns < CsvExampleReader.MAX_COLUMNS, CsvExampleReader.MAX_COLUMNS, 256);
    }

    private String note(boolean lowered, int usual, int fromMegabytes) {
        return lowered && heapBytes > 0 ? " with a " + (heapBytes >> 20) + " MB Java heap ("
                + String.format("%,d", usual) + " from " + fromMegabytes + " MB, -Xmx" + fromMegabytes + "m)" : "";
    }
}
