package org.torchcl.backend.cpu;

/**
 * The innermost loop of {@link BlockedGemm}: one {@link #rows()} x {@link #columns()} tile of C
 * from a packed panel of A (rows() floats per depth) and one of B (columns() floats per depth).
 */
interface MicroKernel {

    /** Rows of a tile (MR). */
    int rows();

    /** Columns of a tile (NR). */
    int columns();

    /**
     * Called before the tiles that use the panel of B at {@code b[bOff]} ({@code kc} depths), on the
     * thread that runs them: a kernel may copy the panel into a layout of its own.
     */
    default void usePanel(float[] b, int bOff, int kc) {
    }

    /**
     * {@code C[0..MR) x [0..NR) (+)= A * B} over {@code kc} depths: {@code a} holds MR floats per depth
     * from {@code aOff}, {@code b} NR floats per depth from {@code bOff}, and row r of the tile starts
     * at {@code c[cOff + r * ldc]}. Without {@code accumulate} the tile's old contents are ignored.
     */
    void multiply(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc, boolean accumulate);
}
