package dev.invariance.network;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A SHA-256 fingerprint of a network's weights: layer shapes, every weight and bias as its exact IEEE-754 bits,
 * activations and skips. Equal digests mean bit-identical networks, which is how a provenance replay is checked
 * without comparing files that also hold timestamps.
 */
public final class WeightDigest {
    private WeightDigest() {
    }

    /** The lower-case hexadecimal SHA-256 of the network's parameters. */
    public static String sha256(NetworkDescription network) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        for (DenseLayer layer : network.layers()) {
            md.update(layer.activation().name().getBytes(StandardCharsets.UTF_8));
            putDoubles(md, new double[] {layer.outputWidth(), layer.inputWidth()});
            putDoubles(md, layer.weights().toRowMajorArray());
            BiasVector b = layer.bias();
            if (b != null) {
                putDoubles(md, b.toArray());
            }
        }
        // residual additions hashed as the (source, target) layer pairs earlier versions hashed, so digests are unchanged
        List<Boolean> residual = network.residualLayers();
        for (int i = 0; residual != null && i < residual.size(); i++) {
            if (residual.get(i)) {
                putDoubles(md, new double[] {i, i});
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void putDoubles(MessageDigest md, double[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Double.BYTES);
        for (double v : values) {
            buf.putLong(Double.doubleToRawLongBits(v));
        }
        md.update(buf.array());
    }
}
