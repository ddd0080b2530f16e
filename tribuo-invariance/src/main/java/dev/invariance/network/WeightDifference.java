package dev.invariance.network;

import org.jspecify.annotations.Nullable;

import java.util.Locale;

/**
 * Where two networks' parameters first differ, in layer order, weights (row-major) before biases: the check of a
 * provenance replay ({@code reproduce-check}). Values are compared bit for bit at the recorded layer's stored
 * precision: a layer read from a float32 file (an ONNX export) is compared with the retrained values rounded to
 * float32, a float64 layer as doubles; {@code +0.0} and {@code -0.0} differ, as their bits do.
 *
 * @param layer     the layer's index
 * @param name      the layer's name in the recorded network
 * @param parameter {@code weight} or {@code bias}, or {@code shape} when the layers' shapes (or the bias's presence)
 *                  differ, or {@code layers} when the networks have different depths
 * @param row       the row of W or the index of b (0 for shape and layer-count differences)
 * @param column    the column of W (0 for a bias)
 * @param index     the position in W's row-major order ({@code row · d_in + column}) or in b
 * @param recorded  the recorded value (for {@code shape}: d_out·d_in, for {@code layers}: the depth)
 * @param retrained the retrained value, likewise
 */
public record WeightDifference(int layer, String name, String parameter, int row, int column, long index,
                               double recorded, double retrained) {

    /**
     * The first difference between the recorded network (read from a model file) and a retrained one, or null when
     * every parameter is bit-identical at the recorded precision.
     */
    public static @Nullable WeightDifference first(NetworkDescription recorded, NetworkDescription retrained) {
        int depth = Math.min(recorded.depth(), retrained.depth());
        for (int i = 0; i < depth; i++) {
            DenseLayer a = recorded.layer(i);
            DenseLayer b = retrained.layer(i);
            if (a.outputWidth() != b.outputWidth() || a.inputWidth() != b.inputWidth() || a.hasBias() != b.hasBias()) {
                return new WeightDifference(i, a.name(), "shape", 0, 0, 0,
                        (double) a.outputWidth() * a.inputWidth(), (double) b.outputWidth() * b.inputWidth());
            }
            boolean single = a.elementType() == ElementType.FLOAT32;
            for (int r = 0; r < a.outputWidth(); r++) {
                for (int c = 0; c < a.inputWidth(); c++) {
                    if (!same(a.weights().get(r, c), b.weights().get(r, c), single)) {
                        return new WeightDifference(i, a.name(), "weight", r, c, (long) r * a.inputWidth() + c,
                                a.weights().get(r, c), b.weights().get(r, c));
                    }
                }
            }
            BiasVector ab = a.bias();
            BiasVector bb = b.bias();
            for (int r = 0; ab != null && bb != null && r < ab.size(); r++) {
                if (!same(ab.get(r), bb.get(r), single)) {
                    return new WeightDifference(i, a.name(), "bias", r, 0, r, ab.get(r), bb.get(r));
                }
            }
        }
        if (recorded.depth() != retrained.depth()) {
            return new WeightDifference(depth, depth < recorded.depth() ? recorded.layer(depth).name() : "",
                    "layers", 0, 0, 0, recorded.depth(), retrained.depth());
        }
        return null;
    }

    private static boolean same(double recorded, double retrained, boolean single) {
        return single ? Float.floatToRawIntBits((float) recorded) == Float.floatToRawIntBits((float) retrained)
                : Double.doubleToRawLongBits(recorded) == Double.doubleToRawLongBits(retrained);
    }

    /**
     * One line: {@code layer-1 (layer 1) weight [3, 2] (index 14): recorded 0.12345678901234568, retrained
     * 0.12345678901234569}; values in full precision ({@link Double#toString}).
     */
    public String describe() {
        String where = switch (parameter) {
            case "weight" -> String.format(Locale.ROOT, "weight [%d, %d] (row-major index %d)", row, column, index);
            case "bias" -> String.format(Locale.ROOT, "bias [%d]", row);
            case "shape" -> "shape (d_out·d_in)";
            default -> "number of layers";
        };
        return String.format(Locale.ROOT, "%s (layer %d) %s: recorded %s, retrained %s", name, layer, where,
                Double.toString(recorded), Double.toString(retrained));
    }
}
