package dev.invariance.linalg;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;

/**
 * The BLAS and LAPACK implementations in use. netlib picks JNI to the system's {@code libblas.so.3} /
 * {@code liblapack.so.3} (OpenBLAS when installed with {@code apt-get install libopenblas0-pthread liblapack3})
 * and falls back to a pure-Java translation, about an order of magnitude slower, when they are missing.
 * {@link #describe()} says which one was loaded so benchmarks and reports can state it.
 */
public final class LinearAlgebraBackend {
    private LinearAlgebraBackend() {
    }

    /** The BLAS instance (thread-safe, stateless). */
    public static BLAS blas() {
        return BLAS.getInstance();
    }

    /** The LAPACK instance (thread-safe, stateless). */
    public static LAPACK lapack() {
        return LAPACK.getInstance();
    }

    /** Whether both BLAS and LAPACK run natively (JNI) rather than in the pure-Java fallback. */
    public static boolean isNative() {
        return blas().getClass().getSimpleName().startsWith("JNI") && lapack().getClass().getSimpleName().startsWith("JNI");
    }

    /** For example {@code "BLAS=JNIBLAS, LAPACK=JNILAPACK"}. */
    public static String describe() {
        return "BLAS=" + blas().getClass().getSimpleName() + ", LAPACK=" + lapack().getClass().getSimpleName();
    }
}
