package dev.invariance.onnx.reading;

import dev.invariance.network.ElementType;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.List;

/**
 * A tensor whose value is known without running the model: a stored tensor (an initializer or a {@code Constant}
 * node's value) or one of those passed through {@code Cast}, {@code Identity}, {@code Transpose}, {@code Reshape}
 * (also {@code Flatten}, {@code Squeeze}, {@code Unsqueeze}), {@code DequantizeLinear} or elementwise arithmetic of
 * two constants. Its shape and precision are known up front; {@link #values()} computes the row-major values on
 * demand, reading the stored payload then, so an outline costs nothing and a layer's weights are read only when the
 * layer is loaded. Each kind below says how its values follow from its sources'; a {@link ConstantEvaluation} computes
 * every constant of a chain once.
 */
abstract class ConstantTensor {
    /** The stored tensor this value comes from (the layer's name in the file). */
    final String rootName;
    /** Shape, row-major. */
    final long[] shape;
    /** The floating-point precision of the values, the lowest along the way; null for integer values. */
    final @Nullable ElementType precision;

    ConstantTensor(String rootName, long[] shape, @Nullable ElementType precision) {
        this.rootName = rootName;
        this.shape = shape;
        this.precision = precision;
    }

    /** Whether the values are floating point (weights) rather than integers (quantised values, shapes). */
    boolean precisionKnown() {
        return precision != null;
    }

    /** Number of elements. */
    long count() {
        long c = 1;
        for (long d : shape) {
            c *= d;
        }
        return c;
    }

    /** The values in row-major order of {@link #shape}: a fresh array the caller may change. */
    final double[] values() {
        return new ConstantEvaluation(this).take(this);
    }

    /** The constants this one is computed from (each as often as it is read). */
    abstract List<ConstantTensor> sources();

    /** The ONNX element type code of the values ({@link TensorPayload#FLOAT}, {@link TensorPayload#INT8}, …). */
    abstract int elementCode();

    /**
     * The values computed from the sources' values, which are obtained from {@code in}:
     * {@link ConstantEvaluation#read} for values only read, {@link ConstantEvaluation#take} for an array the result may
     * reuse or change in place. Each source is obtained exactly as often as {@link #sources()} lists it.
     */
    abstract double[] compute(ConstantEvaluation in);

    /** For a 2-D tensor, the values of its transpose in row-major order (stored tensors read them in place). */
    double[] transposedValues() {
        return RowMajor.transpose2d(values(), (int) shape[0], (int) shape[1]);
    }

    /** A stored tensor read through its payload. */
    static final class Stored extends ConstantTensor {
        final TensorPayload payload;

        Stored(TensorPayload payload, String name) {
            super(name, payload.shape(), payload.elementType());
            this.payload = payload;
        }

        @Override
        List<ConstantTensor> sources() {
            return List.of();
        }

        @Override
        int elementCode() {
            return payload.dataType();
        }

        @Override
        double[] compute(ConstantEvaluation in) {
            return payload.read();
        }

        long[] longs() {
            return payload.readLongs();
        }

        @Override
        double[] transposedValues() {
            return shape.length == 2 ? payload.readTransposed((int) shape[0], (int) shape[1]) : super.transposedValues();
        }
    }

    /** A constant computed from one other: its element type unless it says otherwise. */
    abstract static class OfOne extends ConstantTensor {
        final ConstantTensor source;

        OfOne(ConstantTensor source, long[] shape, @Nullable ElementType precision) {
            super(source.rootName, shape, precision);
            this.source = source;
        }

        @Override
        List<ConstantTensor> sources() {
            return List.of(source);
        }

        @Override
        int elementCode() {
            return source.elementCode();
        }
    }

    /** {@code Cast} to a floating-point type: values rounded to it. */
    static final class Cast extends OfOne {
        final ElementType target;
        private final int targetCode;

        /** A cast to {@code target}, whose ONNX code is {@code targetCode}. */
        Cast(ConstantTensor source, ElementType target, int targetCode) {
            super(source, source.shape, FloatPrecision.lower(source.precision, target));
            this.target = target;
            this.targetCode = targetCode;
        }

        @Override
        int elementCode() {
            return targetCode;
        }

        @Override
        double[] compute(ConstantEvaluation in) {
            double[] v = in.take(source);
            for (int i = 0; i < v.length; i++) {
                v[i] = FloatPrecision.roundTo(v[i], target);
            }
            return v;
        }
    }

    /** {@code Transpose} with a permutation of the axes. */
    static final class Transpose extends OfOne {
        final int[] perm;

        Transpose(ConstantTensor source, int[] perm) {
            super(source, RowMajor.permute(source.shape, perm), source.precision);
            this.perm = perm;
        }

        @Override
        double[] compute(ConstantEvaluation from) {
            return RowMajor.transposed(from.read(source), source.shape, perm);
        }
    }

    /** {@code Reshape}, {@code Flatten}, {@code Squeeze}, {@code Unsqueeze}, {@code Identity}: same values. */
    static final class Reshape extends OfOne {
        Reshape(ConstantTensor source, long[] shape) {
            super(source, shape, source.precision);
        }

