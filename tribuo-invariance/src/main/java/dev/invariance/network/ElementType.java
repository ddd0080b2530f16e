package dev.invariance.network;

/**
 * The floating-point type a layer's weights were stored or trained in. Its machine epsilon sets the
 * numerical-rank tolerance {@code σ > σ₁ · max(m, n) · ε} (science.md 2.5), so it travels with every layer.
 */
public enum ElementType {
    /** IEEE binary16, ε = 2⁻¹⁰. */
    FLOAT16(0x1p-10),
    /** bfloat16 (8-bit exponent, 7-bit mantissa), ε = 2⁻⁷. */
    BFLOAT16(0x1p-7),
    /** IEEE binary32, ε = 2⁻²³ ≈ 1.19e-7. */
    FLOAT32(0x1p-23),
    /** IEEE binary64, ε = 2⁻⁵² ≈ 2.22e-16. */
    FLOAT64(0x1p-52);

    private final double machineEpsilon;

    ElementType(double machineEpsilon) {
        this.machineEpsilon = machineEpsilon;
    }

    /** The distance from 1 to the next representable number (NumPy's {@code finfo(dtype).eps}). */
    public double getMachineEpsilon() {
        return machineEpsilon;
    }
}
