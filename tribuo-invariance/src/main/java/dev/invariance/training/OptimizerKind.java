package dev.invariance.training;

import java.util.Locale;

/**
 * The update rule. {@link #GD} is the papers' full-batch gradient descent θ ← θ − η∇L (the default);
 * {@link #SGD} is the same update on shuffled minibatches; {@link #ADAM} is Adam (Kingma and Ba 2015) on
 * minibatches (full batch when the batch size is at least the number of examples), for practical use.
 * No momentum and no weight decay anywhere (science.md 4.1).
 */
public enum OptimizerKind {
    /** Full-batch gradient descent. */
    GD("gd"),
    /** Minibatch stochastic gradient descent. */
    SGD("sgd"),
    /** Adam. */
    ADAM("adam");

    private final String configName;

    OptimizerKind(String configName) {
        this.configName = configName;
    }

    /** The lower-case command-line name. */
    public String getConfigName() {
        return configName;
    }

    /**
     * Parses a command-line name.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static OptimizerKind parse(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        for (OptimizerKind o : values()) {
            if (o.configName.equals(lower)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected gd, sgd or adam)");
    }
}
