package dev.invariance.network;

import org.jspecify.annotations.Nullable;

import java.io.Serializable;
import java.util.Objects;

/**
 * An input or output of a network's data-flow graph.
 *
 * @param name  its name (the ONNX value name; {@code input} and {@code output} for the trainer's networks)
 * @param width values per example (the product of the non-batch dimensions), or null when the file does not fix it
 */
public record GraphPort(String name, @Nullable Integer width) implements Serializable {
    /** Checks the name and width. */
    public GraphPort {
        Objects.requireNonNull(name, "name");
        if (width != null && width < 0) {
            throw new IllegalArgumentException("graph port " + name + " has negative width " + width);
        }
    }
}
