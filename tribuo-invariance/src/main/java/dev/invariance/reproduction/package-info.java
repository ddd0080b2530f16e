/**
 * Reproductions of the papers behind this project (science.md section 3, issue 22): the service interface
 * {@link dev.invariance.reproduction.Reproduction} that each experiment (E1…E5) implements, its budget, and the results
 * it returns: one {@link dev.invariance.reproduction.Check} per acceptance check (A1.1…A5.3) with its
 * {@link dev.invariance.reproduction.Verdict} and the figures measured, gathered in a
 * {@link dev.invariance.reproduction.ReproductionRun}. Implementations live in the examples module and are found with
 * {@link java.util.ServiceLoader} by {@code bin/invariance reproduce}.
 */
@NullMarked
package dev.invariance.reproduction;

import org.jspecify.annotations.NullMarked;
