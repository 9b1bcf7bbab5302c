package org.torchcl.backend.cpu;

import jdk.incubator.vector.FloatVector;
import org.torchcl.backend.GemmShape;

/**
 * sgemm on Vector API registers, the GotoBLAS/BLIS way. For each block of {@link #KC} depth
 * indices, op(B) is packed once into panels of {@link VectorMicroKernel#NR} columns; each task
 * packs {@link #MC} rows of op(A) into panels of {@link VectorMicroKernel#MR} rows and runs the
 * register-tile kernel over its share of C, a block of rows times a group of panels. Packing
 * absorbs the transposes and the ragged edges (padding with zeros), so one kernel serves every
 * shape. A bias becomes one more depth index, bias times one, so it costs the kernel nothing.
 *
 * <p>A product of a short A and a Linear weight ({@code transB}) goes to {@link VectorRowDots}
 * instead: there packing (transposing) the weight would cost about as much as the product.
 */
final class VectorGemm implements CpuGemm {

    /**
     * Depth of a packed block. Long enough that C is loaded and stored rarely; short enough that an
     * MR-row panel of A (16 KiB) stays in L1 and an NR-column panel of B (96 KiB for 16 lanes) in L2.
     */
    private static final int KC = 512;
    /** Rows of op(A) one task packs: MC x KC floats (256 KiB), reused from L2 for every panel. */
    private static final int MC = 128;
    /** Tasks per thread when a product is split, so that work stealing can even out the cores. */
    private static final int TASKS_PER_THREAD = 4;
    /** Up to this many rows of A, a product against a weight is bound by streaming the weight. */
    private static final int FEW_ROWS = 16;
    /** Up to this many rows, A stays in cache while {@link VectorRowDots} streams a weight past it. */
    private static final int ROW_DOTS_MAX_ROWS = 128;
    /** From this depth on, the reductions that end each row-dots tile cost little. */
    private static final int ROW_DOTS_MIN_DEPTH = 1024;

    private final Parallel parallel;
    private final VectorRowDots rowDots;

    VectorGemm(Parallel parallel) {
        this.parallel = parallel;
        this.rowDots = new VectorRowDots(parallel);
    }

    @Override
    public void run(GemmShape s, float[] a, float[] b, float[] bias, float[] c) {
        boolean useRowDots = rowDotsPay(s);
        for (int batch = 0; batch < s.batch(); batch++) {
            int offA = (int) (batch * s.strideA());
            int offB = (int) (batch * s.strideB());
            int offC = (int) (batch * s.strideC());
            if (useRowDots) {
                rowDots.run(s, a, offA, b, offB, bias, c, offC);
            } else {
                packed(s, PackedOperand.rowsOfA(s, a, offA, bias), PackedOperand.columnsOfB(s, b, offB, bias), c, offC);
            }
        }
    }

    /**
     * Whether {@link VectorRowDots} beats packing for {@code s}: A times a weight stored {@code [n, k]}
     * whose packing (a transpose) would not be repaid, because A has few rows, or because it has at
     * most {@link #ROW_DOTS_MAX_ROWS} rows, so it stays in cache while the weight streams past once,
     * and the rows are long enough to amortize the dot products' final reductions.
     */
    private static boolean rowDotsPay(GemmShape s) {
        return s.transB() && !s.transA()
                && (s.m() <= FEW_ROWS || s.m() <= ROW_DOTS_MAX_ROWS && s.k() >= ROW_DOTS_MIN_DEPTH);
    }

    private void packed(GemmShape s, PackedOperand left, PackedOperand right, float[] c, int offC) {
        int nr = VectorMicroKernel.NR;
        int panels = ceilDiv(s.n(), nr);
        int rowBlocks = ceilDiv(s.m(), MC);
        // Split the columns too when there are too few row blocks to keep every core busy.
        int wantedTasks = parallel.threads() == 1 ? 1 : parallel.threads() * TASKS_PER_THREAD;
        int columnGroups = Math.min(panels, ceilDiv(wantedTasks, rowBlocks));
        int panelsPerGroup = ceilDiv(panels, columnGroups);
        int depth = left.depth();
        float[] packedB = new float[Math.min(KC, depth) * panels * nr];
        // With one block of rows every panel of B has one user, which packs it itself: packing then
        // overlaps the other tasks' arithmetic, and the panel is still in cache when it is used.
        boolean sharedPanels = rowBlocks > 1;
        for (int k0 = 0; k0 < depth; k0 += KC) {
            int kc = Math.min(KC, depth - k0);
            int from = k0;
            if (sharedPanels) {
                parallel.forRange(panels, 1, (first, end) -> packPanels(right, (int) first, (int) end, from, kc, packedB));
            }
            parallel.forTasks(rowBlocks * columnGroups, task -> {
                int firstPanel = (task % columnGroups) * panelsPerGroup;
                int endPanel = Math.min(panels, firstPanel + panelsPerGroup);
                if (!sharedPanels) {
                    packPanels(right, firstPanel, endPanel, from, kc, packedB);
                }
                int i0 = (task / columnGroups) * MC;
                blockTimesPanels(s, left, i0, Math.min(MC, s.m() - i0), from, kc, packedB, firstPanel, endPanel, c,
                        offC);
            });
        }
    }

    private static void packPanels(PackedOperand right, int firstPanel, int endPanel, int k0, int kc, float[] packedB) {
        int nr = VectorMicroKernel.NR;
        for (int p = firstPanel; p < endPanel; p++) {
            right.pack(p * nr, nr, k0, kc, packedB, p * kc * nr);
        }
    }

    /** Packs rows [i0, i0 + rows) of op(A) for depths [k0, k0 + kc) and multiplies them by panels [first, end). */
    private static void blockTimesPanels(GemmShape s, PackedOperand left, int i0, int rows, int k0, int kc,
                                         float[] packedB, int firstPanel, int endPanel, float[] c, int offC) {
        int mr = VectorMicroKernel.MR;
        int nr = VectorMicroKernel.NR;
        float[] packedA = new float[ceilDiv(rows, mr) * mr * kc];
        for (int r = 0; r < rows; r += mr) {
            left.pack(i0 + r, mr, k0, kc, packedA, r * kc);
        }
        boolean accumulate = k0 > 0;
        float[] edge = null;
        for (int p = firstPanel; p < endPanel; p++) {
            int j0 = p * nr;
            int cols = Math.min(nr, s.n() - j0);
            for (int r = 0; r < rows; r += mr) {
                int tileRows = Math.min(mr, rows - r);
                int tile = offC + (i0 + r) * s.n() + j0;
                if (tileRows == mr && cols == nr) {
                    VectorMicroKernel.multiply(kc, packedA, r * kc, packedB, p * kc * nr, c, tile, s.n(), accumulate);
                } else {
                    if (edge == null) {
                        edge = new float[mr * nr];
                    }
                    // A ragged tile is computed whole in scratch; only its valid part reaches C.
                    if (accumulate) {
                        copyTile(c, tile, s.n(), edge, 0, nr, tileRows, cols);
                    }
                    VectorMicroKernel.multiply(kc, packedA, r * kc, packedB, p * kc * nr, edge, 0, nr, accumulate);
                    copyTile(edge, 0, nr, c, tile, s.n(), tileRows, cols);
                }
            }
        }
    }

    private static void copyTile(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride,
                                 int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, srcOff + r * srcStride, dst, dstOff + r * dstStride, cols);
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** The width of the vectors the kernels use. */
    static int vectorBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
