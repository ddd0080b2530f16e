package dev.invariance.analysis;

/**
 * Sums of squares that neither overflow nor underflow, as LAPACK's {@code dlassq} keeps them: the pair
 * {scale, ssq} stands for scale²·ssq, so a Frobenius norm ‖X‖_F = √(Σ x²) of entries formed one at a time (for
 * example those of AB − BA, each formed before it is squared so that nothing cancels) keeps full precision for
 * any magnitude.
 */
final class SumOfSquares {
    private SumOfSquares() {
    }

    /** An empty sum {scale, ssq} = {0, 1}. */
    static double[] empty() {
        return new double[] {0, 1};
    }

    /** Adds weight·x² to the scaled sum {scale, ssq} (value = scale²·ssq). */
    static void accumulate(double[] s, double x, double weight) {
        double ax = Math.abs(x);
        if (ax == 0) {
            return;
        }
        if (ax > s[0]) {
            double r = s[0] / ax;
            s[1] = weight + s[1] * r * r;
            s[0] = ax;
        } else {
            double r = ax / s[0];
            s[1] += weight * r * r;
        }
    }

    /** √(scale²·ssq) = scale·√ssq: the norm whose squares {@code s} summed. */
    static double norm(double[] s) {
        return s[0] * Math.sqrt(s[1]);
    }

    /** x². */
    static double square(double x) {
        return x * x;
    }
}
