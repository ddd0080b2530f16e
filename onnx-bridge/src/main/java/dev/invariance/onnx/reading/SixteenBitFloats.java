package dev.invariance.onnx.reading;

/**
 * The 16-bit floating-point formats ONNX stores (in {@code raw_data} as two little-endian bytes, in
 * {@code int32_data} as the low 16 bits), widened exactly to float.
 */
final class SixteenBitFloats {
    private SixteenBitFloats() {
    }

    /** IEEE binary16 bits (1 sign, 5 exponent, 10 mantissa bits) to the float of the same value (exact). */
    static float float16(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** bfloat16 bits (the high half of a float32) to the float of the same value (exact). */
    static float bfloat16(int b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
