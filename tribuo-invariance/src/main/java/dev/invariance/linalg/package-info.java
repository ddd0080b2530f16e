/**
 * Dense linear algebra on BLAS and LAPACK (netlib's JNI binding to the system OpenBLAS, with a pure-Java
 * fallback): row-major matrix products for training and singular value decompositions for the analyzer.
 */
@NullMarked
package dev.invariance.linalg;

import org.jspecify.annotations.NullMarked;
