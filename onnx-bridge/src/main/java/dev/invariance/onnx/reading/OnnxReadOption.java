package dev.invariance.onnx.reading;

/**
 * How {@link OnnxModelReader#open(java.nio.file.Path, OnnxReadOption...)} turns the graph into layers, beyond the
 * defaults (which report every weight as the file stores it):
 * {@code OnnxModelReader.open(path, OnnxReadOption.FOLD_BATCH_NORMALIZATION)}.
 */
public enum OnnxReadOption {
    /**
     * Folds an inference-mode {@code BatchNormalization} that reads a dense layer's output (directly or through
     * {@code Identity}, {@code Dropout} and reshapes that keep the units on its channel axis 1) into that layer:
     * with {@code s = γ/√(σ² + ε)} per output unit, the layer reports {@code W' = diag(s)·W} (d_out × d_in) and
     * {@code b' = (b − μ)·s + β}, the affine map the two nodes compute together; its origin lists
     * {@code BatchNormalization} among the folded operators, its output (where edges start and its ReLU is looked
     * for) is the normalisation's output. Without this option such a layer keeps its stored {@code W} and a note names
     * the normalisation.
     */
    FOLD_BATCH_NORMALIZATION
}
