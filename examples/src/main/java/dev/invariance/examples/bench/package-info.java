/**
 * The benchmark harness: workloads B1 and B2 of {@code shared/bench/README.md}, printing JSON with the keys of
 * {@code anchor.py} so the figures can be compared side by side.
 */
@NullMarked
package dev.invariance.examples.bench;

import org.jspecify.annotations.NullMarked;
