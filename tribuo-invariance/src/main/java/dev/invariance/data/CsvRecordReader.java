package dev.invariance.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits UTF-8 bytes into CSV records (RFC 4180): cells separated by commas; a cell that starts with a double quote
 * runs to the matching quote and may hold commas, line breaks and doubled quotes ({@code ""} for one); records end at
 * {@code \n}, {@code \r\n} or a lone {@code \r}; empty lines are skipped; a byte-order mark at the start is dropped.
 * A quote inside an unquoted cell is an ordinary character (as in Tribuo's and Python's readers); text after a closing
 * quote is refused.
 * <p>
 * Only the current record is held, in one character buffer with the cell boundaries, and it may not grow beyond the
 * {@link CsvLimits}: a 100 MB line or an unclosed quote is refused when the limit is reached, not read to the end.
 * Every refusal is an {@link InvalidDataException} naming the source, the line (lines counted from 1 as an editor
 * shows them) and, where it applies, the column by name (once the header is known, see {@link #nameColumns}) and
 * 1-based position.
 */
final class CsvRecordReader implements AutoCloseable {
    private static final int END = -1;
    private static final int CHUNK = 1 << 16;

    private final String source;
    private final InputStream in;
    private final int maxRecordChars;
    private final int maxCells;
    private final CsvLimits limits;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(CHUNK);
    private final char[] decoded = new char[CHUNK];
    private final CharBuffer decodedView = CharBuffer.wrap(decoded);
    private int decodedPosition;
    private int decodedLimit;
    private boolean endOfBytes;
    /** The decoder has been flushed: every character has been delivered. */
    private boolean finished;
    /** Bytes discarded from {@link #bytes} so far: the file offset of its first byte. */
    private long bytesBefore;
    /** File offset of the first byte that is not UTF-8, once the decoder met it; -1 before. */
    private long malformedOffset = -1;
    private int malformedByte;
    private int pushedBack = END - 1;

    private char[] record = new char[256];
    private int recordLength;
    /** Characters of the current record read so far, separators and quotes included. */
    private int recordChars;
    /** The line a quoted cell being read opened on; -1 outside quotes. */
    private long openQuote = -1;
    private int[] cellEnds = new int[16];
    private int cells;
    private long line = 1;
    private long recordLine;
    private List<String> names = List.of();

    /**
     * @param source         how messages name the input (the file's path)
     * @param in             the bytes; closed by {@link #close()}
     * @param limits how long a record may be and how many cells it may have
     */
    CsvRecordReader(String source, InputStream in, CsvLimits limits) {
        this.source = source;
        this.in = in;
        this.maxRecordChars = limits.recordChars();
        this.maxCells = limits.columns();
        this.limits = limits;
        bytes.flip();
        int first = read();
        if (first != '\uFEFF') {
            pushedBack = first;
        }
    }

    /** Names the columns in later messages (the header's cells; the list is kept, not copied). */
    void nameColumns(List<String> header) {
        names = header;
    }

    /**
     * Reads the next record.
     *
     * @return false at the end of the input
     * @throws InvalidDataException for bytes that are not UTF-8, a record over the limits, an unclosed quote or text
     *                              after a closing quote
     */
    boolean next() {
        recordLength = 0;
        recordChars = 0;
        openQuote = -1;
        cells = 0;
        int c = read();
        while (c == '\n' || c == '\r') {
            endLine(c);
            c = read();
        }
        if (c == END) {
            return false;
        }
        recordLine = line;
        count();
        while (true) {
            if (c == '"') {
                openQuote = line;
                while (true) {
                    c = take();
                    if (c == END) {
                        throw new InvalidDataException(where(openQuote, cells) + ": the quoted cell is not closed"
                                + " before the end of the file");
                    }
                    if (c == '"') {
                        c = take();
                        if (c != '"') {
                            break;
                        }
                    } else if (c == '\n' || (c == '\r' && peek() != '\n')) {
                        line++;
                    }
                    append((char) c);
                }
                openQuote = -1;
                if (c != ',' && c != '\n' && c != '\r' && c != END) {
                    throw new InvalidDataException(where(line, cells) + ": text after the closing quote (a quote"
                            + " inside a quoted cell is written twice: \"\")");
                }
            } else {
                while (c != ',' && c != '\n' && c != '\r' && c != END) {
                    append((char) c);
                    c = take();
                }
            }
            endCell();
            if (c != ',') {
                break;
            }
            c = take();
        }
        if (c != END) {
            endLine(c);
        }
        return true;
    }

    /** Cells in the current record. */
    int cells() {
        return cells;
    }

    /** Cell {@code i} of the current record, unquoted. */
    String cell(int i) {
        int start = start(i);
        return new String(record, start, cellEnds[i] - start);
    }

    /** The characters of the current record's cells; cell {@code i} is {@code [start(i), end(i))}. */
    char[] chars() {
        return record;
    }

    /** Where cell {@code i} starts in {@link #chars()}. */
    int start(int i) {
        return i == 0 ? 0 : cellEnds[i - 1];
    }

    /** Where cell {@code i} ends in {@link #chars()}. */
    int end(int i) {
        return cellEnds[i];
    }

    /** The line the current record starts on. */
    long line() {
        return recordLine;
    }

    /**
     * "source: line L, column 'name' (P)" for 0-based column {@code column} of the current record; without a name
     * ("column P") before the header is known.
     */
    String where(int column) {
        return where(recordLine, column);
    }

    /** "source: line L" for the current record. */
    String whereLine() {
        return source + ": line " + recordLine;
    }

    /** How messages name the input. */
    String source() {
        return source;
    }

    private String where(long atLine, int column) {
        String at = source + ": line " + atLine + ", column ";
        boolean named = column < names.size() && !names.get(column).isEmpty();
        return named ? at + "'" + shown(names.get(column)) + "' (" + (column + 1) + ")" : at + (column + 1);
    }

    /**
     * {@code text} as messages show it: at most 40 characters, control characters escaped, so a message stays one
     * line and cannot steer a terminal.
     */
    static String shown(String text) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(text.length(), 40);
        for (int i = 0; i < n; i++) {
            char ch = text.charAt(i);
            if (Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029' || (ch >= '\u202A' && ch <= '\u202E')
                    || (ch >= '\u2066' && ch <= '\u2069')) {
                sb.append(switch (ch) {
                    case '\n' -> "\\n";
                    case '\r' -> "\\r";
                    case '\t' -> "\\t";
                    default -> String.format("\\u%04X", (int) ch);
                });
            } else {
                sb.append(ch);
            }
        }
        return text.length() > n ? sb.append("...").toString() : sb.toString();
    }

    private void endLine(int c) {
        if (c == '\r' && peek() == '\n') {
            read();
        }
        line++;
    }

    /** The next character of the current record, counted against the record's limit. */
    private int take() {
        int c = read();
        if (c != END) {
            count();
        }
        return c;
    }

    private void count() {
        if (++recordChars > maxRecordChars) {
            throw new InvalidDataException(source + ": line " + recordLine + ": the record is longer than "
                    + String.format("%,d", maxRecordChars) + " characters, the limit per record"
                    + limits.recordCharsNote()
                    + (openQuote < 0 ? "" : " (the quoted cell opened on line " + openQuote + ", column "
                    + (cells + 1) + " is not closed)"));
        }
    }

    /** Stores a cell's character; the record's limit bounds the buffer, since only counted characters are stored. */
    private void append(char ch) {
        if (recordLength == record.length) {
            record = java.util.Arrays.copyOf(record, (int) Math.min(maxRecordChars, 2L * record.length));
        }
        record[recordLength++] = ch;
    }

    private void endCell() {
        if (cells == maxCells) {
            throw new InvalidDataException(source + ": line " + recordLine + ": more than "
                    + String.format("%,d", maxCells) + " cells, the limit per record" + limits.columnsNote());
        }
        if (cells == cellEnds.length) {
            cellEnds = java.util.Arrays.copyOf(cellEnds, (int) Math.min(maxCells, 2L * cells));
        }
        cellEnds[cells++] = recordLength;
    }

    private int peek() {
        if (pushedBack < END) {
            pushedBack = read();
        }
        return pushedBack;
    }

    /** The next character, or {@link #END}; refuses bytes that are not UTF-8 where they are met. */
    private int read() {
        if (pushedBack >= END) {
            int c = pushedBack;
            pushedBack = END - 1;
            return c;
        }
        if (decodedPosition < decodedLimit) {
            return decoded[decodedPosition++];
        }
        return refill();
    }

    private int refill() {
        if (malformedOffset >= 0) {
            throw notUtf8();
        }
        if (finished) {
            return END;
        }
        try {
            decodedView.clear();
            while (true) {
                CoderResult result = decoder.decode(bytes, decodedView, endOfBytes);
                if (result.isError()) {
                    malformedOffset = bytesBefore + bytes.position();
                    malformedByte = bytes.get(bytes.position()) & 0xFF;
                    break;
                }
                if (decodedView.position() > 0 || result.isOverflow()) {
                    break;
                }
                if (endOfBytes) {
                    decoder.flush(decodedView);
                    finished = true;
                    break;
                }
                bytesBefore += bytes.position();
                bytes.compact();
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    endOfBytes = true;
                } else {
                    bytes.position(bytes.position() + n);
                }
                bytes.flip();
            }
        } catch (IOException e) {
            throw new InvalidDataException(source + ": cannot read (" + e.getMessage() + ")", e);
        }
        decodedPosition = 0;
        decodedLimit = decodedView.position();
        if (decodedLimit == 0) {
            if (malformedOffset >= 0) {
                throw notUtf8();
            }
            return END;
        }
        return decoded[decodedPosition++];
    }

    private InvalidDataException notUtf8() {
        String what = String.format("byte 0x%02X at offset %d is not UTF-8", malformedByte, malformedOffset);
        if (malformedOffset == 0 && (malformedByte == 0xFF || malformedByte == 0xFE)) {
            return new InvalidDataException(source + ": line 1: " + what + " (a UTF-16 byte-order mark?); save the"
                    + " file as UTF-8");
        }
        return new InvalidDataException(where(line, cells) + ": " + what + " (save the file as UTF-8)");
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new InvalidDataException(source + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
