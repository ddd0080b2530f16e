package dev.invariance.training;

import dev.invariance.network.ElementType;

import java.util.Locale;

/** The arithmetic of training: float64 (the default, for fidelity to the theory) or float32 (for speed). */
public enum Precision {
    /** IEEE double precision. */
    FLOAT64("float64", ElementType.FLOAT64),
    /** IEEE single precision: weights, activations and products in float; losses still in double. */
    FLOAT32("float32", ElementType.FLOAT32);

    private final String configName;
    private final ElementType elementType;

    Precision(String configName, ElementType elementType) {
        this.configName = configName;
        this.elementType = elementType;
    }

    /** The lower-case command-line name. */
    public String getConfigName() {
        return configName;
    }

    /** The element type of the trained weights. */
    public ElementType getElementType() {
        return elementType;
    }

    /**
     * Parses {@code float64}/{@code double} or {@code float32}/{@code float}.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static Precision parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "float64", "double", "f64" -> FLOAT64;
            case "float32", "float", "f32" -> FLOAT32;
            default -> throw new IllegalArgumentException("unknown precision '" + name + "' (expected float64 or float32)");
        };
    }
}
