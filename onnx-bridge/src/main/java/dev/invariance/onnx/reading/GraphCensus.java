package dev.invariance.onnx.reading;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import java.io.IOException;

/**
 * How many nodes and names an ONNX file holds, counted from its protobuf encoding without parsing it (no object per
 * node is made, so counting costs no memory and time linear in the file's size): the nodes of the main graph, of every
 * control-flow body at any depth, of the model's functions and of its training graphs, and the strings those nodes
 * hold (inputs, outputs, names, op types, domains). The reader uses it to refuse, before parsing, a file whose
 * graph would not fit in the heap ({@link #heapBytes}): a few bytes per node in the file become a few hundred in
 * memory.
 *
 * @param nodes   {@code NodeProto}s anywhere in the model
 * @param strings strings held by those nodes
 * @param values  initializers, graph inputs, outputs and value infos of every graph
 */
record GraphCensus(long nodes, long strings, long values) {
    /**
     * Heap per parsed node besides its strings: the protobuf message and the reader's index entry. Measured with
     * JDK 17 (compressed pointers) after reading: 76 bytes per empty node; 640 per {@code Relu} with a name, one input
     * and one output (4 strings); 1,510 per {@code Gemm} of a 2 × 2 initializer (5 strings, one initializer, one
     * layer plan). The figures here are those, rounded up.
     */
    static final long NODE_BYTES = 100;
    /** Heap per string of a node: the {@code String}, its bytes, the list slot and the index's value. */
    static final long STRING_BYTES = 150;
    /** Heap per initializer, graph input, output or value info: the message, its shape and the index's value. */
    static final long VALUE_BYTES = 800;
    /** Headroom over the retained size for what reading allocates and drops (parse buffers, the sort's arrays). */
    private static final double TRANSIENT = 1.25;

    private static final int FIELD_MODEL_GRAPH = 7;
    private static final int FIELD_MODEL_TRAINING_INFO = 20;
    private static final int FIELD_MODEL_FUNCTIONS = 25;
    private static final int FIELD_GRAPH_NODE = 1;
    private static final int FIELD_GRAPH_INITIALIZER = 5;
    private static final int FIELD_GRAPH_INPUT = 11;
    private static final int FIELD_GRAPH_OUTPUT = 12;
    private static final int FIELD_GRAPH_VALUE_INFO = 13;
    private static final int FIELD_GRAPH_SPARSE_INITIALIZER = 15;
    private static final int FIELD_NODE_ATTRIBUTE = 5;
    private static final int FIELD_NODE_DOC = 6;
    private static final int FIELD_ATTRIBUTE_GRAPH = 6;
    private static final int FIELD_ATTRIBUTE_GRAPHS = 11;
    private static final int FIELD_FUNCTION_NODE = 7;
    private static final int FIELD_TRAINING_INITIALIZATION = 1;
    private static final int FIELD_TRAINING_ALGORITHM = 2;

    /**
     * Counts the nodes of an encoded {@code ModelProto}. Counting stops where the encoding is malformed or nested
     * deeper than {@code depthLimit} messages; parsing then refuses the file with the cause.
     */
    static GraphCensus of(byte[] bytes, int depthLimit) {
        Counter c = new Counter(depthLimit);
        try {
            c.model(CodedInputStream.newInstance(bytes));
        } catch (IOException | RuntimeException malformed) {
            // the parser reports it, with its cause; what was counted so far stands
        }
        return new GraphCensus(c.nodes, c.strings, c.values);
    }

    /**
     * The heap that parsing and indexing the model take beyond the file's bytes, estimated from the counts with
     * headroom for what reading allocates and drops.
     */
    long heapBytes() {
        return (long) (TRANSIENT * (nodes * NODE_BYTES + strings * STRING_BYTES + values * VALUE_BYTES));
    }

    /** Walks the protobuf encoding, descending only into the messages that hold nodes. */
    private static final class Counter {
        private final int depthLimit;
        long nodes;
        long strings;
        long values;

        Counter(int depthLimit) {
            this.depthLimit = depthLimit;
        }

        void model(CodedInputStream in) throws IOException {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (lengthDelimitedField(tag)) {
                    case FIELD_MODEL_GRAPH -> nested(in, 1, this::graph);
                    case FIELD_MODEL_FUNCTIONS -> nested(in, 1, this::function);
                    case FIELD_MODEL_TRAINING_INFO -> nested(in, 1, this::trainingInfo);
                    default -> skip(in, tag);
                }
            }
        }

        private void graph(CodedInputStream in, int depth) throws IOException {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (lengthDelimitedField(tag)) {
                    case FIELD_GRAPH_NODE -> nested(in, depth + 1, this::node);
                    case FIELD_GRAPH_INITIALIZER, FIELD_GRAPH_INPUT, FIELD_GRAPH_OUTPUT, FIELD_GRAPH_VALUE_INFO,
                            FIELD_GRAPH_SPARSE_INITIALIZER -> {
                        values++;
                        skip(in, tag);
                    }
                    default -> skip(in, tag);
                }
            }
        }

        private void node(CodedInputStream in, int depth) throws IOException {
            nodes++;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = lengthDelimitedField(tag);
                if (field == FIELD_NODE_ATTRIBUTE) {
                    nested(in, depth + 1, this::attribute);
                } else {
                    if (field > 0 && field != FIELD_NODE_DOC) {
                        strings++; // input, output, name, op_type, domain, overload
                    }
                    skip(in, tag);
                }
            }
        }

        private void attribute(CodedInputStream in, int depth) throws IOException {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = lengthDelimitedField(tag);
                if (field == FIELD_ATTRIBUTE_GRAPH || field == FIELD_ATTRIBUTE_GRAPHS) {
                    nested(in, depth + 1, this::graph);
                } else {
                    skip(in, tag);
                }
            }
        }

        private void function(CodedInputStream in, int depth) throws IOException {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (lengthDelimitedField(tag) == FIELD_FUNCTION_NODE) {
                    nested(in, depth + 1, this::node);
                } else {
                    skip(in, tag);
                }
            }
        }

        private void trainingInfo(CodedInputStream in, int depth) throws IOException {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = lengthDelimitedField(tag);
                if (field == FIELD_TRAINING_INITIALIZATION || field == FIELD_TRAINING_ALGORITHM) {
                    nested(in, depth + 1, this::graph);
                } else {
                    skip(in, tag);
                }
            }
        }

        /** Scans the length-delimited message at the current position with {@code body}, if not too deep. */
        private void nested(CodedInputStream in, int depth, Body body) throws IOException {
            int length = in.readRawVarint32();
            if (length < 0) {
                throw new IOException("negative length");
            }
            if (depth > depthLimit) {
                in.skipRawBytes(length);
                return;
            }
            int outer = in.pushLimit(length);
            body.scan(in, depth);
            in.popLimit(outer);
        }

        private static void skip(CodedInputStream in, int tag) throws IOException {
            if (!in.skipField(tag)) {
                throw new IOException("unexpected end-group tag");
            }
        }

        /** The field number of a length-delimited field's tag, or 0 for other wire types. */
        private static int lengthDelimitedField(int tag) {
            return WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED
                    ? WireFormat.getTagFieldNumber(tag) : 0;
        }
    }

    /** Scans one message's fields. */
    @FunctionalInterface
    private interface Body {
        void scan(CodedInputStream in, int depth) throws IOException;
    }
}
