package org.torchcl.backend.cpu;

/**
 * One side of a product as {@link BlockedGemm} packs it: {@link #extent()} lines (the rows of op(A)
 * or the columns of op(B)), each {@link #depth()} long.
 */
interface PanelSource {

    int extent();

    int depth();

    /**
     * Copies lines {@code [x0, x0 + width)} at depths {@code [k0, k0 + kc)} to {@code dst} depth-major,
     * {@code width} floats per depth; lines past the extent become zeros.
     */
    void pack(int x0, int width, int k0, int kc, float[] dst, int dstOff);
}
