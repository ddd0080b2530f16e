package dev.invariance.network;

/**
 * Two layers that are consecutive along the data flow: the output of layer {@code from} feeds the input of
 * layer {@code to}, directly ({@code to == from + 1}) or across one or more residual additions.
 * Alignment metrics compare the top left singular vector of W_from with the top right singular vector of
 * W_to; both live in R^{d_out(from)} = R^{d_in(to)}.
 *
 * @param from        index of the producing layer
 * @param to          index of the consuming layer
 * @param viaResidual whether the connection passes through a residual addition rather than directly
 */
public record LayerPair(int from, int to, boolean viaResidual) {
}
