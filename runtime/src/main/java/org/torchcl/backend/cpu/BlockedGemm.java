package org.torchcl.backend.cpu;

import org.torchcl.backend.GemmShape;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.UnaryOp;

/**
 * sgemm the GotoBLAS/BLIS way around a {@link MicroKernel}. For each block of {@link #KC} depth
 * indices op(B) is packed into panels of NR columns and op(A) into panels of MR rows; the register
 * tile runs over a task's share of C, a block of rows times a group of panels. Packing absorbs the
 * transposes and the ragged edges (padding with zeros), so one kernel serves every shape, and an
 * operand used again unchanged (a weight) stays packed across calls ({@link PackedWeights}). The
 * bias and the activation are applied to each tile right after its last block, while the tile is
 * still in L1, instead of in passes over all of C.
 *
 * <p>Plain Java: the Vector API stays inside the kernels it is given, so this class links without
 * {@code jdk.incubator.vector}.
 */
final class BlockedGemm implements CpuGemm {

    /**
     * Depth of a packed block. Long enough that C is loaded and stored rarely; short enough that an
     * MR-row panel of A (16 KiB) stays in L1 and an NR-column panel of B (96 KiB for 16 lanes) in L2.
     */
    static final int KC = 512;
    /** Rows of op(A) one task packs: MC x KC floats (256 KiB), reused from L2 for every panel. */
    private static final int MC = 128;
    /** Tasks per thread when a product is split, so that uneven tasks still even out over the cores. */
    private static final int TASKS_PER_THREAD = 4;
    /**
     * Panels of B per block of columns when B is packed for several blocks of rows: KC x 64 x NR
     * floats (6 MiB for 16 lanes) stay in the last-level cache between their uses.
     */
    private static final int NC_PANELS = 64;
    /** Floats worth packing on another core: below this a shared packing is done by the caller alone. */
    private static final int PACK_GRAIN = 16384;
    /** Up to this many rows of A, a product against a weight is bound by streaming the weight. */
    static final int FEW_ROWS = 16;

