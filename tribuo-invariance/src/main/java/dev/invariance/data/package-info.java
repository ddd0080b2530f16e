/**
 * Data for the trainer and analyzer: a configurable built-in linearly separable data set (science.md E1),
 * validated CSV loading whose provenance re-creates the data, and folders of NumPy {@code .npy} files, one example
 * each, for models whose inputs a CSV row cannot hold.
 */
@NullMarked
package dev.invariance.data;

import org.jspecify.annotations.NullMarked;
