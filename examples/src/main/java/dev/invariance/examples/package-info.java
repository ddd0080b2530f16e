/**
 * Runnable examples of the trainer and analyzer, in Java and Kotlin: reproductions of science.md's experiments
 * through the public API, E1 (deep linear layers become rank one and aligned, {@code DeepLinearRankOne.kt}) and E4
 * Net A (a ReLU body with a linear head, {@link dev.invariance.examples.ReluHeadExample}), each exposing a function
 * that returns an immutable result; and the same experiments with every acceptance check, figures and an HTML report
 * as {@link dev.invariance.reproduction.Reproduction}s ({@code DeepLinearReproduction.kt},
 * {@link dev.invariance.examples.ReluNetworkReproduction}), which {@code bin/invariance reproduce} runs.
 */
@NullMarked
package dev.invariance.examples;

import org.jspecify.annotations.NullMarked;
