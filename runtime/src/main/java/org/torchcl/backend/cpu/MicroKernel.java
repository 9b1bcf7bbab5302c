package org.torchcl.backend.cpu;

/**
 * The innermost loop of {@link BlockedGemm}: one {@link #rows()} x {@link #columns()} tile of C
 * from a packed panel of A (rows() floats per depth) and a panel of B: columns() adjacent floats per
 * depth, depth {@code d} at {@code b[bOff + starts[startsOff + d]]}. A packed panel's depths follow
 * each other ({@code starts[d] = d * columns()}); a convolution's columns read in place from a padded
 * image lie one input tap apart.
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
    default void usePanel(float[] b, int bOff, int[] starts, int startsOff, int kc) {
    }

    /**
     * {@code C[0..MR) x [0..NR) (+)= A * B} over {@code kc} depths: {@code a} holds MR floats per depth
     * from {@code aOff}, {@code b} NR floats at each depth's start, and row r of the tile starts at
     * {@code c[cOff + r * ldc]}. Without {@code accumulate} the tile's old contents are ignored.
     */
    void multiply(int kc, float[] a, int aOff, float[] b, int bOff, int[] starts, int startsOff, float[] c, int cOff,
                  int ldc, boolean accumulate);
}
