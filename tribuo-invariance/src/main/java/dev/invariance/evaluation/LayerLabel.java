package dev.invariance.evaluation;

import dev.invariance.analysis.LayerMetrics;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the table names a layer. A layer's name is its weight tensor's name, the key in JSON; where an exporter made that
 * name up, it says nothing about the layer, so the table shows the layer's module path first and the name after it
 * in parentheses: {@code attention.self.query (onnx::MatMul_87)}. A name is <em>generated</em> when it starts with
 * {@value #TORCH_PREFIX} (PyTorch's names for parameters it transposed or folded), or when every part of it, split at
 * the characters other than letters and digits, is a number, an operator type of {@link #OPERATORS} or
 * {@code output} ({@code 123}, {@code MatMul_12}, {@code Constant_3_output_0}). Other names, and layers whose module
 * path is empty or equal to the name, are shown as they are.
 */
final class LayerLabel {
    /** The prefix of PyTorch's generated initializer names. */
    static final String TORCH_PREFIX = "onnx::";
    /** Operator types (lower case) that exporters build tensor names from: those that hold or pass a weight. */
    static final Set<String> OPERATORS = Set.of("matmul", "gemm", "conv", "convtranspose", "einsum", "matmulinteger",
            "qlinearmatmul", "qlinearconv", "convinteger", "matmulnbits", "dequantizelinear", "quantizelinear", "lstm",
            "gru", "rnn", "attention", "constant", "identity", "cast", "transpose", "reshape", "flatten", "squeeze",
            "unsqueeze", "mul", "add", "output");
    private static final Pattern PARTS = Pattern.compile("[^\\p{Alnum}]+");
    private static final Pattern NUMBER = Pattern.compile("[0-9]+");

    private LayerLabel() {
    }

    /** The layer's label in the table: {@code module (name)} for a generated name with a module path, else the name. */
    static String of(LayerMetrics layer) {
        String module = layer.origin().module();
        return isGenerated(layer.name()) && !module.isEmpty() && !module.equals(layer.name())
                ? module + " (" + layer.name() + ")" : layer.name();
    }

    /** Whether {@code name} was made up by an exporter (rule above). */
    static boolean isGenerated(String name) {
        if (name.startsWith(TORCH_PREFIX)) {
            return true;
        }
        boolean any = false;
        for (String part : PARTS.split(name)) {
            if (part.isEmpty()) {
                continue;
            }
            if (!NUMBER.matcher(part).matches() && !OPERATORS.contains(part.toLowerCase(Locale.ROOT))) {
                return false;
            }
            any = true;
        }
        return any;
    }
}
