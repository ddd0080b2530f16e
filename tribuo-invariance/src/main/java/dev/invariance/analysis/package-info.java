/**
 * Low-rank and alignment metrics of a network's weights (science.md section 2): per-layer spectral measures,
 * adjacent-pair alignment, commutator and balancedness scores, the end-to-end linear predictor against the
 * hard-margin SVM, ReLU activation patterns with their stably active submatrices, conservation drift, and a
 * training listener that records all of them over time. Pure functions of matrices in the {@code W}
 * (d_out × d_in) convention; nothing here depends on where the weights came from.
 */
@NullMarked
package dev.invariance.analysis;

import org.jspecify.annotations.NullMarked;
