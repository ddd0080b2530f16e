package dev.invariance.onnx.running;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of one example of the fed input, every axis but the batch axis, and where it comes from (for messages:
 * the model's declaration, {@code --input-shape}, the data).
 *
 * @param dims   the sizes behind the batch axis, each at least 1
 * @param origin where they come from, e.g. "as the model declares it" or "from --input-shape"
 */
record ExampleShape(List<Long> dims, String origin) {
    /** Copies the sizes. */
    ExampleShape {
        dims = List.copyOf(dims);
    }

    /** The shape of {@code dims} (behind the batch axis). */
    static ExampleShape of(long[] dims, String origin) {
        List<Long> list = new ArrayList<>(dims.length);
        for (long d : dims) {
            list.add(d);
        }
        return new ExampleShape(list, origin);
    }

    /** The sizes as an array. */
    long[] array() {
        long[] a = new long[dims.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = dims.get(i);
        }
        return a;
    }

    /** Values per example. */
    long values() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** One example with its batch axis, {@code [1, 3, 8, 8]}. */
    List<Long> withBatch() {
        List<Long> shape = new ArrayList<>(dims.size() + 1);
        shape.add(1L);
        shape.addAll(dims);
        return shape;
    }

    /** For messages: {@code [1, 3, 8, 8] (from --input-shape)}. */
    @Override
    public String toString() {
        return withBatch() + " (" + origin + ")";
    }
}
