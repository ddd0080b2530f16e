package dev.invariance.compression;

import dev.invariance.network.Activation;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.NetworkDescription;

import java.util.ArrayList;
import java.util.List;

/**
 * A chain of dense layers (the trainers' networks, {@link NetworkDescription#residualChain}) with each layer
 * {@code x_{i+1} = σ(W x_i + b)}, W d_out × d_in, whose truncation saves parameters ({@link RankChoice}) replaced by
 * two layers: first {@code R = Σ_r^{1/2} V_rᵀ} (r × d_in, identity activation, no bias), then
 * {@code L = U_r Σ_r^{1/2}} (d_out × r, the original activation and bias), so that {@code σ(L R x + b) = σ(W_r x + b)}
 * with {@code ‖W − W_r‖₂ = σ_{r+1}}. The factors are named {@code NAME-R} and {@code NAME-L} after the layer.
 * <p>
 * A layer with a residual addition around it ({@code x_{i+1} = σ(W x_i + b) + x_i}) is kept, with a note: the
 * addition spans one layer in the trainers' networks, and the saving lies in the other layers (a residual layer is
 * square, so a saving rank would also be below half its width). Its singular values are not computed.
 *
 * @param network the compressed chain (residual additions where the source had them)
 * @param layers  what became of each source layer, in order: factored ({@code rank > 0}) or kept
 * @param notes   one line per layer kept for its form rather than its spectrum
 */
public record FactoredNetwork(NetworkDescription network, List<CompressedLayer> layers, List<String> notes) {
    /** Copies the lists. */
    public FactoredNetwork {
        layers = List.copyOf(layers);
        notes = List.copyOf(notes);
    }

    /**
     * Compresses every layer of {@code chain} that {@code choice} factors (dense SVD in memory: the trainers' layers
     * are on the heap already).
     *
     * @throws IllegalArgumentException when {@code chain} is not a chain of dense layers
     */
    public static FactoredNetwork of(NetworkDescription chain, RankChoice choice) {
        List<Boolean> residual = chain.residualLayers();
        if (residual == null) {
            throw new IllegalArgumentException("network " + chain.source() + " is not a chain of dense layers; "
                    + "compress it through ONNX (OnnxCompressor)");
        }
        List<DenseLayer> layers = new ArrayList<>();
        List<Boolean> flags = new ArrayList<>();
        List<CompressedLayer> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < chain.depth(); i++) {
            DenseLayer layer = chain.layer(i);
            int r = 0;
            TruncationSpectrum spectrum = null;
            if (residual.get(i)) {
                notes.add("layer " + layer.name() + " is kept: a residual addition spans it");
            } else if (!choice.keepsWithoutSpectrum(layer.outputWidth(), layer.inputWidth())) {
                spectrum = TruncationSpectrum.of(layer.weights(), choice);
                r = spectrum.rankFor(choice);
            }
            if (spectrum == null || r == 0) {
                layers.add(layer);
                flags.add(residual.get(i));
                results.add(CompressedLayer.kept(layer.name(), layer.op(), layer.outputWidth(), layer.inputWidth()));
                continue;
            }
            LowRankFactors f = spectrum.factors(r);
            layers.add(new DenseLayer(layer.name() + "-R", layer.op(), f.right(), null, Activation.LINEAR,
                    layer.elementType()));
            layers.add(new DenseLayer(layer.name() + "-L", layer.op(), f.left(), layer.bias(), layer.activation(),
                    layer.elementType()));
            flags.add(false);
            flags.add(false);
            results.add(spectrum.describe(layer.name(), layer.op(), r));
        }
        return new FactoredNetwork(NetworkDescription.residualChain(chain.source(), layers, flags), results, notes);
    }

    /** Parameters of the source's weight matrices: Σ d_out·d_in (biases not counted). */
    public long parametersBefore() {
        return layers.stream().mapToLong(CompressedLayer::parametersBefore).sum();
    }

    /** Parameters of the compressed weight matrices: Σ r·(d_out + d_in) over factored layers, d_out·d_in elsewhere. */
    public long parametersAfter() {
        return layers.stream().mapToLong(CompressedLayer::parametersAfter).sum();
    }
}
