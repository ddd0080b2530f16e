/** Runnable examples of the trainer and analyzer. */
@NullMarked
package dev.invariance.examples;

import org.jspecify.annotations.NullMarked;
