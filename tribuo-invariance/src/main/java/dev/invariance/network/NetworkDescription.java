package dev.invariance.network;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A feed-forward network as the analyzer sees it: dense layers applied in order, layer i reading the output
 * of layer i − 1 (the network input for i = 0) plus any residual additions ({@link SkipConnection}).
 * Immutable; all matrices use the {@code W} (d_out × d_in) convention.
 *
 * @param source a human-readable origin (a file, a model class)
 * @param layers the dense layers in data-flow order
 * @param skips  residual additions between them
 */
public record NetworkDescription(String source, List<DenseLayer> layers, List<SkipConnection> skips)
        implements Serializable {

    /**
     * Copies the lists and checks that the chain of widths is consistent: d_in(i + 1) = d_out(i), and each skip
     * adds vectors of equal width.
     */
    public NetworkDescription {
        Objects.requireNonNull(source, "source");
        layers = List.copyOf(layers);
        skips = List.copyOf(skips);
        for (int i = 1; i < layers.size(); i++) {
            DenseLayer prev = layers.get(i - 1);
            DenseLayer next = layers.get(i);
            if (next.inputWidth() != prev.outputWidth()) {
                throw new IllegalArgumentException("layer " + next.name() + " expects " + next.inputWidth()
                        + " inputs but layer " + prev.name() + " produces " + prev.outputWidth()
                        + " (a missed transpose?)");
            }
        }
        for (SkipConnection s : skips) {
            if (s.targetLayer() >= layers.size()) {
                throw new IllegalArgumentException("skip connection to missing layer " + s.targetLayer());
            }
            int in = layers.get(s.sourceLayer()).inputWidth();
            int out = layers.get(s.targetLayer()).outputWidth();
            if (in != out) {
                throw new IllegalArgumentException("skip connection adds a width-" + in + " input of layer "
                        + layers.get(s.sourceLayer()).name() + " to a width-" + out + " output of layer "
                        + layers.get(s.targetLayer()).name());
            }
        }
    }

    /** A network without residual additions. */
    public static NetworkDescription chain(String source, List<DenseLayer> layers) {
        return new NetworkDescription(source, layers, List.of());
    }

    /** Number of dense layers L. */
    public int depth() {
        return layers.size();
    }

    /** Layer i (0-based). */
    public DenseLayer layer(int i) {
        return layers.get(i);
    }

    /** Whether every activation is linear and no layer has a bias, the setting of the deep-linear theory. */
    public boolean isLinear() {
        for (DenseLayer l : layers) {
            if (l.activation() != Activation.LINEAR || l.hasBias()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The layers whose outputs reach the input of layer {@code i} (through the direct edge from layer i − 1 and
     * through residual additions), in increasing order. Empty for layer 0, which reads the network input.
     */
    public List<Integer> producersOf(int i) {
        TreeSet<Integer> out = new TreeSet<>();
        collectProducers(i, out);
        return List.copyOf(out);
    }

    private void collectProducers(int consumer, TreeSet<Integer> out) {
        int direct = consumer - 1;
        if (direct < 0) {
            return;
        }
        out.add(direct);
        for (SkipConnection s : skips) {
            if (s.targetLayer() == direct) {
                // x_source is carried into the output of layer `direct`, so whatever produced x_source
                // also reaches `consumer`.
                collectProducers(s.sourceLayer(), out);
            }
        }
    }

    /**
     * Every pair of layers consecutive along the data flow, ordered by consumer then producer. For a plain chain
     * these are (i, i + 1); residual additions add pairs that skip over layers.
     */
    public List<LayerPair> consecutivePairs() {
        List<LayerPair> pairs = new ArrayList<>();
        for (int to = 1; to < layers.size(); to++) {
            for (int from : producersOf(to)) {
                pairs.add(new LayerPair(from, to, from != to - 1));
            }
        }
        return Collections.unmodifiableList(pairs);
    }
}
