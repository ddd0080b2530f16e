package dev.invariance.network;

import java.io.Serializable;
import java.util.Arrays;

/** An immutable real vector: a layer's bias {@code b} (one entry per output unit). */
public final class BiasVector implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] values;

    private BiasVector(double[] values) {
        this.values = values;
    }

    /** Copies the given entries. */
    public static BiasVector of(double... values) {
        return new BiasVector(values.clone());
    }

    /** Copies float entries, widening exactly. */
    public static BiasVector of(float[] values) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return new BiasVector(v);
    }

    /** Number of entries. */
    public int size() {
        return values.length;
    }

    /** Entry i. */
    public double get(int i) {
        return values[i];
    }

    /** A fresh copy of the entries. */
    public double[] toArray() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BiasVector b && Arrays.equals(b.values, values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "BiasVector(" + values.length + ")";
    }
}
