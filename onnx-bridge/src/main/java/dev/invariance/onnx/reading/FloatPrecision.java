package dev.invariance.onnx.reading;

import dev.invariance.network.ElementType;
import org.jspecify.annotations.Nullable;

/** The floating-point types of constants: which of two is less precise, and rounding a value to a type. */
final class FloatPrecision {
    private FloatPrecision() {
    }

    /** The less precise of two types (larger machine epsilon); null counts as no information. */
    static @Nullable ElementType lower(@Nullable ElementType a, @Nullable ElementType b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.getMachineEpsilon() >= b.getMachineEpsilon() ? a : b;
    }

    /**
     * Rounds to the nearest value of the type (ties to even), as a {@code Cast} to it does: float16 keeps 10 mantissa
     * bits down to exponent −14 (subnormals below) and overflows past 65504, bfloat16 keeps 7 bits with float32's
     * exponent range.
     */
    static double roundTo(double v, ElementType type) {
        switch (type) {
            case FLOAT64:
                return v;
            case FLOAT32:
                return (float) v;
            default:
                break;
        }
        float f = (float) v;
        if (Float.isNaN(f) || Float.isInfinite(f) || f == 0f) {
            return f;
        }
        int mantissaBits = type == ElementType.FLOAT16 ? 10 : 7;
        int minExponent = type == ElementType.FLOAT16 ? -14 : -126;
        double max = type == ElementType.FLOAT16 ? 65504.0 : Float.MAX_VALUE;
        int e = Math.max(Math.getExponent(f), minExponent);
        double quantum = Math.scalb(1.0, e - mantissaBits);
        double r = Math.rint(f / quantum) * quantum;
        if (Math.abs(r) > max) {
            return r > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        return r;
    }
}
