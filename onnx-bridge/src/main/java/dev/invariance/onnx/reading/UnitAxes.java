package dev.invariance.onnx.reading;

import java.util.List;

/**
 * Where a data-flow path's producer units lie along the value it has reached: the axes that hold them, counted from
 * the end (−1 is the last axis; counting from the end survives broadcasting and batch axes), major first, and the
 * extent of those axes together (how many positions they span; −1 when not known), which a {@code Reshape} needs to
 * tell where they go. A dense layer's units start on the last axis with extent d_out (a convolution's on the channel
 * axis); a reshape that splits them into heads spreads them over two axes. {@link #UNKNOWN} when the nodes passed do
 * not tell.
 *
 * @param fromEnd the axes holding the units, counted from the end, major first; empty when not known
 * @param extent  the number of positions those axes span, or −1 when not known
 */
record UnitAxes(List<Integer> fromEnd, long extent) {
    /** Where the units lie is not known. */
    static final UnitAxes UNKNOWN = new UnitAxes(List.of(), -1);

    /** Copies the list. */
    UnitAxes {
        fromEnd = List.copyOf(fromEnd);
    }

    /** The most axes from the end followed: units further from the end are on axes not known. */
    static final int MAX_AXES = 64;

    /** Units on the axes {@code fromEnd} spanning {@code extent} positions; unknown beyond {@link #MAX_AXES} axes. */
    static UnitAxes of(List<Integer> fromEnd, long extent) {
        for (int u : fromEnd) {
            if (u < -MAX_AXES || u >= 0) {
                return UNKNOWN;
            }
        }
        return new UnitAxes(fromEnd, extent);
    }

    /** Units on the last axis, which spans {@code extent} positions (−1: not known). */
    static UnitAxes last(long extent) {
        return new UnitAxes(List.of(-1), extent);
    }

    /** Whether the axes holding the units are known. */
    boolean isKnown() {
        return !fromEnd.isEmpty();
    }

    /** Whether {@code axis} (counted from the end) holds units. */
    boolean holds(int axis) {
        return fromEnd.contains(axis);
    }

    /** Whether the units fill the last k axes in order, major first ({@code [-k, …, -1]}), as a row-major reshape reads them. */
    boolean isTrailingBlock() {
        for (int i = 0; i < fromEnd.size(); i++) {
            if (fromEnd.get(i) != i - fromEnd.size()) {
                return false;
            }
        }
        return isKnown();
    }

    /** The same axes spanning {@code newExtent} positions. */
    UnitAxes withExtent(long newExtent) {
        return new UnitAxes(fromEnd, newExtent);
    }
}
