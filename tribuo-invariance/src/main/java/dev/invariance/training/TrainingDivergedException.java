package dev.invariance.training;

/**
 * Training produced a NaN or infinite loss or weight. The message names the step and the layer where the
 * first non-finite value appeared, so the step size or initialisation can be fixed.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long step;
    private final String layer;

    /**
     * @param step  the update after which the value appeared (0 for the initial forward pass)
     * @param layer the layer's name, or {@code "loss"} when every layer's output was finite
     * @param what  what was non-finite: {@code weights}, {@code bias}, {@code activations} or {@code loss}
     */
    public TrainingDivergedException(long step, String layer, String what) {
        super(message(step, layer, what));
        this.step = step;
        this.layer = layer;
    }

    private static String message(long step, String layer, String what) {
        String subject = switch (what) {
            case "loss" -> "the loss became infinite or NaN";
            case "activations" -> "the outputs of " + layer + " became infinite or NaN";
            default -> "the " + what + " of " + layer + " became infinite or NaN";
        };
        return "training diverged at step " + step + ": " + subject + "; standardise the features (--standardize)"
                + " or use a smaller learning rate";
    }

    /** The step at which divergence was detected. */
    public long getStep() {
        return step;
    }

    /** The layer name ({@code layer-i}) or {@code loss}. */
    public String getLayer() {
        return layer;
    }
}
