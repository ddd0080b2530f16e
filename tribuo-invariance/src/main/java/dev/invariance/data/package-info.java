/**
 * Data for the trainer and analyzer: a configurable built-in linearly separable data set (science.md E1)
 * and validated CSV loading whose provenance re-creates the data.
 */
@NullMarked
package dev.invariance.data;

import org.jspecify.annotations.NullMarked;
