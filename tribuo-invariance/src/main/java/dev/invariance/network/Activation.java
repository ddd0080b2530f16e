package dev.invariance.network;

import java.util.Locale;

/**
 * The elementwise nonlinearity σ applied to a dense layer's output {@code h = W x + b}.
 * Both are positively homogeneous, which is what the conservation laws of science.md 2.9 need.
 */
public enum Activation {
    /** σ(h) = h. */
    LINEAR("linear"),
    /** σ(h) = max(h, 0). */
    RELU("relu");

    private final String configName;

    Activation(String configName) {
        this.configName = configName;
    }

    /** The lower-case name used on the command line and in provenance ({@code linear}, {@code relu}). */
    public String getConfigName() {
        return configName;
    }

    /**
     * Parses a command-line or provenance name, case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static Activation parse(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        for (Activation a : values()) {
            if (a.configName.equals(lower)) {
                return a;
            }
        }
        if (lower.equals("identity")) {
            return LINEAR;
        }
        throw new IllegalArgumentException("unknown activation '" + name + "' (expected linear or relu)");
    }
}
