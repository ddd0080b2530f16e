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
     * @param layer the layer's name, or {@code "loss"}
     * @param what  what was non-finite
     */
    public TrainingDivergedException(long step, String layer, String what) {
        super("training diverged at step " + step + ": " + what + " in " + layer
                + " is not finite (lower the learning rate or the init scale)");
        this.step = step;
        this.layer = layer;
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
