package dev.invariance.training;

/**
 * Called by the training loop every {@code interval} steps (and after the last step) with the current
 * loss and a read-only snapshot of the weights. A single-method interface, so a Java or Kotlin lambda
 * implements it, and the trainer takes it last so Kotlin can pass a trailing lambda:
 * <pre>{@code
 * trainer.train(data, checkpoint -> log(checkpoint.loss()));   // Java
 * trainer.train(data) { log(it.loss) }                          // Kotlin
 * trainer.setListener(progress);                                // every later train(Dataset), CrossValidation included
 * }</pre>
 * Exceptions thrown here stop training and propagate to the caller.
 */
@FunctionalInterface
public interface TrainingListener {
    /** Receives one checkpoint; the snapshot is immutable and may be kept. */
    void onCheckpoint(TrainingCheckpoint checkpoint);
}
