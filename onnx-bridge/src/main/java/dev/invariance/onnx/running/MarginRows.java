package dev.invariance.onnx.running;

import dev.invariance.analysis.LabelledData;
import dev.invariance.network.Activation;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.NetworkOutline;
import dev.invariance.network.WeightMatrix;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The input rows the SVM comparison (science.md 2.8) needs, kept while the data streams through the model and while
 * they fit their {@link #budget()}, with their labels as ±1. The comparison is made only for a linear bias-free chain
 * with one output and two classes that reads the whole input ({@link #reasonAgainst}).
 */
final class MarginRows {
    private final int size;
    private final long maxRows;
    private float[] values = new float[0];
    private final List<Double> labels = new ArrayList<>();

    /** Rows of {@code size} values, as many as {@code budget} bytes hold. */
    MarginRows(int size, long budget) {
        this.size = size;
        this.maxRows = Math.min(budget / (16L * size + 48), (Integer.MAX_VALUE - 8L) / size);
    }

    /**
     * The memory the SVM comparison may hold for its rows: an eighth of the heap. Each row costs about
     * {@code 16 d + 48} bytes on the way (the rows as floats, the SVM's copy in doubles, the label).
     */
    static long budget() {
        return Runtime.getRuntime().maxMemory() / 8;
    }

    /**
     * Why the SVM comparison cannot be made for {@code network} on data of {@code size} values per row and the class
     * order {@code classes}, or the empty string when it can.
     */
    static String reasonAgainst(NetworkOutline network, List<String> classes, int size) {
        List<LayerOutline> layers = network.layers();
        if (layers.isEmpty()) {
            return "the model has no dense layer";
        }
        int outputs = layers.get(layers.size() - 1).outputWidth();
        for (LayerOutline l : layers) {
            if (l.activation() != Activation.LINEAR || l.hasBias()) {
                return "the network is not linear and bias-free";
            }
        }
        if (outputs != 1 || classes.size() != 2) {
            return "the network has " + outputs + " outputs (the SVM comparison needs two classes, one output)";
        }
        if (layers.get(0).inputWidth() != size) {
            return "the first dense layer reads " + layers.get(0).inputWidth() + " of the " + size
                    + " input values (the SVM comparison needs the end-to-end map of the whole input)";
        }
        if (!network.isChain()) {
            return "the network is not a chain of dense layers (the SVM comparison needs the end-to-end map)";
        }
        return "";
    }

    /** Adds a batch (labels ±1 against {@code positive}); false when the rows would outgrow the budget. */
    boolean add(FloatBuffer batch, int rows, List<String> batchLabels, String positive) {
        int n = labels.size();
        if (n + (long) rows > maxRows) {
            return false;
        }
        int needed = (n + rows) * size;
        if (values.length < needed) {
            values = Arrays.copyOf(values, (int) Math.min(maxRows * size, Math.max(needed, 2L * values.length)));
        }
        batch.duplicate().get(values, n * size, rows * size);
        for (int r = 0; r < rows; r++) {
            labels.add(batchLabels.get(r).equals(positive) ? 1.0 : -1.0);
        }
        return true;
    }

    /** Why the rows were given up: they outgrew the budget. */
    String overBudget() {
        return "the SVM comparison keeps every example in memory, and more than " + maxRows + " examples of "
                + size + " values outgrow its budget of " + (budget() >> 20) + " MB (an eighth of the heap)";
    }

    /** The rows kept, with their labels. */
    LabelledData data() {
        return new LabelledData(WeightMatrix.fromRowMajor(labels.size(), size,
                Arrays.copyOf(values, labels.size() * size)), labels);
    }
}
