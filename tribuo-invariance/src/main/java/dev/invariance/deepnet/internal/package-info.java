/**
 * Engine internals of {@code dev.invariance.deepnet} shared by the classifier and the regression model: evaluating
 * a trained network on one input, and writing its layers to ONNX and protobuf. Public only because both model
 * packages use them (docs/guide.md, "The supported API"); free to change between releases.
 */
@NullMarked
package dev.invariance.deepnet.internal;

import org.jspecify.annotations.NullMarked;
