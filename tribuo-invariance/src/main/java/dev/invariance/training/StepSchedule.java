package dev.invariance.training;

import java.util.Locale;

/**
 * Step sizes η_t of science.md 4.3.
 * <ul>
 *   <li>{@link #CONSTANT}: η_t = η₀ (the default; every check passes with it).</li>
 *   <li>{@link #DECREASING}: η_t = η₀ / (1 + t)^p with a decay power p (0.5 by default).</li>
 *   <li>{@link #NORMALIZED}: loss-normalised η_t = min(η₀ / L(θ_t), η_max) (Nacson et al. 2019; Lyu and Li
 *       2020). The gradient divided by the loss is formed directly from log-domain weights, so it never
 *       underflows; with backtracking (full-batch GD) a step that raises the loss is undone and η halved.</li>
 * </ul>
 */
public enum StepSchedule {
    /** η_t = η₀. */
    CONSTANT("constant"),
    /** η_t = η₀ / (1 + t)^p. */
    DECREASING("decreasing"),
    /** η_t = min(η₀ / L_t, η_max), with backtracking. */
    NORMALIZED("normalized");

    private final String configName;

    StepSchedule(String configName) {
        this.configName = configName;
    }

    /** The lower-case command-line name. */
    public String getConfigName() {
        return configName;
    }

    /**
     * Parses a command-line name ({@code normalised} is accepted too).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static StepSchedule parse(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT).replace("normalised", "normalized");
        for (StepSchedule s : values()) {
            if (s.configName.equals(lower)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown schedule '" + name + "' (expected constant, decreasing or normalized)");
    }
}
