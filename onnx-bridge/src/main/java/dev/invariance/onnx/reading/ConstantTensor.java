package dev.invariance.onnx.reading;

import dev.invariance.network.ElementType;
import org.jspecify.annotations.Nullable;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tensor whose value is known without running the model: a stored tensor (an initializer or a {@code Constant}
 * node's value) or one of those passed through {@code Cast}, {@code Identity}, {@code Transpose}, {@code Reshape}
 * (also {@code Flatten}, {@code Squeeze}, {@code Unsqueeze}) or {@code DequantizeLinear}. Its shape and precision
 * are known up front; {@link #values()} computes the row-major values on demand, reading the stored payload then, so
 * an outline costs nothing and a layer's weights are read only when the layer is loaded.
 * <p>
 * The constants form a directed acyclic graph (one constant may feed several, as in {@code Add(W, W)}): an
 * {@link Evaluation} computes each constant of the graph once, keeps its values only until its last reader in the
 * graph has taken them, and lets that last reader change them in place, so a file of a few hundred bytes cannot make
 * the reader repeat work exponentially.
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
        return new Evaluation(this).take(this);
    }

    /** The constants this one is computed from (each as often as it is read). */
    abstract List<ConstantTensor> sources();

    /** The ONNX element type code of the values ({@link TensorPayload#FLOAT}, {@link TensorPayload#INT8}, …). */
    abstract int elementCode();

    /**
     * The values computed from the sources' values, which are obtained from {@code in}: {@link Evaluation#read} for
     * values only read, {@link Evaluation#take} for an array the result may reuse or change in place. Each source is
     * obtained exactly as often as {@link #sources()} lists it.
     */
    abstract double[] compute(Evaluation in);

    /**
     * One evaluation of a constant and everything it is computed from: each constant's values are computed once and
     * held until every reference to it within the evaluation has been served (counted beforehand), then dropped. The
     * last reference may take the array itself, unless a reader still holds it to read (a computation that read it
     * may still be running further up the stack): then, as for every earlier reference, a copy is taken.
     */
    static final class Evaluation {
        private final Map<ConstantTensor, Integer> pending = new IdentityHashMap<>();
        private final Map<ConstantTensor, double[]> computed = new IdentityHashMap<>();
        private final Set<ConstantTensor> lent = Collections.newSetFromMap(new IdentityHashMap<>());

        Evaluation(ConstantTensor root) {
            pending.put(root, 1);
            ArrayDeque<ConstantTensor> stack = new ArrayDeque<>();
            stack.push(root);
            Set<ConstantTensor> expanded = Collections.newSetFromMap(new IdentityHashMap<>());
            while (!stack.isEmpty()) {
                ConstantTensor t = stack.pop();
                if (!expanded.add(t)) {
                    continue;
                }
                for (ConstantTensor s : t.sources()) {
                    pending.merge(s, 1, Integer::sum);
                    stack.push(s);
                }
            }
        }

        /** The values of {@code t}, not to be changed (they may be shared with another reader). */
        double[] read(ConstantTensor t) {
            double[] v = valuesOf(t);
            lent.add(t);
            served(t);
            return v;
        }

        /**
         * The values of {@code t} as an array the caller owns: the computed one for the last reference when no reader
         * was given it, else a copy.
         */
        double[] take(ConstantTensor t) {
            double[] v = valuesOf(t);
            return served(t) && !lent.contains(t) ? v : v.clone();
        }

        private double[] valuesOf(ConstantTensor t) {
            double[] v = computed.get(t);
            if (v == null) {
                v = t.compute(this);
                computed.put(t, v);
            }
            return v;
        }

        /** Counts one reference to {@code t} as served; true when it was the last (its values are then dropped). */
        private boolean served(ConstantTensor t) {
            int left = pending.merge(t, -1, Integer::sum);
            if (left > 0) {
                return false;
            }
            pending.remove(t);
            computed.remove(t);
            return true;
        }
    }

    /** For a 2-D tensor, the values of its transpose in row-major order (stored tensors read them in place). */
    double[] transposedValues() {
        return transpose2d(values(), (int) shape[0], (int) shape[1]);
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
        double[] compute(Evaluation in) {
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
            super(source, source.shape, lower(source.precision, target));
            this.target = target;
            this.targetCode = targetCode;
        }

        @Override
        int elementCode() {
            return targetCode;
        }

        @Override
        double[] compute(Evaluation in) {
            double[] v = in.take(source);
            for (int i = 0; i < v.length; i++) {
                v[i] = roundTo(v[i], target);
            }
            return v;
        }
    }

    /** {@code Transpose} with a permutation of the axes. */
    static final class Transpose extends OfOne {
        final int[] perm;

        Transpose(ConstantTensor source, int[] perm) {
            super(source, permute(source.shape, perm), source.precision);
            this.perm = perm;
        }

        @Override
        double[] compute(Evaluation from) {
            double[] in = from.read(source);
            int rank = perm.length;
            if (rank == 2 && perm[0] == 1) {
                int r = (int) source.shape[0];
                int c = (int) source.shape[1];
                return transpose2d(in, r, c);
            }
            long[] inStrides = strides(source.shape);
            double[] out = new double[in.length];
            int[] idx = new int[rank];
            for (int o = 0; o < out.length; o++) {
                long src = 0;
                for (int a = 0; a < rank; a++) {
                    src += idx[a] * inStrides[perm[a]];
                }
                out[o] = in[(int) src];
                for (int a = rank - 1; a >= 0; a--) {
                    if (++idx[a] < shape[a]) {
                        break;
                    }
                    idx[a] = 0;
                }
            }
            return out;
        }
    }

    /** {@code Reshape}, {@code Flatten}, {@code Squeeze}, {@code Unsqueeze}, {@code Identity}: same values. */
    static final class Reshape extends OfOne {
        Reshape(ConstantTensor source, long[] shape) {
            super(source, shape, source.precision);
        }

        @Override
        double[] compute(Evaluation in) {
            return in.take(source);
        }
    }

    /**
     * {@code DequantizeLinear}: {@code y = (x − zero_point) · scale}, per tensor (scalar scale) or per axis (scale
     * and zero point of length {@code shape[axis]}).
     */
    static final class Dequantize extends ConstantTensor {
        final ConstantTensor x;
        final ConstantTensor scale;
        final @Nullable ConstantTensor zeroPoint;
        final int axis;

        Dequantize(ConstantTensor x, ConstantTensor scale, @Nullable ConstantTensor zeroPoint, int axis) {
            super(x.rootName, x.shape, scale.precision);
            this.x = x;
            this.scale = scale;
            this.zeroPoint = zeroPoint;
            this.axis = axis;
        }

        @Override
        int elementCode() {
            return scale.elementCode();
        }

        @Override
        List<ConstantTensor> sources() {
            return zeroPoint == null ? List.of(x, scale) : List.of(x, scale, zeroPoint);
        }

        @Override
        double[] compute(Evaluation in) {
            double[] v = in.take(x);
            double[] s = in.read(scale);
            double[] z = zeroPoint == null ? new double[s.length] : in.read(zeroPoint);
            if (s.length == 1) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (v[i] - z[0]) * s[0];
                }
                return v;
            }
            long inner = 1;
            for (int a = axis + 1; a < shape.length; a++) {
                inner *= shape[a];
            }
            int n = s.length;
            for (int i = 0; i < v.length; i++) {
                int c = (int) ((i / inner) % n);
                v[i] = (v[i] - z[c]) * s[c];
            }
            return v;
        }
    }

    /**
     * {@code Mul}, {@code Div}, {@code Add} or {@code Sub} of two constants with NumPy broadcasting, as in a
     * BatchNormalization folded into a kernel by a converter that did not constant-fold it
     * ({@code W · γ/√(σ²+ε)} reshaped to {@code [out, 1, 1, 1]}). The result is never larger than the larger
     * operand, so a file cannot make the reader allocate more than it stores.
     */
    static final class Elementwise extends ConstantTensor {
        final ConstantTensor a;
        final ConstantTensor b;
        final char operator;

        Elementwise(ConstantTensor a, ConstantTensor b, char operator, long[] shape) {
            super(a.count() >= b.count() ? a.rootName : b.rootName, shape, lower(a.precision, b.precision));
            this.a = a;
            this.b = b;
            this.operator = operator;
        }

        /** The less precise operand's type (both are floating point). */
        @Override
        int elementCode() {
            return precision == a.precision ? a.elementCode() : b.elementCode();
        }

        /** The broadcast shape, or null when the shapes do not broadcast or the result would outgrow both operands. */
        static long @Nullable [] broadcast(long[] x, long[] y) {
            int rank = Math.max(x.length, y.length);
            long[] out = new long[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                long dx = i < rank - x.length ? 1 : x[i - (rank - x.length)];
                long dy = i < rank - y.length ? 1 : y[i - (rank - y.length)];
                if (dx != dy && dx != 1 && dy != 1) {
                    return null;
                }
                out[i] = dx == 1 ? dy : dx;
                count *= out[i];
            }
            long cx = 1;
            for (long d : x) {
                cx *= d;
            }
            long cy = 1;
            for (long d : y) {
                cy *= d;
            }
            return count > Math.max(cx, cy) ? null : out;
        }

        @Override
        List<ConstantTensor> sources() {
            return List.of(a, b);
        }

        @Override
        double[] compute(Evaluation in) {
            double[] x = in.read(a);
            double[] y = in.read(b);
            double[] out = new double[(int) count()];
            long[] sx = broadcastStrides(a.shape, shape);
            long[] sy = broadcastStrides(b.shape, shape);
            int rank = shape.length;
            int[] idx = new int[rank];
            for (int o = 0; o < out.length; o++) {
                long ix = 0;
                long iy = 0;
                for (int d = 0; d < rank; d++) {
                    ix += idx[d] * sx[d];
                    iy += idx[d] * sy[d];
                }
                double u = x[(int) ix];
                double v = y[(int) iy];
                out[o] = switch (operator) {
                    case '*' -> u * v;
                    case '/' -> u / v;
                    case '+' -> u + v;
                    default -> u - v;
                };
                for (int d = rank - 1; d >= 0; d--) {
                    if (++idx[d] < shape[d]) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
            return out;
        }

        private static long[] broadcastStrides(long[] from, long[] to) {
            long[] own = strides(from);
            long[] out = new long[to.length];
            int shift = to.length - from.length;
            for (int d = 0; d < to.length; d++) {
                out[d] = d < shift || from[d - shift] == 1 ? 0 : own[d - shift];
            }
            return out;
        }
    }

    /** Row-major strides of a shape. */
    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            s[a] = acc;
            acc *= shape[a];
        }
        return s;
    }

    static long[] permute(long[] shape, int[] perm) {
        long[] out = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = shape[perm[i]];
        }
        return out;
    }

    /** Row-major transpose of an r × c array. */
    static double[] transpose2d(double[] in, int r, int c) {
        double[] out = new double[in.length];
        final int block = 64;
        for (int i0 = 0; i0 < r; i0 += block) {
            int i1 = Math.min(r, i0 + block);
            for (int j0 = 0; j0 < c; j0 += block) {
                int j1 = Math.min(c, j0 + block);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        out[j * r + i] = in[i * c + j];
                    }
                }
            }
        }
        return out;
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

    /** Rounds to the nearest value of the type (ties to even), as a {@code Cast} to it does. */
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

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + rootName + " " + Arrays.toString(shape) + ")";
    }
}
