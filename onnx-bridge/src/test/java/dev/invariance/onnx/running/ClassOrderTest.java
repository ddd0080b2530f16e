package dev.invariance.onnx.running;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The default class order of an ONNX model's output columns. */
class ClassOrderTest {
    @Test
    void classesSortNumericallyWhenAllLabelsAreNumbers() {
        assertEquals(List.of("2", "10", "11"), ClassOrder.sorted(new java.util.TreeSet<>(List.of("10", "2", "11"))));
        assertEquals(List.of("10", "2", "b"), ClassOrder.sorted(new java.util.TreeSet<>(List.of("10", "2", "b"))));
    }
}