    private final Parallel parallel;
    private final MicroKernel kernel;
    /** The product of a few rows and a Linear weight, or null to use the packed path for it too. */
    private final FewRows fewRows;
    private final CpuMath math;
    private final PackedWeights weights = new PackedWeights();
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** {@code C = A * B^T} for at most {@link #FEW_ROWS} rows of A and B stored {@code [n, k]}. */
    @FunctionalInterface
    interface FewRows {
        void run(GemmShape s, float[] a, int offA, float[] b, int offB, float[] bias, float[] c, int offC);
    }

    BlockedGemm(Parallel parallel, MicroKernel kernel, FewRows fewRows, CpuMath math) {
        this.parallel = parallel;
        this.kernel = kernel;
        this.fewRows = fewRows;
        this.math = math;
    }

    /** What is applied to each finished tile: the bias, then the activation's loop (null: none). */
    private record Epilogue(GemmShape.Bias biasMode, float[] bias, CpuElementwise.FloatUnary activation) {

        void apply(float[] c, int tile, int ldc, int i0, int j0, int rows, int cols) {
            addBias(c, tile, ldc, i0, j0, rows, cols, biasMode, bias);
            if (activation != null) {
                for (int r = 0; r < rows; r++) {
                    int row = tile + r * ldc;
                    activation.apply(c, c, row, row + cols);
                }
            }
        }
    }

    private Epilogue epilogue(GemmShape.Bias biasMode, float[] bias, UnaryOp activation) {
        if (activation == null) {
            return new Epilogue(biasMode, bias, null);
        }
        CpuElementwise.FloatUnary fast = math.unary(activation);
        return new Epilogue(biasMode, bias, fast != null ? fast : CpuElementwise.floatLoop(activation, 0, 0));
    }

    /**
     * Where the columns of C lie: column {@code j} of row {@code i} at {@code (j / groupSize) *
     * groupStride + i * ldc + j % groupSize}. One group for a plain product; one per image for a
     * convolution, whose output is {@code [images, channels, positions]}.
     */
    private record Columns(int groupSize, int groupStride, int ldc) {

        static Columns plain(int n) {
            return new Columns(n, 0, n);
        }

        int offset(int i, int j) {
            return j / groupSize * groupStride + i * ldc + j % groupSize;
        }
    }

    @Override
    public void run(GemmShape s, CpuBuffer a, CpuBuffer b, float[] bias, float[] c) {
        boolean fewRowsPay = fewRows != null && s.transB() && !s.transA() && s.m() <= FEW_ROWS;
        boolean sharedB = s.batch() == 1 || s.strideB() == 0;
        for (int batch = 0; batch < s.batch(); batch++) {
            int offA = (int) (batch * s.strideA());
            int offB = (int) (batch * s.strideB());
            int offC = (int) (batch * s.strideC());
            if (fewRowsPay) {
                fewRows.run(s, a.floats(), offA, b.floats(), offB, bias, c, offC);
                // A few rows of C: the activation is a pass over data still in cache.
                epilogue(GemmShape.Bias.NONE, null, s.activation()).apply(c, offC, s.n(), 0, 0, s.m(), s.n());
                continue;
            }
            PackedOperand columns = PackedOperand.columnsOfB(s, b.floats(), offB);
            Panels right = sharedB ? weights.panels(b, columns, kernel.columns(), blockDepth(s.k()))
                    : Panels.onDemand(columns, kernel.columns());
            Panels left = Panels.onDemand(PackedOperand.rowsOfA(s, a.floats(), offA), kernel.rows());
            multiply(s.m(), s.n(), s.k(), left, right, c, offC, Columns.plain(s.n()),
                    epilogue(s.bias(), bias, s.activation()));
        }
    }

    @Override
    public void conv2d(Im2colShape s, float[] src, CpuBuffer weight, float[] bias, float[] dst, int outChannels,
                       UnaryOp activation) {
        int patch = s.patchSize();
        int positions = s.positions();
        Panels left = weights.panels(weight, new PackedOperand(weight.floats(), 0, outChannels, patch, 1, patch),
                kernel.rows(), blockDepth(patch));
        Panels right = Panels.onDemand(new ImageColumns(src, s), kernel.columns());
        multiply(outChannels, s.batch() * positions, patch, left, right, dst, 0,
                new Columns(positions, outChannels * positions, positions),
                epilogue(bias == null ? GemmShape.Bias.NONE : GemmShape.Bias.PER_ROW, bias, activation));
    }

    @Override
    public void forget(CpuBuffer buffer) {
        weights.forget(buffer);
    }

    /**
     * The depth of the blocks a product of {@code depth} is cut into: at most {@link #KC}, and all
     * about equal, so that no block is a short remainder that loads and stores C for little work.
     */
    static int blockDepth(int depth) {
        return ceilDiv(depth, ceilDiv(depth, KC));
    }

    private void multiply(int m, int n, int depth, Panels left, Panels right, float[] c, int offC, Columns columns,
                          Epilogue epilogue) {
        int mr = kernel.rows();
        int nr = kernel.columns();
        int blockDepth = blockDepth(depth);
        int panels = ceilDiv(n, nr);
        int rowBlocks = ceilDiv(m, MC);
        // B packed on demand by several blocks of rows is packed once per block of columns, shared;
        // with one block of rows each task packs the panel it is about to use, still in cache then.
        boolean sharedPanels = right.packed() == null && rowBlocks > 1;
        int blockPanels = sharedPanels ? NC_PANELS : panels;
        for (int firstOfBlock = 0; firstOfBlock < panels; firstOfBlock += blockPanels) {
            int jc = firstOfBlock;
            int count = Math.min(blockPanels, panels - jc);
            // Split the columns too when there are too few row blocks to keep every core busy.
            int wantedTasks = parallel.threads() == 1 ? 1 : parallel.threads() * TASKS_PER_THREAD;
            int panelsPerGroup = ceilDiv(count, Math.min(count, ceilDiv(wantedTasks, rowBlocks)));
            int columnGroups = ceilDiv(count, panelsPerGroup);
            // Tasks that share a block of rows share its packing too, done once before them.
            boolean sharedRows = left.packed() == null && columnGroups > 1;
            Scratch callers = scratch.get();
            float[] sharedB = sharedPanels ? callers.panelsOfB(blockDepth * count * nr) : null;
            float[] sharedA = sharedRows ? callers.sharedA(ceilDiv(m, mr) * mr * blockDepth) : null;
            for (int k0 = 0; k0 < depth; k0 += blockDepth) {
                Block block = new Block(k0, Math.min(blockDepth, depth - k0), depth, jc, sharedB, sharedA);
                if (sharedPanels) {
                    parallel.forRange(count, 1, (first, end) -> {
                        for (int p = jc + (int) first; p < jc + end; p++) {
                            right.source().pack(p * nr, nr, block.k0, block.kc, sharedB, (p - jc) * block.kc * nr);
                        }
                    });
                }
                if (sharedRows) {
                    parallel.forRange(ceilDiv(m, mr), Math.max(1, PACK_GRAIN / (mr * block.kc)), (first, end) -> {
                        for (int r = (int) first * mr; r < end * mr; r += mr) {
                            left.source().pack(r, mr, block.k0, block.kc, sharedA, r * block.kc);
                        }
                    });
                }
                parallel.forTasks(rowBlocks * columnGroups, task -> {
                    int firstPanel = jc + (task % columnGroups) * panelsPerGroup;
                    int endPanel = Math.min(jc + count, firstPanel + panelsPerGroup);
                    int i0 = (task / columnGroups) * MC;
                    blockTimesPanels(n, left, right, i0, Math.min(MC, m - i0), block, firstPanel, endPanel, c, offC,
                            columns, epilogue);
                });
            }
        }
    }

    /**
     * One block of depths {@code [k0, k0 + kc)} of a product of {@code depth}; {@code sharedB} holds
     * B's panels from panel {@code firstPanel} on when they were packed for all tasks, {@code sharedA}
     * all of A's rows when they were, else they are null.
     */
    private record Block(int k0, int kc, int depth, int firstPanel, float[] sharedB, float[] sharedA) {
    }

    /** Rows [i0, i0 + rows) of op(A) at the block's depths times panels [first, end) of B. */
    private void blockTimesPanels(int n, Panels left, Panels right, int i0, int rows, Block block, int firstPanel,
                                  int endPanel, float[] c, int offC, Columns columns, Epilogue epilogue) {
        int mr = kernel.rows();
        int nr = kernel.columns();
        int kc = block.kc;
        Scratch mine = scratch.get();
        float[] packedA;
        int baseA;
        if (left.packed() != null) {
            packedA = left.packed();
            baseA = left.offset(block.k0, kc, i0);
        } else if (block.sharedA != null) {
            packedA = block.sharedA;
            baseA = i0 * kc;
        } else {
            packedA = mine.panelsOfA(ceilDiv(rows, mr) * mr * kc);
            baseA = 0;
            for (int r = 0; r < rows; r += mr) {
                left.source().pack(i0 + r, mr, block.k0, kc, packedA, r * kc);
            }
        }
        boolean accumulate = block.k0 > 0;
        boolean last = block.k0 + kc >= block.depth;
        int ldc = columns.ldc();
        for (int p = firstPanel; p < endPanel; p++) {
            int j0 = p * nr;
            int cols = Math.min(nr, n - j0);
            float[] packedB;
            int baseB;
            if (right.packed() != null) {
                packedB = right.packed();
                baseB = right.offset(block.k0, kc, j0);
            } else if (block.sharedB != null) {
                packedB = block.sharedB;
                baseB = (p - block.firstPanel) * kc * nr;
            } else {
                packedB = mine.panelOfB(kc * nr);
                baseB = 0;
                right.source().pack(j0, nr, block.k0, kc, packedB, 0);
            }
            kernel.usePanel(packedB, baseB, kc);
            boolean oneGroup = j0 / columns.groupSize() == (j0 + cols - 1) / columns.groupSize();
            for (int r = 0; r < rows; r += mr) {
                int tileRows = Math.min(mr, rows - r);
                int i = i0 + r;
                if (tileRows == mr && cols == nr && oneGroup) {
                    int tile = offC + columns.offset(i, j0);
                    kernel.multiply(kc, packedA, baseA + r * kc, packedB, baseB, c, tile, ldc, accumulate);
                    if (last) {
                        epilogue.apply(c, tile, ldc, i, j0, mr, nr);
                    }
                } else {
                    // A ragged tile, or one spanning two groups, is computed whole in scratch; only its
                    // valid part reaches C.
                    float[] edge = mine.edge(mr * nr);
                    if (accumulate) {
                        moveTile(c, offC, columns, i, j0, tileRows, cols, edge, nr, false);
                    }
                    kernel.multiply(kc, packedA, baseA + r * kc, packedB, baseB, edge, 0, nr, accumulate);
                    if (last) {
                        epilogue.apply(edge, 0, nr, i, j0, tileRows, cols);
                    }
                    moveTile(c, offC, columns, i, j0, tileRows, cols, edge, nr, true);
                }
            }
        }
    }

    /** Adds the bias to the {@code rows x cols} tile at {@code tile}, which holds C's block at {@code (i0, j0)}. */
    private static void addBias(float[] c, int tile, int ldc, int i0, int j0, int rows, int cols,
                                GemmShape.Bias biasMode, float[] bias) {
        if (biasMode == GemmShape.Bias.PER_COLUMN) {
            for (int r = 0; r < rows; r++) {
                int row = tile + r * ldc;
                for (int j = 0; j < cols; j++) {
                    c[row + j] += bias[j0 + j];
                }
            }
        } else if (biasMode == GemmShape.Bias.PER_ROW) {
            for (int r = 0; r < rows; r++) {
                int row = tile + r * ldc;
                float add = bias[i0 + r];
                for (int j = 0; j < cols; j++) {
                    c[row + j] += add;
                }
            }
        }
    }

    /** Copies C's {@code rows x cols} block at {@code (i0, j0)} to the dense tile {@code edge}, or back with {@code toC}. */
    private static void moveTile(float[] c, int offC, Columns columns, int i0, int j0, int rows, int cols,
                                 float[] edge, int edgeStride, boolean toC) {
        for (int j = 0; j < cols; ) {
            // A run of columns inside one group is contiguous in every row of C.
            int run = Math.min(cols - j, columns.groupSize() - (j0 + j) % columns.groupSize());
            for (int r = 0; r < rows; r++) {
                int inC = offC + columns.offset(i0 + r, j0 + j);
                int inEdge = r * edgeStride + j;
                if (toC) {
                    System.arraycopy(edge, inEdge, c, inC, run);
                } else {
                    System.arraycopy(c, inC, edge, inEdge, run);
                }
            }
            j += run;
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** One thread's packing buffers, kept between products so that each call does not allocate (and zero) them. */
    private static final class Scratch {
        private float[] panelsOfA = new float[0];
        private float[] sharedA = new float[0];
        private float[] panelsOfB = new float[0];
        private float[] panelOfB = new float[0];
        private float[] edge = new float[0];

        float[] panelsOfA(int size) {
            if (panelsOfA.length < size) {
                panelsOfA = new float[size];
            }
            return panelsOfA;
        }

        float[] sharedA(int size) {
            if (sharedA.length < size) {
                sharedA = new float[size];
            }
            return sharedA;
        }

        float[] panelsOfB(int size) {
            if (panelsOfB.length < size) {
                panelsOfB = new float[size];
            }
            return panelsOfB;
        }

        float[] panelOfB(int size) {
            if (panelOfB.length < size) {
                panelOfB = new float[size];
            }
            return panelOfB;
        }

        float[] edge(int size) {
            if (edge.length < size) {
                edge = new float[size];
            }
            return edge;
        }
    }
}
