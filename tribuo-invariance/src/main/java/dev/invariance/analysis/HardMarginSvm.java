package dev.invariance.analysis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Homogeneous max-margin direction (science.md 2.8) as the minimum-norm point of a convex hull: with
 * {@code z_n = y_n x_n}, the hard-margin SVM {@code u* = argmin ‖u‖ s.t. z_nᵀu ≥ 1} is {@code u* = p* / ‖p*‖²} where
 * {@code p* = argmin ‖p‖ over conv{z_n}}, and γ* = ‖p*‖ (zero, i.e. not separable, when 0 ∈ conv{z_n}). p* is found
 * by Wolfe's minimum-norm-point algorithm (Wolfe 1976): an active-set method that keeps a small "corral" S of
 * affinely independent points (|S| ≤ d + 1, the support vectors at the end) and per major iteration adds the point
 * with the least {@code pᵀz_n} (one pass over the data, O(N d)); the affine minimiser over S is solved exactly from
 * the Cholesky factor of {@code 11ᵀ + Z_S Z_Sᵀ}. Each pass costs O(N d) and the number of passes grows with the
 * number of support vectors, not with N, which suits many rows in few dimensions; the exact inner solve is what
 * makes badly scaled features converge where dual coordinate descent crawls.
 *
 * <p>Stated tolerance: the run stops when {@code min_n z_nᵀp ≥ (1 − tolerance)·‖p‖²}, i.e. every functional margin
 * {@code y_n uᵀx_n} of u = p/‖p‖² is at least 1 − tolerance (the corral's points sit at exactly 1). Since
 * γ* ≤ ‖p‖ for every p in the hull, {@code ‖p‖ < separabilityFloor·R} (R = max‖x_n‖) certifies that no direction
 * through the origin reaches that margin: {@link SvmStatus#NOT_SEPARABLE}, never an exception. A time limit and a
 * pass limit bound every run ({@link SvmStatus#NOT_CONVERGED} with the last iterate). Deterministic.
 */
public final class HardMarginSvm {
    /** Default tolerance on the functional margins (all ≥ 1 − tolerance at exit). */
    public static final double DEFAULT_TOLERANCE = 1e-8;
    /** Default separability floor: margins below 1e-4 of the largest example norm count as not separable. */
    public static final double DEFAULT_SEPARABILITY_FLOOR = 1e-4;
    /** Default time limit of one run. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(20);

    private final double tolerance;
    private final int maxEpochs;
    private final Duration timeLimit;
    private final double separabilityFloor;

    private HardMarginSvm(double tolerance, int maxEpochs, Duration timeLimit, double separabilityFloor) {
        if (!(tolerance > 0) || maxEpochs < 1 || timeLimit.isNegative() || timeLimit.isZero()
                || !(separabilityFloor > 0 && separabilityFloor < 1)) {
            throw new IllegalArgumentException("need tolerance > 0, maxEpochs >= 1, a positive time limit and a"
                    + " separability floor in (0, 1), got " + tolerance + ", " + maxEpochs + ", " + timeLimit + ", "
                    + separabilityFloor);
        }
        this.tolerance = tolerance;
        this.maxEpochs = maxEpochs;
        this.timeLimit = timeLimit;
        this.separabilityFloor = separabilityFloor;
    }

    /** Tolerance 1e-8 on the functional margins, separability floor 1e-4·R, at most 1,000,000 passes and 20 s. */
    public static HardMarginSvm create() {
        return new HardMarginSvm(DEFAULT_TOLERANCE, 1_000_000, DEFAULT_TIME_LIMIT, DEFAULT_SEPARABILITY_FLOOR);
    }

    /** A solver with the given tolerance and pass limit (default time limit and separability floor). */
    public static HardMarginSvm withTolerance(double tolerance, int maxEpochs) {
        return new HardMarginSvm(tolerance, maxEpochs, DEFAULT_TIME_LIMIT, DEFAULT_SEPARABILITY_FLOOR);
    }

    /** The same solver with another time limit. */
    public HardMarginSvm withTimeLimit(Duration limit) {
        return new HardMarginSvm(tolerance, maxEpochs, limit, separabilityFloor);
    }

    /** The KKT tolerance. */
    public double getTolerance() {
        return tolerance;
    }

    /** Solves the SVM on {@code data}; never throws for data that are not separable (see {@link SvmStatus}). */
    public SvmSolution fit(LabelledData data) {
        return fit(data, (epoch, active, size, violation, nanos) -> { });
    }

    /**
     * Solves the SVM on {@code data}, reporting each pass over the data to {@code progress}.
     *
     * @return the solution; its status says whether it is the max-margin direction
     */
    public SvmSolution fit(LabelledData data, SvmProgress progress) {
        long start = System.nanoTime();
        long deadline = start + timeLimit.toNanos();
        int n = data.size();
        int d = data.dimension();
        double[] z = data.inputs().toRowMajorArray();
        double[] y = new double[n];
        double maxSq = 0;
        int shortest = 0;
        double shortestSq = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            y[i] = data.labels().get(i);
            for (int t = 0; t < d; t++) {
                z[i * d + t] *= y[i];
            }
            double q = dot(z, i * d, z, i * d, d);
            maxSq = Math.max(maxSq, q);
            if (q < shortestSq) {
                shortestSq = q;
                shortest = i;
            }
        }
        double[] lambda = new double[n];
        if (!Double.isFinite(maxSq)) {
            return solution(SvmStatus.NOT_SEPARABLE, new double[d], z, lambda, 0, Double.NaN,
                    "the inputs are not finite");
        }
        if (!(shortestSq > 0)) {
            return solution(SvmStatus.NOT_SEPARABLE, new double[d], z, lambda, 0, Double.NaN,
                    "example " + shortest + " is the zero vector, so no direction through the origin separates the data");
        }
        double floorSq = separabilityFloor * separabilityFloor * maxSq;
        List<Integer> corral = new ArrayList<>();
        corral.add(shortest);
        lambda[shortest] = 1.0;
        double[] p = new double[d];
        System.arraycopy(z, shortest * d, p, 0, d);
        double violation = Double.POSITIVE_INFINITY;
        int pass = 0;
        String stall = null;
        while (true) {
            double pp = dot(p, 0, p, 0, d);
            if (pp < floorSq) {
                return solution(SvmStatus.NOT_SEPARABLE, p, z, lambda, pass, violation, notSeparable(n,
                        "the hull of the y_n x_n comes closer to the origin than that"));
            }
            int best = -1;
            double least = Double.POSITIVE_INFINITY;
            boolean cut = false;
            for (int i = 0; i < n; i++) {
                if ((i & 0xFFFF) == 0xFFFF && System.nanoTime() > deadline) {
                    cut = true; // a pass over very many rows must not run past the time limit either
                    break;
                }
                double v = dot(p, 0, z, i * d, d);
                if (v < least) {
                    least = v;
                    best = i;
                }
            }
            if (cut) {
                break;
            }
            pass++;
            violation = Math.max(0.0, 1.0 - least / pp);
            progress.onEpoch(pass, corral.size(), n, violation, System.nanoTime() - start);
            if (violation <= tolerance) {
                return solution(SvmStatus.OPTIMAL, p, z, lambda, pass, violation, "");
            }
            if (pass >= maxEpochs || System.nanoTime() > deadline) {
                break;
            }
            if (lambda[best] > 0) {
                stall = "the point it adds is already in its active set (rounding)";
                break;
            }
            corral.add(best);
            // Minor cycle: move towards the affine minimiser of the corral, dropping points whose weight reaches 0.
            while (true) {
                double[] mu = affineMinimiser(z, d, corral);
                if (mu == null) {
                    stall = "the active set became affinely dependent (rounding)";
                    corral.remove(corral.size() - 1);
                    break;
                }
                boolean interior = true;
                for (double m : mu) {
                    interior &= m > 0;
                }
                if (interior) {
                    for (int k = 0; k < corral.size(); k++) {
                        lambda[corral.get(k)] = mu[k];
                    }
                    break;
                }
                double theta = 1.0;
                int leaving = -1;
                for (int k = 0; k < corral.size(); k++) {
                    double l = lambda[corral.get(k)];
                    if (mu[k] <= 0 && l / (l - mu[k]) <= theta) {
                        theta = l / (l - mu[k]);
                        leaving = k;
                    }
                }
                List<Integer> kept = new ArrayList<>();
                for (int k = 0; k < corral.size(); k++) {
                    int i = corral.get(k);
                    double l = (1 - theta) * lambda[i] + theta * mu[k];
                    // the point that limits the step leaves exactly, so every minor cycle shrinks the corral
                    lambda[i] = k != leaving && l > 1e-15 ? l : 0.0;
                    if (lambda[i] > 0) {
                        kept.add(i);
                    }
                }
                corral = kept;
            }
            if (stall == null && !corral.contains(best)) {
                stall = "the point it adds does not enter its active set (rounding)";
            }
            java.util.Arrays.fill(p, 0.0);
            for (int i : corral) {
                for (int t = 0; t < d; t++) {
                    p[t] += lambda[i] * z[i * d + t];
                }
            }
            if (stall != null) {
                break;
            }
        }
        String why = stall != null ? "stopped because " + stall
                : System.nanoTime() > deadline ? "stopped at the time limit of " + timeLimit.toMillis() / 1000.0 + " s"
                : "stopped at the limit of " + maxEpochs + " passes";
        return solution(SvmStatus.NOT_CONVERGED, p, z, lambda, pass, violation, String.format(java.util.Locale.ROOT,
                "the max-margin solver %s before reaching its tolerance %.1e (violation %.3g after %d passes)",
                why, tolerance, violation, pass));
    }

    /**
     * The weights μ (Σμ = 1) of the point of the corral's affine hull nearest the origin: μ ∝ (11ᵀ + Z_S Z_Sᵀ)⁻¹ 1,
     * solved by Cholesky; null when the matrix is numerically singular.
     */
    private static double @org.jspecify.annotations.Nullable [] affineMinimiser(double[] z, int d, List<Integer> corral) {
        int k = corral.size();
        double[] a = new double[k * k];
        for (int r = 0; r < k; r++) {
            for (int c = 0; c <= r; c++) {
                double v = 1.0 + dot(z, corral.get(r) * d, z, corral.get(c) * d, d);
                a[r * k + c] = v;
                a[c * k + r] = v;
            }
        }
        double maxDiag = 0;
        for (int r = 0; r < k; r++) {
            maxDiag = Math.max(maxDiag, a[r * k + r]);
        }
        for (int j = 0; j < k; j++) { // in-place lower Cholesky factor
            double s = a[j * k + j];
            for (int t = 0; t < j; t++) {
                s -= a[j * k + t] * a[j * k + t];
            }
            if (!(s > 1e-13 * maxDiag)) {
                return null;
            }
            double l = Math.sqrt(s);
            a[j * k + j] = l;
            for (int r = j + 1; r < k; r++) {
                double v = a[r * k + j];
                for (int t = 0; t < j; t++) {
                    v -= a[r * k + t] * a[j * k + t];
                }
                a[r * k + j] = v / l;
            }
        }
        double[] w = new double[k];
        for (int r = 0; r < k; r++) { // L w = 1
            double v = 1.0;
            for (int t = 0; t < r; t++) {
                v -= a[r * k + t] * w[t];
            }
            w[r] = v / a[r * k + r];
        }
        for (int r = k - 1; r >= 0; r--) { // Lᵀ α = w
            double v = w[r];
            for (int t = r + 1; t < k; t++) {
                v -= a[t * k + r] * w[t];
            }
            w[r] = v / a[r * k + r];
        }
        double sum = 0;
        for (double v : w) {
            sum += v;
        }
        for (int r = 0; r < k; r++) {
            w[r] /= sum;
        }
        return w;
    }

    private String notSeparable(int n, String evidence) {
        return String.format(java.util.Locale.ROOT, "the data are not linearly separable through the origin with a"
                + " margin of at least %.0e of the largest example norm (%s; %d examples)", separabilityFloor, evidence, n);
    }

    /** The solution for hull point p: u = p/‖p‖², margin min_n z_nᵀû, support = points with positive weight. */
    private static SvmSolution solution(SvmStatus status, double[] p, double[] z, double[] lambda, int passes,
                                        double violation, String note) {
        int d = p.length;
        int n = lambda.length;
        double pp = dot(p, 0, p, 0, d);
        double norm = Math.sqrt(pp);
        double margin = Double.POSITIVE_INFINITY;
        int support = 0;
        for (int i = 0; i < n; i++) {
            margin = Math.min(margin, dot(p, 0, z, i * d, d) / norm);
            if (lambda[i] > 0) {
                support++;
            }
        }
        if (!(norm > 0)) {
            margin = Double.NaN;
        }
        List<Double> weights = new ArrayList<>(d);
        List<Double> direction = new ArrayList<>(d);
        for (double v : p) {
            weights.add(pp > 0 ? v / pp : 0.0);
            direction.add(norm > 0 ? v / norm : Double.NaN);
        }
        return new SvmSolution(status, weights, direction, margin, support, passes, violation, note);
    }

    private static double dot(double[] a, int aOff, double[] b, int bOff, int d) {
        double s = 0;
        for (int t = 0; t < d; t++) {
            s += a[aOff + t] * b[bOff + t];
        }
        return s;
    }
}
