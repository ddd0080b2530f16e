/**
 * Runnable examples of the trainer and analyzer, in Java and Kotlin: reproductions of science.md's experiments
 * through the public API, E1 (deep linear layers become rank one and aligned, {@code DeepLinearRankOne.kt}) and E4
 * Net A (a ReLU body with a linear head, {@link dev.invariance.examples.ReluHeadExample}). Each exposes a function
 * returning an immutable result, which the tests check against the acceptance thresholds.
 */
@NullMarked
package dev.invariance.examples;

import org.jspecify.annotations.NullMarked;
