package dev.invariance.data;

import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Examples become dense rows in feature-id order; unknown features are ignored and absent ones are 0. */
class DenseFeaturesTest {
    private static Example<Label> example(String label, Feature... features) {
        return new ArrayExample<>(new Label(label), List.of(features));
    }

    /** Tribuo sorts feature names: ids a → 0, b → 1, c → 2. */
    private static ImmutableFeatureMap abc() {
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("abc", new LabelFactory()),
                new LabelFactory());
        data.add(example("x", new Feature("c", 1), new Feature("a", 1), new Feature("b", 1)));
        return data.getFeatureIDMap();
    }

    @Test
    void writesKnownFeaturesAtTheirIdsAndCountsThem() {
        double[] row = DenseFeatures.of(abc(), example("x", new Feature("c", 3.5), new Feature("zz", 9), new Feature("a", -1)));
        assertArrayEquals(new double[] {-1, 0, 3.5}, row);
    }

    @Test
    void fillsARowOfALargerMatrixAtAnOffset() {
        double[] matrix = new double[7];
        int known = DenseFeatures.fill(abc(), example("x", new Feature("b", 2), new Feature("unknown", 4)), matrix, 3);
        assertEquals(1, known);
        assertArrayEquals(new double[] {0, 0, 0, 0, 2, 0, 0}, matrix);
        assertThrows(IndexOutOfBoundsException.class, () -> DenseFeatures.fill(abc(), example("x"), matrix, 5));
    }
}