        @Override
        double[] compute(ConstantEvaluation in) {
            return in.take(source);
        }
    }

    /**
     * A dequantised integer tensor, {@code y = (x − zero_point) · scale}, as {@code DequantizeLinear} computes it and
     * as the quantised operators ({@code MatMulInteger}, {@code QLinearMatMul}, {@code ConvInteger},
     * {@code QLinearConv}, a {@code Cast} of integers followed by a scale) multiply by it. Per tensor (one scale and
     * one zero point), per axis (scale and zero point each one value or one per slice along {@code axis}) or blocked
     * (scale and zero point of x's rank, {@code ceil(shape[axis] / blockSize)} along the axis and x's size along the
     * others: each run of {@code blockSize} consecutive values along the axis shares one).
     */
    static final class Dequantize extends ConstantTensor {
        final ConstantTensor x;
        final ConstantTensor scale;
        final @Nullable ConstantTensor zeroPoint;
        final int axis;
        /** Values along the axis that share a scale, or 0 when not blocked. */
        final int blockSize;
        /** The operator that dequantises: {@code DequantizeLinear}, or the quantised operator that holds x. */
        final String operator;

        /** A per-tensor or per-axis dequantisation by {@code operator}. */
        Dequantize(ConstantTensor x, ConstantTensor scale, @Nullable ConstantTensor zeroPoint, int axis,
                   String operator) {
            this(x, scale, zeroPoint, axis, 0, operator);
        }

        /** A dequantisation by {@code operator}, blocked along {@code axis} when {@code blockSize > 0}. */
        Dequantize(ConstantTensor x, ConstantTensor scale, @Nullable ConstantTensor zeroPoint, int axis, int blockSize,
                   String operator) {
            super(x.rootName, x.shape, scale.precision);
            this.x = x;
            this.scale = scale;
            this.zeroPoint = zeroPoint;
            this.axis = axis;
            this.blockSize = blockSize;
            this.operator = operator;
        }

        @Override
        int elementCode() {
            return scale.elementCode();
        }

        @Override
        List<ConstantTensor> sources() {
            return zeroPoint == null ? List.of(x, scale) : List.of(x, scale, zeroPoint);
        }

        /** Whether scale or zero point vary along the axis (per slice or per block) rather than being one number. */
        boolean perAxis() {
            return blockSize > 0 || scale.count() > 1 || (zeroPoint != null && zeroPoint.count() > 1);
        }

        @Override
        double[] compute(ConstantEvaluation in) {
            double[] v = in.take(x);
            double[] s = in.read(scale);
            double[] z = zeroPoint == null ? new double[1] : in.read(zeroPoint);
            if (!perAxis()) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (v[i] - z[0]) * s[0];
                }
                return v;
            }
            long inner = 1;
            for (int a = axis + 1; a < shape.length; a++) {
                inner *= shape[a];
            }
            long n = shape[axis];
            if (blockSize > 0) {
                // the scale's shape is x's with ceil(n / blockSize) along the axis
                long blocks = (n + blockSize - 1) / blockSize;
                for (int i = 0; i < v.length; i++) {
                    long outer = i / (n * inner);
                    long c = (i / inner) % n;
                    int k = (int) ((outer * blocks + c / blockSize) * inner + i % inner);
                    v[i] = (v[i] - z[z.length == 1 ? 0 : k]) * s[k];
                }
                return v;
            }
            for (int i = 0; i < v.length; i++) {
                int c = (int) ((i / inner) % n);
                v[i] = (v[i] - z[z.length == 1 ? 0 : c]) * s[s.length == 1 ? 0 : c];
            }
            return v;
        }
    }

    /**
     * {@code Mul}, {@code Div}, {@code Add} or {@code Sub} of two constants with NumPy broadcasting
     * ({@link Broadcasting}), as in a BatchNormalization folded into a kernel by a converter that did not
     * constant-fold it ({@code W · γ/√(σ²+ε)} reshaped to {@code [out, 1, 1, 1]}). The result is never larger than
     * the larger operand, so a file cannot make the reader allocate more than it stores.
     */
    static final class Elementwise extends ConstantTensor {
        final ConstantTensor a;
        final ConstantTensor b;
        final char operator;

        /** {@code a operator b} of the broadcast {@code shape} ({@link Broadcasting#shape}). */
        Elementwise(ConstantTensor a, ConstantTensor b, char operator, long[] shape) {
            super(a.count() >= b.count() ? a.rootName : b.rootName, shape,
                    FloatPrecision.lower(a.precision, b.precision));
            this.a = a;
            this.b = b;
            this.operator = operator;
        }

        /** The less precise operand's type (both are floating point). */
        @Override
        int elementCode() {
            return precision == a.precision ? a.elementCode() : b.elementCode();
        }

        @Override
        List<ConstantTensor> sources() {
            return List.of(a, b);
        }

        @Override
        double[] compute(ConstantEvaluation in) {
            double[] x = in.read(a);
            double[] y = in.read(b);
            return Broadcasting.combine(x, a.shape, y, b.shape, shape, (int) count(), operator);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + rootName + " " + Arrays.toString(shape) + ")";
    }
}
