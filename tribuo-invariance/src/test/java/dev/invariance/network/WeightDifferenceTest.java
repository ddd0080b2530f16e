package dev.invariance.network;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The first parameter where two networks differ, bit for bit at the recorded precision. */
class WeightDifferenceTest {
    private static NetworkDescription net(ElementType type, double w01, double b1) {
        DenseLayer l0 = new DenseLayer("layer-0", "Dense", WeightMatrix.fromRows(new double[]{1, w01},
                new double[]{3, 4}), BiasVector.of(0.5, b1), Activation.RELU, type);
        DenseLayer l1 = new DenseLayer("layer-1", "Dense", WeightMatrix.fromRows(new double[]{1, 2}), null,
                Activation.LINEAR, type);
        return NetworkDescription.chain("test", List.of(l0, l1));
    }

    @Test
    void theFirstDifferingWeightIsNamedWithBothValues() {
        WeightDifference d = WeightDifference.first(net(ElementType.FLOAT64, 2, 1), net(ElementType.FLOAT64, 2.5, 7));
        assertEquals(new WeightDifference(0, "layer-0", "weight", 0, 1, 1, 2, 2.5), d);
        assertEquals("layer-0 (layer 0) weight [0, 1] (row-major index 1): recorded 2.0, retrained 2.5", d.describe());
    }

    @Test
    void biasesAreComparedAfterTheWeightsAndSignedZerosDiffer() {
        assertEquals(new WeightDifference(0, "layer-0", "bias", 1, 0, 1, 0.0, -0.0),
                WeightDifference.first(net(ElementType.FLOAT64, 2, 0.0), net(ElementType.FLOAT64, 2, -0.0)));
    }

    @Test
    void aFloat32RecordIsComparedAtFloat32() {
        double retrained = 2.0 + 1e-12; // rounds to the stored float 2.0f
        assertNull(WeightDifference.first(net(ElementType.FLOAT32, 2, 1), net(ElementType.FLOAT64, retrained, 1)));
        assertEquals("weight", WeightDifference.first(net(ElementType.FLOAT64, 2, 1),
                net(ElementType.FLOAT64, retrained, 1)).parameter());
    }
}
