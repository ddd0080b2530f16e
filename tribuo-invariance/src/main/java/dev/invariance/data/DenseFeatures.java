package dev.invariance.data;

import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;

/**
 * Tribuo examples as dense vectors: entry j of x is the value of the feature whose id in the feature map is j, the
 * column order of W_0 (d_out × d_in) of a network trained on that map. Features the map does not know are ignored
 * and features an example does not mention are 0, as in Tribuo's own dense models. The trainer, the model and the
 * analyzer's data view all densify through here, so they agree on the column order.
 */
public final class DenseFeatures {
    private DenseFeatures() {
    }

    /**
     * Writes the example's known features into {@code target[offset + id]} (the other entries are left as they
     * are, normally 0) and returns how many of its features the map knows.
     *
     * @throws IndexOutOfBoundsException if {@code target} has fewer than {@code offset + features.size()} entries
     */
    public static int fill(ImmutableFeatureMap features, Example<?> example, double[] target, int offset) {
        if (offset < 0 || target.length - offset < features.size()) {
            throw new IndexOutOfBoundsException("a dense row of " + features.size() + " features does not fit at "
                    + offset + " in " + target.length + " entries");
        }
        int known = 0;
        for (Feature f : example) {
            int id = features.getID(f.getName());
            if (id >= 0) {
                target[offset + id] = f.getValue();
                known++;
            }
        }
        return known;
    }

    /** The example as a fresh dense vector of {@code features.size()} entries. */
    public static double[] of(ImmutableFeatureMap features, Example<?> example) {
        double[] x = new double[features.size()];
        fill(features, example, x, 0);
        return x;
    }
}
