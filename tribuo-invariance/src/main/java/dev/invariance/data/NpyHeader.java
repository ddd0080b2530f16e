package dev.invariance.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The header of a NumPy {@code .npy} file (format versions 1.0, 2.0 and 3.0), read as untrusted input: the magic
 * {@code \x93NUMPY}, the version, the header's length (at most {@link #MAX_HEADER_BYTES}, inside the file), and the
 * header itself, a Python dict literal with exactly the keys {@code descr} (a simple type: {@code <f4}, {@code <f8},
 * {@code <i4}, {@code <i8}, either byte order), {@code fortran_order} ({@code False}: C order) and {@code shape} (a
 * tuple of at most {@link #MAX_AXES} sizes), parsed strictly (no evaluation, nothing else accepted). The data must
 * fill the rest of the file exactly: the shape's size times the element size, compared without overflow. Nothing is
 * allocated from a size the file declares before these checks.
 *
 * @param type       the element type
 * @param order      the byte order of the values
 * @param shape      the array's shape, C (row-major) order
 * @param dataOffset where the values start in the file
 */
record NpyHeader(ElementType type, ByteOrder order, List<Long> shape, long dataOffset) {
    /** The longest header read: 64 KiB (NumPy itself refuses headers over 10,000 bytes by default). */
    static final int MAX_HEADER_BYTES = 1 << 16;
    /** The most axes a shape may have (NumPy's own limit is 64). */
    static final int MAX_AXES = 32;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** The element types read. */
    enum ElementType {
        /** {@code f4}. */
        FLOAT32("float32", 4),
        /** {@code f8}. */
        FLOAT64("float64", 8),
        /** {@code i4}. */
        INT32("int32", 4),
        /** {@code i8}. */
        INT64("int64", 8);

        final String numpyName;
        final int bytes;

        ElementType(String numpyName, int bytes) {
            this.numpyName = numpyName;
            this.bytes = bytes;
        }

        /** Whether the values are floating point. */
        boolean isFloat() {
            return this == FLOAT32 || this == FLOAT64;
        }
    }

    /** The number of values: the product of the shape (the data's size was checked against it). */
    long values() {
        return bytesOrMinusOne() / type.bytes;
    }

    /** The bytes of the values the shape declares, or -1 when that overflows a {@code long}. */
    private long bytesOrMinusOne() {
        long n = type.bytes;
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        for (long d : shape) {
            if (n > Long.MAX_VALUE / d) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    /**
     * Reads and checks the header of the file open in {@code channel}, of {@code size} bytes.
     *
     * @param source how messages name the file
     * @throws InvalidDataException naming the file and what is wrong with it
     */
    static NpyHeader read(String source, FileChannel channel, long size) throws IOException {
        if (size < 10) {
            throw new InvalidDataException(source + ": not a .npy file (" + size + " bytes, shorter than its preamble)");
        }
        ByteBuffer preamble = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        preamble.limit((int) Math.min(12, size));
        readFully(source, channel, preamble, 0);
        for (int i = 0; i < MAGIC.length; i++) {
            if (preamble.get(i) != MAGIC[i]) {
                throw new InvalidDataException(source + ": not a .npy file (it does not start with \\x93NUMPY)");
            }
        }
        int major = preamble.get(6);
        int minor = preamble.get(7);
        if (major < 1 || major > 3 || minor != 0) {
            throw new InvalidDataException(source + ": .npy format version " + major + "." + minor
                    + " (this reads 1.0, 2.0 and 3.0)");
        }
        int prefix = major == 1 ? 10 : 12;
        if (size < prefix) {
            throw new InvalidDataException(source + ": .npy file ends inside its preamble");
        }
        long headerBytes = major == 1 ? Short.toUnsignedInt(preamble.getShort(8))
                : Integer.toUnsignedLong(preamble.getInt(8));
        if (headerBytes > MAX_HEADER_BYTES) {
            throw new InvalidDataException(source + ": .npy header of " + headerBytes + " bytes (at most "
                    + MAX_HEADER_BYTES + " are read)");
        }
        if (prefix + headerBytes > size) {
            throw new InvalidDataException(source + ": .npy header of " + headerBytes + " bytes passes the end of the "
                    + size + "-byte file");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
        readFully(source, channel, header, prefix);
        String text = new String(header.array(), StandardCharsets.ISO_8859_1);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > '~' || (c < ' ' && c != '\n' && c != '\t' && c != '\r')) {
                throw new InvalidDataException(source + ": .npy header has a byte 0x"
                        + Integer.toHexString(c) + " at " + (prefix + i) + " (expected a Python dict literal)");
            }
        }
        NpyHeader h = new HeaderParser(source, text).parse(prefix + headerBytes);
        long dataBytes = size - h.dataOffset;
        if (h.bytesOrMinusOne() != dataBytes) {
            throw new InvalidDataException(source + ": .npy data of " + dataBytes + " bytes does not hold the "
                    + h.describe() + " array its header declares");
        }
        return h;
    }

    /** The type and shape as messages show them: {@code float32 [1, 3, 8, 8]}. */
    String describe() {
        return type.numpyName + " " + shape;
    }

    private static void readFully(String source, FileChannel channel, ByteBuffer into, long position)
            throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new InvalidDataException(source + ": .npy file ended early (it changed while being read?)");
            }
            at += n;
        }
    }

    /** A strict parser of the header's dict literal. */
    private static final class HeaderParser {
        private final String source;
        private final String text;
        private int at;

        HeaderParser(String source, String text) {
            this.source = source;
            this.text = text;
        }

        NpyHeader parse(long dataOffset) {
            spaces();
            expect('{');
            ElementType type = null;
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            Boolean fortran = null;
            List<Long> shape = null;
            spaces();
            while (peek() != '}') {
                String key = string();
                spaces();
                expect(':');
                spaces();
                switch (key) {
                    case "descr" -> {
                        if (type != null) {
                            throw bad("the key 'descr' twice");
                        }
                        String descr = string();
                        type = elementType(descr);
                        order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                    }
                    case "fortran_order" -> {
                        if (fortran != null) {
                            throw bad("the key 'fortran_order' twice");
                        }
                        fortran = bool();
                    }
                    case "shape" -> {
                        if (shape != null) {
                            throw bad("the key 'shape' twice");
                        }
                        shape = tuple();
                    }
                    default -> throw bad("an unknown key '" + CsvRecordReader.shown(key) + "'");
                }
                separator('}');
            }
            at++;
            spaces();
            if (at != text.length()) {
                throw bad("text after the dict");
            }
            if (type == null || fortran == null || shape == null) {
                throw bad("no '" + (type == null ? "descr" : fortran == null ? "fortran_order" : "shape") + "' key");
            }
            if (fortran) {
                throw new InvalidDataException(source + ": .npy array in Fortran order (save it in C order: "
                        + "numpy.save(f, numpy.ascontiguousarray(a)))");
            }
            return new NpyHeader(type, order, List.copyOf(shape), dataOffset);
        }

        private ElementType elementType(String descr) {
            ElementType t = switch (descr.length() == 3 ? descr.substring(1) : "") {
                case "f4" -> ElementType.FLOAT32;
                case "f8" -> ElementType.FLOAT64;
                case "i4" -> ElementType.INT32;
                case "i8" -> ElementType.INT64;
                default -> null;
            };
            if (t == null || (descr.charAt(0) != '<' && descr.charAt(0) != '>' && descr.charAt(0) != '=')) {
                throw new InvalidDataException(source + ": .npy element type '" + CsvRecordReader.shown(descr)
                        + "' (this reads float32, float64, int32 and int64: <f4, <f8, <i4, <i8, either byte order)");
            }
            return t;
        }

        private String string() {
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw bad("'" + shownChar() + "' where a quoted string belongs");
            }
            int end = text.indexOf(quote, at + 1);
            if (end < 0) {
                throw bad("a string that is not closed");
            }
            String s = text.substring(at + 1, end);
            if (s.indexOf('\\') >= 0) {
                throw bad("a string with an escape");
            }
            at = end + 1;
            return s;
        }

        private boolean bool() {
            if (text.startsWith("True", at)) {
                at += 4;
                return true;
            }
            if (text.startsWith("False", at)) {
                at += 5;
                return false;
            }
            throw bad("'" + shownChar() + "' where True or False belongs");
        }

        private List<Long> tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            spaces();
            while (peek() != ')') {
                if (dims.size() == MAX_AXES) {
                    throw bad("a shape of more than " + MAX_AXES + " axes");
                }
                int start = at;
                while (at < text.length() && Character.isDigit(text.charAt(at)) && at - start < 18) {
                    at++;
                }
                if (at == start || (at < text.length() && Character.isDigit(text.charAt(at)))) {
                    throw bad(at == start ? "'" + shownChar() + "' where a size belongs" : "a size of over 18 digits");
                }
                dims.add(Long.parseLong(text.substring(start, at)));
                if (peek() == 'L') {
                    at++; // Python 2's long suffix, as old NumPy wrote it
                }
                separator(')');
            }
            at++;
            return dims;
        }

        /** After an item: a comma (then spaces) or, left for the caller, {@code close}. */
        private void separator(char close) {
            spaces();
            if (peek() == ',') {
                at++;
                spaces();
            } else if (peek() != close) {
                throw bad("'" + shownChar() + "' where ',' or '" + close + "' belongs");
            }
        }

        private void spaces() {
            while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\n'
                    || text.charAt(at) == '\t' || text.charAt(at) == '\r')) {
                at++;
            }
        }

        private char peek() {
            if (at >= text.length()) {
                throw bad("the end of the header where more belongs");
            }
            return text.charAt(at);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw bad("'" + shownChar() + "' where '" + c + "' belongs");
            }
            at++;
        }

        private String shownChar() {
            return at < text.length() ? CsvRecordReader.shown(text.substring(at, at + 1)) : "";
        }

        private InvalidDataException bad(String what) {
            return new InvalidDataException(source + ": .npy header: " + what + " at character " + at
                    + " (expected {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 8, 8), })");
        }
    }
}
