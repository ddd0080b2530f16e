/**
 * The training engine for deep linear and ReLU feed-forward networks: numerically stable losses,
 * initialisations, full-batch gradient descent, minibatch SGD and Adam with constant, decreasing and
 * loss-normalised step sizes, and a listener for following the dynamics (science.md section 4).
 */
@NullMarked
package dev.invariance.training;

import org.jspecify.annotations.NullMarked;
