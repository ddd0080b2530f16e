package dev.invariance.network;

/**
 * A network whose weights are read one layer at a time, for models larger than memory: {@link #outline()} is known
 * up front and {@link #load(int)} reads (or maps) one layer's weights, which the caller drops after use. An in-memory
 * {@link NetworkDescription} is one trivially ({@link NetworkDescription#asStream()}); the ONNX reader's external-data
 * models are the case it exists for. Implementations may hold files open: close them.
 * {@link #load(int)} must be safe to call from several threads at once (layers are analysed in parallel).
 */
public interface StreamedNetwork extends AutoCloseable {
    /** The layers (without weights) and the data-flow edges. */
    NetworkOutline outline();

    /**
     * Reads layer {@code index} (0-based, in {@code outline().layers()} order) with its weights in the {@code W}
     * (d_out × d_in) convention.
     *
     * @throws IllegalArgumentException (or a subclass naming the file and tensor) when the stored weights are invalid
     */
    DenseLayer load(int index);

    /**
     * Whether layer {@code index}'s weight can be read a panel at a time from where it is stored ({@link #panels}),
     * so that an analysis that only needs products with W (the top-k spectrum) never copies it onto the heap. False
     * unless an implementation says otherwise (an in-memory network has nothing to gain).
     */
    default boolean hasPanels(int index) {
        return false;
    }

    /**
     * Layer {@code index}'s weight as panels of its stored matrix; the caller closes them. Only for layers for which
     * {@link #hasPanels} is true.
     *
     * @throws UnsupportedOperationException when {@link #hasPanels} is false for the layer
     */
    default WeightPanels panels(int index) {
        throw new UnsupportedOperationException("layer " + index + " is not stored as panels");
    }

    /** Releases files held open; does not throw checked exceptions. */
    @Override
    void close();
}
