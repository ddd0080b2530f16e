/**
 * The analyzer's results in Tribuo's evaluation format: {@link dev.invariance.evaluation.InvarianceEvaluator}
 * produces an {@link dev.invariance.evaluation.InvarianceEvaluation} whose metrics are keyed by Tribuo
 * {@code MetricID}s (one target per layer, per pair of layers, and for the whole network), tied to the model's
 * and the data's provenance, printed as a table and written as JSON.
 */
@NullMarked
package dev.invariance.evaluation;

import org.jspecify.annotations.NullMarked;
