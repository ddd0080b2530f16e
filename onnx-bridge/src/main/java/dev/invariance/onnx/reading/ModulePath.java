package dev.invariance.onnx.reading;

import java.util.Arrays;
import java.util.Set;

/**
 * The module path a user recognises, read off an ONNX node name as PyTorch's and TensorFlow's exporters write it: the
 * node name without its leading {@code /}s, split on {@code /}, without the leading wrapper components
 * ({@value #STATEFUL}, {@code PartitionedCall}) and without its last component (the operation itself), joined with
 * {@code .}; empty when nothing is left. So {@code /encoder/layer.0/attention/self/query/MatMul} gives
 * {@code encoder.layer.0.attention.self.query}, {@code StatefulPartitionedCall/model/dense_2/MatMul} gives
 * {@code model.dense_2}, and an old-style name such as {@code MatMul_12} gives {@code ""}.
 */
final class ModulePath {
    private static final String STATEFUL = "StatefulPartitionedCall";
    /** Components that tf2onnx wraps a Keras model's node names in; they name no module. */
    private static final Set<String> WRAPPERS = Set.of(STATEFUL, "PartitionedCall");

    private ModulePath() {
    }

    /** The module path of the node named {@code nodeName} (rule above). */
    static String of(String nodeName) {
        int start = 0;
        while (start < nodeName.length() && nodeName.charAt(start) == '/') {
            start++;
        }
        String[] parts = nodeName.substring(start).split("/", -1);
        int first = 0;
        while (first < parts.length && WRAPPERS.contains(parts[first])) {
            first++;
        }
        return first >= parts.length - 1 ? "" : String.join(".", Arrays.asList(parts).subList(first, parts.length - 1));
    }
}
