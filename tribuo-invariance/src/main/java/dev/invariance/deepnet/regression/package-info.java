/**
 * The Tribuo trainer/model pair for square-loss multi-output regression with deep linear and ReLU feed-forward
 * networks: {@link dev.invariance.deepnet.regression.DeepNetRegressionTrainer} (the same hyperparameters, engine and
 * provenance replay as the classifier's {@code DeepNetTrainer}) and
 * {@link dev.invariance.deepnet.regression.DeepNetRegressionModel} (predictions, Java and protobuf serialisation,
 * ONNX export, the network for the analyzer).
 */
@NullMarked
package dev.invariance.deepnet.regression;

import org.jspecify.annotations.NullMarked;
