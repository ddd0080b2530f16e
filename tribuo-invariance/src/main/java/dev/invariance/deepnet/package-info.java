/**
 * The Tribuo trainer/model pair for deep linear and ReLU feed-forward classifiers: {@link
 * dev.invariance.deepnet.DeepNetTrainer} (OLCUT-configured, provenance reconstructable) and {@link
 * dev.invariance.deepnet.DeepNetModel} (probabilities, explanations, Java and protobuf serialisation, ONNX export).
 */
@NullMarked
package dev.invariance.deepnet;

import org.jspecify.annotations.NullMarked;
