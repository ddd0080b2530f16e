package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import com.google.protobuf.CodedInputStream;
import dev.invariance.analysis.internal.HeapSize;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Opens ONNX files as {@link OnnxModel}s: {@code try (OnnxModel m = OnnxModelReader.open(path)) { ... }}, or with
 * {@link OnnxReadOption}s ({@code open(path, OnnxReadOption.FOLD_BATCH_NORMALIZATION)}).
 * <p>
 * The file is untrusted. Opening parses it with the ONNX protobuf classes Tribuo ships ({@code ai.onnx.proto.OnnxMl})
 * and checks everything that can be checked without reading weights: that it is an ONNX model at all, the graph's
 * structure (no undefined values, no cycles, bodies nested at most {@link GraphIndex#MAX_DEPTH} deep, a node count
 * whose index fits in the heap, counted before parsing: {@link GraphCensus}), each dense
 * weight's element type, declared shape (refused before anything is allocated when too large) and payload size, and,
 * for every tensor the model stores externally (weights or not), the location and range of its data, which must stay
 * inside the model's folder, symbolic links included ({@link ExternalData}). Weights
 * are read later, one layer at a time ({@link OnnxModel#load(int)}), and checked for NaN and infinities then. Every
 * refusal is an {@link InvalidModelException} with a one-line message naming the file and the cause.
 */
public final class OnnxModelReader {
    /** The metadata key under which Tribuo's ONNX export stores the model provenance. */
    public static final String TRIBUO_PROVENANCE_KEY = "TRIBUO_PROVENANCE";

    /** Nesting limit for protobuf messages (a body inside a node inside a graph costs three levels). */
    private static final int PROTOBUF_RECURSION_LIMIT = 4 * GraphIndex.MAX_DEPTH + 16;

    /** Largest file whose content {@link #isOnnxFile} inspects. */
    private static final long SNIFF_LIMIT = 64L << 20;

    private OnnxModelReader() {
    }

    /**
     * Opens an ONNX model file.
     *
     * @param options how to read the graph beyond the defaults, such as
     *                {@link OnnxReadOption#FOLD_BATCH_NORMALIZATION}; none for the weights as stored
     * @throws InvalidModelException if the file is missing, not an ONNX model, or structurally invalid
     */
    public static OnnxModel open(Path file, OnnxReadOption... options) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelException(name + ": no such file");
        }
        long size;
        Path dir;
        try {
            size = Files.size(file);
            Path parent = file.toAbsolutePath().getParent();
            dir = parent == null ? null : parent.toRealPath();
        } catch (IOException e) {
            throw new InvalidModelException(name + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
        if (size == 0) {
            throw new InvalidModelException(name + ": empty file, not an ONNX model");
        }
        long limit = Math.min(Integer.MAX_VALUE - 64L, Runtime.getRuntime().maxMemory() / 3);
        if (size > limit) {
            throw new InvalidModelException(name + ": " + size + " bytes with the weights inside the protobuf, more than"
                    + " can be parsed in this JVM's heap (" + limit + " bytes); save the weights as external data");
        }
        byte[] bytes;
        // one array of the file's size filled by a channel (InputStream.readNBytes gathers 8 KiB chunks and copies
        // them again: 0.26 s instead of 0.05 s for a 100 MB model); a file that shrank meanwhile reads short and
        // fails to parse as truncated
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && ch.read(buffer) >= 0) {
                // keep reading until full or at the end of the file
            }
            bytes = buffer.position() == size ? buffer.array() : Arrays.copyOf(buffer.array(), buffer.position());
        } catch (IOException e) {
            throw new InvalidModelException(name + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
        return read(name, dir, bytes, options.length == 0 ? Set.of() : EnumSet.copyOf(Arrays.asList(options)));
    }

    /**
     * Whether a file is to be read as ONNX: its name ends in {@code .onnx}, or (for other names, up to 64 MB) it parses
     * as an ONNX {@code ModelProto} with an IR version, an operator set and a graph. A Tribuo protobuf model has no
     * graph field, so it is not taken for ONNX. A file holding more nodes than the heap could parse is taken for ONNX
     * without parsing it, so that {@link #open} refuses it with the heap it needs.
     */
    public static boolean isOnnxFile(Path file) {
        Path fileName = file.getFileName();
        if (fileName != null && fileName.toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            return true;
        }
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > SNIFF_LIMIT || Files.size(file) == 0) {
                return false;
            }
            byte[] bytes = Files.readAllBytes(file);
            GraphCensus census = GraphCensus.of(bytes, PROTOBUF_RECURSION_LIMIT);
            if (census.nodes() > 0 && census.heapBytes() > HeapSize.available(census.heapBytes())) {
                return true; // too many nodes to parse here: opening it refuses it, naming the heap it needs
            }
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(PROTOBUF_RECURSION_LIMIT);
            ModelProto proto = ModelProto.parseFrom(in);
            return proto.hasIrVersion() && proto.getOpsetImportCount() > 0 && proto.hasGraph();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Refuses, before parsing, a graph whose nodes would not fit in the heap (a few bytes per node in the file are a
     * few hundred in memory: 5 MB of empty nodes need about 300 MB).
     */
    private static void requireHeapFor(String name, GraphCensus census) {
        long need = census.heapBytes();
        long available = HeapSize.available(need);
        if (need > available) {
            long heap = HeapSize.max() + need - available;
            throw new InvalidModelException(name + ": a graph of " + census.nodes() + " nodes needs about "
                    + HeapSize.describe(need) + " of heap to read, more than the " + HeapSize.describe(available)
                    + " this JVM has free; run with " + HeapSize.maxHeapOption(heap) + " or more");
        }
    }

    /**
     * Reads a model from bytes already in memory (the fuzz test's entry point).
     *
     * @param name     the file's name for messages
     * @param modelDir the real path of the folder external data is relative to, or null to refuse external data
     */
    static OnnxModel read(String name, @Nullable Path modelDir, byte[] bytes) {
        return read(name, modelDir, bytes, Set.of());
    }

    /** {@link #read(String, Path, byte[])} with reading options. */
    static OnnxModel read(String name, @Nullable Path modelDir, byte[] bytes, Set<OnnxReadOption> options) {
        if (bytes.length == 0) {
            throw new InvalidModelException(name + ": empty file, not an ONNX model");
        }
        requireHeapFor(name, GraphCensus.of(bytes, PROTOBUF_RECURSION_LIMIT));
        ModelProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(PROTOBUF_RECURSION_LIMIT);
            in.enableAliasing(true); // raw_data shares the file's bytes instead of copying them (half the peak memory)
            proto = ModelProto.parseFrom(in);
        } catch (IOException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
            String cause = why.contains("recursion") ? "nested too deeply" : why.contains("truncated")
                    || why.contains("ended unexpectedly") ? "truncated or not protobuf" : "not protobuf";
            throw new InvalidModelException(name + ": not an ONNX model (" + cause + ")", e);
        }
        if (!proto.hasGraph() || !proto.hasIrVersion()) {
            throw new InvalidModelException(name + ": not an ONNX model (no " + (proto.hasGraph() ? "IR version" : "graph")
                    + ")");
        }
        long opset = 0;
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = o.getVersion();
            }
        }
        String provenance = null;
        for (StringStringEntryProto e : proto.getMetadataPropsList()) {
            if (e.getKey().equals(TRIBUO_PROVENANCE_KEY)) {
                provenance = e.getValue();
            }
        }
        OnnxModelInfo info = new OnnxModelInfo(name, proto.getProducerName(), proto.getProducerVersion(), opset,
                proto.getIrVersion(), proto.getGraph().getName(), provenance);
        GraphIndex index = GraphIndex.of(name, proto.getGraph());
        ExternalData external = ExternalData.locate(name, modelDir, proto);
        GraphReading reading = new GraphReading(name, external, index, options);
        return new OnnxModel(proto, info, reading, external);
    }
}
