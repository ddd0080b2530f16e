package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.invariance.compression.CompressedLayer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a compressed copy of an opened model: the main graph's nodes in their order with each factored node replaced
 * by its {@link FactoredLayer} (a valid topological order: the two nodes read what the original read, the second the
 * first's output), the DequantizeLinear nodes only those layers read removed, initializers no node reads any more
 * dropped, everything else (value_info, opsets, other metadata, bodies, functions) as it was. When the source keeps
 * tensors in external data, so does the copy: every external tensor kept and every new factor tensor is written to
 * the target's own data file {@code TARGET.data} beside it: each factor as soon as its layer is factored, then the kept
 * ones copied a range at a time by the channel, never loaded. Metadata {@link #SOURCE_SHA256}, {@link #SETTINGS} and {@link #LAYERS} record the compression. Both
 * files are written under temporary names in the target's folder and moved into place at the end, so a failure
 * leaves nothing behind.
 */
final class CompressedOnnxWriter {
    /** Metadata key: the source file's SHA-256. */
    static final String SOURCE_SHA256 = "invariance.compression.source_sha256";
    /** Metadata key: how the ranks were chosen. */
    static final String SETTINGS = "invariance.compression.settings";
    /** Metadata key: a JSON array of {name, rank, error} for each factored layer. */
    static final String LAYERS = "invariance.compression.layers";
    /** Alignment of each tensor's bytes in the data file. */
    private static final int ALIGNMENT = 64;

    private final Path source;
    private final OnnxModel model;

    CompressedOnnxWriter(Path source, OnnxModel model) {
        this.source = source;
        this.model = model;
    }

    /** What replaces one node of the main graph: its factored form, and a node only it read (removed), or null. */
    record Rewrite(FactoredLayer layer, @org.jspecify.annotations.Nullable NodeProto removed) {
    }

    /** Decides, node by node in graph order, whether a node is rewritten (computing its factors then). */
    interface Rewriter {
        /** The node's rewrite, or null when it is kept as it is. */
        @org.jspecify.annotations.Nullable Rewrite rewrite(NodeProto node);
    }

    /** What the whole compression did, known once every node has been visited. */
    interface Summary {
        /** The selected layers, factored or kept, in the order they are reported. */
        List<CompressedLayer> layers();

        /** Multiply-adds per example, {@code [before, after]}. */
        long[] multiplyAdds();
    }

    /**
     * Writes the copy, visiting the main graph's nodes in order and asking {@code rewriter} for each one's
     * replacement; when the source keeps external data, each new factor tensor is written to the target's data file
     * as soon as its layer is factored (only its location stays on the heap), so that the factors of a large model
     * are never all held at once.
     */
    OnnxCompression write(Path target, Rewriter rewriter, Summary summary, String settings, List<String> notes) {
        ModelProto original = model.getModelProto();
        List<Path> sourceFiles = sourceFiles();
        Path dataFile = target.resolveSibling(target.getFileName() + ".data");
        refuseOverwriting(target, dataFile, sourceFiles);
        GraphProto graph = original.getGraph();
        Path folder = target.toAbsolutePath().getParent();
        Path tempModel = null;
        Path tempData = null;
        FileChannel data = null;
        try {
            tempModel = Files.createTempFile(folder, ".compress-", ".onnx.tmp");
            String location = String.valueOf(dataFile.getFileName());
            if (model.hasExternalTensors()) {
                tempData = Files.createTempFile(folder, ".compress-", ".data.tmp");
                data = FileChannel.open(tempData, StandardOpenOption.WRITE);
            }
            List<NodeProto> nodes = new ArrayList<>();
            Set<NodeProto> removed = new HashSet<>();
            Set<TensorProto> written = Collections.newSetFromMap(new IdentityHashMap<>());
            List<TensorProto> newTensors = new ArrayList<>();
            for (NodeProto n : graph.getNodeList()) {
                Rewrite r = rewriter.rewrite(n);
                if (r == null) {
                    nodes.add(n);
                    continue;
                }
                nodes.addAll(r.layer().nodes());
                for (TensorProto t : r.layer().tensors()) {
                    TensorProto stored = data == null ? t : writeNew(t, data, location);
                    written.add(stored);
                    newTensors.add(stored);
                }
                if (r.removed() != null) {
                    removed.add(r.removed());
                }
            }
            nodes.removeIf(removed::contains);
            Set<String> read = namesRead(nodes, graph);
            List<TensorProto> initializers = new ArrayList<>();
            for (TensorProto t : graph.getInitializerList()) {
                if (read.contains(t.getName())) {
                    initializers.add(t);
                }
            }
            initializers.addAll(newTensors);
            GraphProto newGraph = graph.toBuilder().clearNode().addAllNode(nodes).clearInitializer()
                    .addAllInitializer(initializers).build();
            List<CompressedLayer> layers = summary.layers();
            String sha = OnnxFileFacts.of(model).sha256();
            ModelProto.Builder b = original.toBuilder().setGraph(newGraph).clearMetadataProps();
            for (StringStringEntryProto e : original.getMetadataPropsList()) {
                if (!e.getKey().equals(SOURCE_SHA256) && !e.getKey().equals(SETTINGS) && !e.getKey().equals(LAYERS)) {
                    b.addMetadataProps(e);
                }
            }
            b.addMetadataProps(entry(SOURCE_SHA256, sha)).addMetadataProps(entry(SETTINGS, settings))
                    .addMetadataProps(entry(LAYERS, layersJson(layers)));
            ModelProto compressed = b.build();
            if (data != null) {
                FileChannel out = data;
                compressed = StoredTensors.map(compressed, t -> written.contains(t) ? t : copyExternal(t, out, location));
                data.close();
                data = null;
            }
            try (OutputStream out = Files.newOutputStream(tempModel)) {
                compressed.writeTo(out);
            }
            if (tempData != null) {
                Files.move(tempData, dataFile, StandardCopyOption.REPLACE_EXISTING);
                tempData = null;
            }
            Files.move(tempModel, target, StandardCopyOption.REPLACE_EXISTING);
            tempModel = null;
            long bytesBefore = 0;
            for (Path p : sourceFiles) {
                bytesBefore += Files.size(p);
            }
            long bytesAfter = Files.size(target) + (model.hasExternalTensors() ? Files.size(dataFile) : 0);
            long[] multiplyAdds = summary.multiplyAdds();
            return new OnnxCompression(source, target, sha, settings, layers, parameters(graph),
                    parameters(newGraph), bytesBefore, bytesAfter, multiplyAdds[0], multiplyAdds[1], notes);
        } catch (IOException | UncheckedWriteException e) {
            throw new InvalidModelException(target + ": cannot write the compressed model (" + e.getMessage() + ")", e);
        } finally {
            closeQuietly(data);
            deleteQuietly(tempModel);
            deleteQuietly(tempData);
        }
    }

    /** A new factor tensor's bytes appended to {@code out}; the tensor as the copy refers to them. */
    private static TensorProto writeNew(TensorProto t, FileChannel out, String location) throws IOException {
        if (!t.hasRawData()) {
            return t;
        }
        long offset = align(out);
        ByteBuffer bytes = t.getRawData().asReadOnlyByteBuffer();
        long length = bytes.remaining();
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
        return external(t, location, offset, length);
    }

    private static TensorProto external(TensorProto t, String location, long offset, long length) {
        return t.toBuilder().clearRawData().clearExternalData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(length))).build();
    }

    /** A kept external tensor as the copy stores it: copied a range at a time into {@code out}. */
    private TensorProto copyExternal(TensorProto t, FileChannel out, String location) {
        if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
            return t;
        }
        try {
            long offset = align(out);
            ExternalTensor from = model.externalData().of(t);
            try (FileChannel in = from.open()) {
                long done = 0;
                while (done < from.length()) {
                    long n = in.transferTo(from.offset() + done, from.length() - done, out);
                    if (n <= 0) {
                        throw new IOException("the data file of '" + t.getName() + "' ended early");
                    }
                    done += n;
                }
            }
            return external(t, location, offset, from.length());
        } catch (IOException e) {
            throw new UncheckedWriteException(e);
        }
    }

    /** An IOException carried out of the tensor walk's function. */
    private static final class UncheckedWriteException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedWriteException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static long align(FileChannel out) throws IOException {
        long position = out.size();
        long aligned = (position + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        if (aligned > position) {
            out.write(ByteBuffer.allocate((int) (aligned - position)), position);
        }
        out.position(aligned);
        return aligned;
    }

    /** The source file and the distinct data files its external tensors are in. */
    private List<Path> sourceFiles() {
        Set<Path> files = new LinkedHashSet<>();
        files.add(source);
        if (model.hasExternalTensors()) {
            StoredTensors.map(model.getModelProto(), t -> {
                if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                    files.add(model.externalData().of(t).file());
                }
                return t;
            });
        }
        return new ArrayList<>(files);
    }

    /**
     * Refuses a target that is the source or one of its data files, or whose data file is (the source would be
     * overwritten while, or after, it is read).
     */
    private static void refuseOverwriting(Path target, Path dataFile, List<Path> sourceFiles) {
        for (Path s : sourceFiles) {
            for (Path t : List.of(target, dataFile)) {
                try {
                    if (Files.exists(t) && Files.isSameFile(s, t)) {
                        throw new IllegalArgumentException(t + " is the model being compressed or its data; "
                                + "choose another output");
                    }
                } catch (IOException e) {
                    throw new InvalidModelException(t + ": cannot check (" + e.getMessage() + ")", e);
                }
            }
        }
    }

    /** Every value name read by a node (bodies included) or leaving the graph as an output or declared as input. */
    private static Set<String> namesRead(List<NodeProto> nodes, GraphProto graph) {
        Set<String> read = new HashSet<>();
        for (ValueInfoProto v : graph.getOutputList()) {
            read.add(v.getName());
        }
        for (ValueInfoProto v : graph.getInputList()) {
            read.add(v.getName());
        }
        Deque<NodeProto> pending = new ArrayDeque<>(nodes);
        while (!pending.isEmpty()) {
            NodeProto n = pending.pop();
            read.addAll(n.getInputList());
            for (AttributeProto a : n.getAttributeList()) {
                List<GraphProto> bodies = new ArrayList<>(a.getGraphsList());
                if (a.hasG()) {
                    bodies.add(a.getG());
                }
                for (GraphProto g : bodies) {
                    pending.addAll(g.getNodeList());
                    g.getOutputList().forEach(v -> read.add(v.getName()));
                }
            }
        }
        return read;
    }

    /** Elements of every initializer of {@code graph}. */
    private static long parameters(GraphProto graph) {
        long total = 0;
        for (TensorProto t : graph.getInitializerList()) {
            long count = 1;
            for (long d : t.getDimsList()) {
                count *= d;
            }
            total += count;
        }
        return total;
    }

    private static String layersJson(List<CompressedLayer> layers) {
        StringBuilder sb = new StringBuilder("[");
        for (CompressedLayer l : layers) {
            if (!l.factored()) {
                continue;
            }
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append("{\"name\":\"").append(jsonEscape(l.name())).append("\",\"rank\":").append(l.rank())
                    .append(",\"error\":").append(String.format(Locale.ROOT, "%.9g", l.error())).append('}');
        }
        return sb.append(']').toString();
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static void closeQuietly(@org.jspecify.annotations.Nullable FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the error that led here is reported; the temporary file is deleted next
            }
        }
    }

    private static void deleteQuietly(@org.jspecify.annotations.Nullable Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file that cannot be removed is left for the user; the error that led here is reported
            }
        }
    }
}
