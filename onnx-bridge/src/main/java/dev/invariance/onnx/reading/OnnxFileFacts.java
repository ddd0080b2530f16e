package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a report says of an ONNX file beside its own declarations ({@link OnnxModelInfo}): its size and SHA-256, how
 * many nodes of each operator it holds (the main graph and every control-flow body), and the operators the reader has
 * no rule for: those outside the standard {@code ai.onnx} domain (custom or {@code ai.onnx.ml} operators, written
 * {@code domain:Op}), which it treats as mixing units, so that edges through them carry no unit mapping, except the
 * {@code com.microsoft} ones it reads ({@link #READ_MICROSOFT}: fused {@code Attention}, {@code MatMulNBits},
 * {@code FusedMatMul}, and those that apply no weight matrix, {@link UnreadWeights#UNDERSTOOD_MICROSOFT}).
 *
 * @param sizeBytes     the model file's size (external data files not included)
 * @param sha256        the model file's SHA-256, lower-case hexadecimal
 * @param operators     node count per operator type, in the order first met
 * @param notUnderstood the operator types outside the standard domain, in the order first met
 */
public record OnnxFileFacts(long sizeBytes, String sha256, Map<String, Long> operators, List<String> notUnderstood) {
    /** The {@code com.microsoft} operators the reader has a rule for, beside those that apply no weight matrix. */
    public static final Set<String> READ_MICROSOFT = Set.of("Attention", MatMulNBitsWeight.OPERATOR, "FusedMatMul");

    /** Copies the collections. */
    public OnnxFileFacts {
        operators = Collections.unmodifiableMap(new LinkedHashMap<>(operators));
        notUnderstood = List.copyOf(notUnderstood);
    }

    /**
     * Hashes the model's file and counts its operators.
     *
     * @throws InvalidModelException when the file cannot be read any more
     */
    public static OnnxFileFacts of(OnnxModel model) {
        Path file = Path.of(model.info().path());
        long size;
        String sha;
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            size = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
                size += n;
            }
            sha = HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new InvalidModelException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        Set<String> foreign = new LinkedHashSet<>();
        Deque<GraphProto> graphs = new ArrayDeque<>(); // the reader bounded the nesting; a stack, not recursion
        graphs.push(model.getModelProto().getGraph());
        while (!graphs.isEmpty()) {
            for (NodeProto n : graphs.pop().getNodeList()) {
                String domain = n.getDomain();
                boolean standard = domain.isEmpty() || domain.equals("ai.onnx");
                String op = standard ? n.getOpType() : domain + ":" + n.getOpType();
                counts.merge(op, 1L, Long::sum);
                if (!standard && !(domain.equals(QuantizedLayerFinding.MICROSOFT)
                        && (READ_MICROSOFT.contains(n.getOpType())
                        || UnreadWeights.UNDERSTOOD_MICROSOFT.contains(n.getOpType())))) {
                    foreign.add(op);
                }
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.hasG()) {
                        graphs.push(a.getG());
                    }
                    a.getGraphsList().forEach(graphs::push);
                }
            }
        }
        return new OnnxFileFacts(size, sha, counts, new ArrayList<>(foreign));
    }
}
