package dev.invariance.linalg;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Products {@code C = β·C + A·X} of a matrix A with a thin block X (b ≤ {@value #MAX_BLOCK} columns), in float32,
 * on the calling thread, in tiles that OpenBLAS multiplies at close to its peak.
 *
 * <p>Why tiles: OpenBLAS packs both operands of an sgemm before multiplying; with a thin block that packing is most
 * of the cost (measured on this project's machine, OpenBLAS 0.3.21: an sgemm of a 4096² matrix with a block of 2 to
 * 16 columns takes about 9 ms either way, where one pass of sgemv over the same matrix takes 2.3 ms). Calls with
 * m·n·k ≤ 2¹⁸ run on the calling thread through its unpacked small-matrix kernels at 70–76 GFLOP/s (a square
 * sgemm reaches about 80 on one core), so A is walked in tiles of r rows × k columns, k = min(inner,
 * {@value #TILE_INNER}) and r·k·b ≤ {@value #TILE_MNK}, each tile one such call, the column tiles of a row tile
 * accumulating into C.
 *
 * <p>Layouts (all column-major in BLAS's sense, as offsets into flat arrays): {@code A(i, j)} is
 * {@code a[aOff + i·lda + j]} when {@code rowMajor}, else {@code a[aOff + i + j·lda]} (i &lt; rows, j &lt; inner),
 * so a row-major matrix serves as itself or, read with {@code rowMajor = false}, as its transpose;
 * {@code X(j, t) = x[xOff + j + t·ldx]} and {@code C(i, t) = c[cOff + i + t·ldc]} (t &lt; b). netlib's bounds check
 * asks, of every operand, a whole leading dimension after its last column's start; what an array's end does not
 * allow (the last row of a row-major A at a column offset, the last column of a column-major one at a row offset,
 * a block at the very end of its array) is copied into compact scratch and multiplied there, with the same result.
 */
final class ThinProducts {
    /** Widest block worth tiling: from 64 columns on, OpenBLAS's packed sgemm is faster (measured). */
    static final int MAX_BLOCK = 32;
    /** Columns of A per tile (2 KiB of a float row). */
    static final int TILE_INNER = 512;
    /** Largest m·n·k of one tile's sgemm: OpenBLAS runs calls up to 65536·4 on the calling thread, unpacked. */
    static final int TILE_MNK = 1 << 18;

    private ThinProducts() {
    }

    /** Rows of A per tile for a block of b columns and A's inner dimension (tiles of at most 2¹⁸ multiply-adds). */
    static int tileRows(int b, int inner) {
        return Math.max(1, TILE_MNK / (Math.max(1, b) * Math.max(1, Math.min(inner, TILE_INNER))));
    }

    /**
     * C = β·C + A·X (C is rows × b, A rows × inner, X inner × b), in the layouts of the class comment; β = 0
     * overwrites C without reading it, as in BLAS.
     */
    static void multiply(float[] a, int aOff, int lda, boolean rowMajor, int rows, int inner, float[] x, int xOff,
                         int ldx, int b, float beta, float[] c, int cOff, int ldc) {
        if (rows == 0 || b == 0) {
            return;
        }
        BLAS blas = LinearAlgebraBackend.blas();
        int tileRows = tileRows(b, inner);
        float[][] scratch = new float[3][];
        for (int i0 = 0; i0 < rows; i0 += tileRows) {
            int r = Math.min(tileRows, rows - i0);
            if (inner == 0) {
                scaleTile(c, cOff + i0, ldc, r, b, beta);
                continue;
            }
            for (int j0 = 0; j0 < inner; j0 += TILE_INNER) {
                int k = Math.min(TILE_INNER, inner - j0);
                float tileBeta = j0 == 0 ? beta : 1.0f;
                int aStart = rowMajor ? aOff + i0 * lda + j0 : aOff + i0 + j0 * lda;
                tile(blas, a, aStart, lda, rowMajor, r, k, x, xOff + j0, ldx, b, tileBeta, c, cOff + i0, ldc,
                        scratch);
            }
        }
    }

    /**
     * C = β·C + A·X as one sgemm, for an A of at most a cache-sized panel ({@link PanelGramOperator}'s 127 Ki floats):
     * there OpenBLAS's packing costs less than the tiles' extra calls (measured on this project's machine for a
     * 32 × 4096 panel and 16 columns, both products of a Gram pass: 69 GFLOP/s against 62–66 in tiles). Where an
     * operand's array does not allow netlib's bounds check (see the class comment), the tiles of {@link #multiply}
     * do it, with the same result up to the order of the sums.
     */
    static void multiplyPanel(float[] a, int aOff, int lda, boolean rowMajor, int rows, int inner, float[] x, int xOff,
                              int ldx, int b, float beta, float[] c, int cOff, int ldc) {
        boolean fits = xOff + (long) ldx * b <= x.length && cOff + (long) ldc * b <= c.length
                && aOff + (long) lda * (rowMajor ? rows : inner) <= a.length;
        if (!fits || rows == 0 || b == 0 || inner == 0) {
            multiply(a, aOff, lda, rowMajor, rows, inner, x, xOff, ldx, b, beta, c, cOff, ldc);
            return;
        }
        LinearAlgebraBackend.blas().sgemm(rowMajor ? "T" : "N", "N", rows, b, inner, 1.0f, a, aOff, lda, x, xOff, ldx,
                beta, c, cOff, ldc);
    }

    /**
     * One tile, C_tile = β·C_tile + A_tile·X_tile, as one sgemm where the arrays allow it. When only A's last stored
     * column (the tile's last row if row-major, its last column otherwise) runs past the array's end, the rest is
     * still one sgemm and that row or column goes through compact copies; a block whose X or C runs past its
     * array's end goes through compact copies whole.
     */
    private static void tile(BLAS blas, float[] a, int aStart, int lda, boolean rowMajor, int r, int k, float[] x,
                             int xStart, int ldx, int b, float beta, float[] c, int cStart, int ldc,
                             float[][] scratch) {
        boolean blockFits = xStart + (long) ldx * b <= x.length && cStart + (long) ldc * b <= c.length;
        String transA = rowMajor ? "T" : "N";
        if (blockFits && aStart + (long) lda * (rowMajor ? r : k) <= a.length) {
            blas.sgemm(transA, "N", r, b, k, 1.0f, a, aStart, lda, x, xStart, ldx, beta, c, cStart, ldc);
        } else if (blockFits && rowMajor && r > 1) {
            blas.sgemm(transA, "N", r - 1, b, k, 1.0f, a, aStart, lda, x, xStart, ldx, beta, c, cStart, ldc);
            compactTile(blas, a, aStart + (r - 1) * lda, lda, true, 1, k, x, xStart, ldx, b, beta, c,
                    cStart + r - 1, ldc, scratch);
        } else if (blockFits && !rowMajor && k > 1) {
            blas.sgemm(transA, "N", r, b, k - 1, 1.0f, a, aStart, lda, x, xStart, ldx, beta, c, cStart, ldc);
            compactTile(blas, a, aStart + (k - 1) * lda, lda, false, r, 1, x, xStart + k - 1, ldx, b, 1.0f, c,
                    cStart, ldc, scratch);
        } else {
            compactTile(blas, a, aStart, lda, rowMajor, r, k, x, xStart, ldx, b, beta, c, cStart, ldc, scratch);
        }
    }

    /** One tile through compact copies of its operands (leading dimensions r, k and r), added into C. */
    private static void compactTile(BLAS blas, float[] a, int aStart, int lda, boolean rowMajor, int r, int k,
                                    float[] x, int xStart, int ldx, int b, float beta, float[] c, int cStart, int ldc,
                                    float[][] scratch) {
        float[] ta = scratch[0] != null && scratch[0].length >= r * k ? scratch[0] : (scratch[0] = new float[r * k]);
        float[] tx = scratch[1] != null && scratch[1].length >= k * b ? scratch[1] : (scratch[1] = new float[k * b]);
        float[] tc = scratch[2] != null && scratch[2].length >= r * b ? scratch[2] : (scratch[2] = new float[r * b]);
        for (int i = 0; i < r; i++) { // ta(i, j) at i + j·r
            for (int j = 0; j < k; j++) {
                ta[i + j * r] = rowMajor ? a[aStart + i * lda + j] : a[aStart + i + j * lda];
            }
        }
        for (int t = 0; t < b; t++) {
            System.arraycopy(x, xStart + t * ldx, tx, t * k, k);
        }
        blas.sgemm("N", "N", r, b, k, 1.0f, ta, 0, r, tx, 0, k, 0.0f, tc, 0, r);
        for (int t = 0; t < b; t++) {
            for (int i = 0; i < r; i++) {
                int at = cStart + i + t * ldc;
                c[at] = beta == 0.0f ? tc[i + t * r] : beta * c[at] + tc[i + t * r];
            }
        }
    }

    /** C = β·C on an r × b tile (an empty inner dimension). */
    private static void scaleTile(float[] c, int cStart, int ldc, int r, int b, float beta) {
        for (int t = 0; t < b; t++) {
            for (int i = 0; i < r; i++) {
                int at = cStart + i + t * ldc;
                c[at] = beta == 0.0f ? 0.0f : beta * c[at];
            }
        }
    }
}
