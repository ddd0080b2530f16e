package dev.invariance.compression;

import dev.invariance.network.Activation;
import dev.invariance.network.BiasVector;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Layer surgery on a residual chain: which layers are factored, kept, and where the residual additions stay. */
class FactoredNetworkTest {
    /** diag(σ) padded to rows × columns: singular values σ. */
    private static WeightMatrix diagonal(int rows, int columns, double... sigma) {
        double[] w = new double[rows * columns];
        for (int i = 0; i < sigma.length; i++) {
            w[i * columns + i] = sigma[i];
        }
        return WeightMatrix.fromRowMajor(rows, columns, w);
    }

    private static DenseLayer layer(String name, WeightMatrix w, Activation a) {
        return new DenseLayer(name, "Dense", w, BiasVector.of(new double[w.getRows()]), a, ElementType.FLOAT64);
    }

    @Test
    void residualLayerIsKeptWithItsAdditionAndANote() {
        // 8 -> 6 (factored at 1), 6 -> 6 with a residual addition (kept), 6 -> 8 (factored at 1)
        NetworkDescription chain = NetworkDescription.residualChain("test", List.of(
                layer("a", diagonal(6, 8, 3, 1, 1, 1, 1, 1), Activation.RELU),
                layer("b", diagonal(6, 6, 3, 1, 1, 1, 1, 1), Activation.RELU),
                layer("c", diagonal(8, 6, 3, 1, 1, 1, 1, 1), Activation.LINEAR)), List.of(false, true, false));
        FactoredNetwork f = FactoredNetwork.of(chain, RankChoice.fixedRank(1));
        assertEquals(List.of("a-R", "a-L", "b", "c-R", "c-L"), f.network().layers().stream().map(DenseLayer::name)
                .toList());
        assertEquals(List.of(false, false, true, false, false), f.network().residualLayers());
        assertEquals(List.of(1, 0, 1), f.layers().stream().map(CompressedLayer::rank).toList());
        assertEquals(List.of("layer b is kept: a residual addition spans it"), f.notes());
        DenseLayer right = f.network().layer(0);
        assertNull(right.bias());
        assertEquals(Activation.LINEAR, right.activation());
        DenseLayer left = f.network().layer(1);
        assertEquals(Activation.RELU, left.activation(), "L carries the layer's activation");
        assertFalse(left.bias() == null, "and its bias");
        assertEquals(48 + 36 + 48, f.parametersBefore());
        assertEquals(14 + 36 + 14, f.parametersAfter());
    }
}
