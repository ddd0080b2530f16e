package dev.invariance.training.internal;

/** Scalar functions in numerically stable forms (no overflow, no avoidable cancellation). */
public final class StableMath {
    private StableMath() {
    }

    /** softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|}). */
    public static double softplus(double x) {
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** log(softplus(x)), finite for every finite x: for x ≪ 0 softplus(x) ≈ eˣ(1 − eˣ/2), so the log ≈ x − eˣ/2. */
    public static double logSoftplus(double x) {
        if (x < -30) {
            return x - 0.5 * Math.exp(x);
        }
        return Math.log(softplus(x));
    }

    /** log σ(x) = −softplus(−x). */
    public static double logSigmoid(double x) {
        return -softplus(-x);
    }

    /** log Σ exp(v[i]) over [from, to); −∞ for an empty range or all −∞. */
    public static double logSumExp(double[] v, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            max = Math.max(max, v[i]);
        }
        if (max == Double.NEGATIVE_INFINITY || max == Double.POSITIVE_INFINITY) {
            return max;
        }
        double s = 0.0;
        for (int i = from; i < to; i++) {
            s += Math.exp(v[i] - max);
        }
        return max + Math.log(s);
    }

    /** log(eᵃ + eᵇ). */
    public static double logAddExp(double a, double b) {
        double max = Math.max(a, b);
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
    }
}
