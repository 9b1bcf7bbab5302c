package org.torchcl.backend.cpu;

import org.torchcl.backend.BinaryOp;
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
    /**
     * Floats of op(A) (4 MiB) up to which A is packed whole before the tasks that share it, when
     * they would otherwise wait for each other at every block of depths.
     */
    private static final int WHOLE_A_FLOATS = 1 << 20;
    /** Floats worth packing on another core: below this a shared packing is done by the caller alone. */
    private static final int PACK_GRAIN = 16384;
    /**
     * How much better tiles must be filled before a convolution computes its output transposed, which
     * costs a pass to transpose it back.
     */
    private static final double TRANSPOSE_GAIN = 1.15;
    /** Channels per pass of the transpose back from C^T. */
    private static final int TRANSPOSE_CHANNELS = 16;
    /**
     * About the share of a convolution's time that copying the images' columns into panels takes
     * (9 % at 512 output channels to 29 % at 64, one core), which reading them in place saves.
     */
    private static final double PACKING_SHARE = 0.15;
    /**
     * Floats of a packed block of B that a core's L2 holds (1 MiB): up to this, tasks split the rows
     * of A finely and each reads all of B's block, rather than splitting B's columns and sharing A.
     */
    private static final int B_BLOCK_IN_L2 = 1 << 18;
    /**
     * Up to this many rows of A, a product against a weight streams the weight as it lies (row dot
     * products); from 5 rows on the packed register tile streams the kept packed copy faster (at 8
     * rows x 4096 x 4096, 117 against 95 GFLOP/s on two cores).
     */
    private static final int FEW_ROWS = 4;
    /** Below this many flops per batch entry, a batch's entries run side by side, one per core. */
    private static final double SMALL_PRODUCT_FLOPS = 8e6;
    /** Runs every loop on the calling thread: for a product that is itself one task. */
    private static final Parallel SERIAL = new Parallel(1);

    private final Parallel parallel;
    private final MicroKernel kernel;
    /** The product of a few rows and a Linear weight, or null to use the packed path for it too. */
    private final FewRows fewRows;
    private final CpuMath math;
    private final PackedWeights weights = new PackedWeights();
    /** Where each depth of a packed panel of B starts: one panel width after the previous. */
    private final int[] packedStarts;
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
        this.packedStarts = new int[KC];
        for (int d = 0; d < KC; d++) {
            packedStarts[d] = d * kernel.columns();
        }
    }

    /**
     * What is applied to each finished tile: the bias (through {@code add}, the vector loop, where
     * the kernels have one), then the activation's loop (null: none); then, for a convolution read
     * in place, its output positions are copied to the image's output.
     */
    private record Epilogue(GemmShape.Bias biasMode, float[] bias, CpuMath.BinaryRun add,
                            CpuElementwise.FloatUnary activation, PaddedImage image, float[] dst, int dstOff) {

        void apply(float[] c, int tile, int ldc, int i0, int j0, int rows, int cols) {
            addBias(c, tile, ldc, i0, j0, rows, cols, biasMode, bias, add);
            if (activation != null) {
                for (int r = 0; r < rows; r++) {
                    int row = tile + r * ldc;
                    activation.apply(c, c, row, row + cols);
                }
            }
            if (image != null) {
                image.copyOut(c, tile, ldc, i0, j0, rows, cols, dst, dstOff);
            }
        }

        Epilogue copyingOut(PaddedImage from, float[] to, int offset) {
            return new Epilogue(biasMode, bias, add, activation, from, to, offset);
        }
    }

    private Epilogue epilogue(GemmShape.Bias biasMode, float[] bias, UnaryOp activation) {
        CpuMath.BinaryRun add = math.binary(BinaryOp.ADD);
        if (activation == null) {
            return new Epilogue(biasMode, bias, add, null, null, null, 0);
        }
        CpuElementwise.FloatUnary fast = math.unary(activation);
        return new Epilogue(biasMode, bias, add, fast != null ? fast : CpuElementwise.floatLoop(activation, 0, 0),
                null, null, 0);
    }

    /** A convolution's epilogue: its bias (if any) per output channel, along {@code channels}. */
    private Epilogue convolutionEpilogue(float[] bias, GemmShape.Bias channels, UnaryOp activation) {
        return epilogue(bias == null ? GemmShape.Bias.NONE : channels, bias, activation);
    }

    /**
     * Where the elements of C lie: {@code (i, j)} at {@code (j / groupSize) * groupStride + i * ldc +
     * j % groupSize}. One group for a plain product; one per image for a convolution, whose output is
     * {@code [images, channels, positions]} with the positions of all images as columns.
     */
    private record Output(int groupSize, int groupStride, int ldc) {

        static Output plain(int n) {
            return new Output(n, 0, n);
        }

        int offset(int i, int j) {
            return j / groupSize * groupStride + i * ldc + j % groupSize;
        }

        /** Whether columns {@code [j0, j0 + cols)} of a block of rows form a plain row-major block of C. */
        boolean isBlock(int j0, int cols) {
            return j0 / groupSize == (j0 + cols - 1) / groupSize;
        }
    }

    @Override
    public void run(GemmShape s, CpuBuffer a, CpuBuffer b, float[] bias, float[] c) {
        if (s.batch() > 1 && parallel.threads() > 1 && s.flops() / s.batch() < SMALL_PRODUCT_FLOPS) {
            // Many small products (attention heads): one per task, each on one core, rather than
            // each product split over the cores, which would cost a hand-out per product.
            parallel.forTasksSharingCaller(s.batch(), batch -> product(s, batch, a, b, bias, c, SERIAL));
            return;
        }
        for (int batch = 0; batch < s.batch(); batch++) {
            product(s, batch, a, b, bias, c, parallel);
        }
    }

    /** Batch entry {@code batch} of {@code s}, split over {@code cores}. */
    private void product(GemmShape s, int batch, CpuBuffer a, CpuBuffer b, float[] bias, float[] c, Parallel cores) {
        int offA = (int) (batch * s.strideA());
        int offB = (int) (batch * s.strideB());
        int offC = (int) (batch * s.strideC());
        if (fewRows != null && s.transB() && !s.transA() && s.m() <= FEW_ROWS) {
            fewRows.run(s, a.floats(), offA, b.floats(), offB, bias, c, offC);
            // A few rows of C: the activation is a pass over data still in cache.
            epilogue(GemmShape.Bias.NONE, null, s.activation()).apply(c, offC, s.n(), 0, 0, s.m(), s.n());
            return;
        }
        PackedOperand columns = PackedOperand.columnsOfB(s, b.floats(), offB);
        Panels right = s.batch() == 1 || s.strideB() == 0
                ? weights.panels(b, columns, kernel.columns(), blockDepth(s.k()))
                : Panels.onDemand(columns, kernel.columns());
        Panels left = Panels.onDemand(PackedOperand.rowsOfA(s, a.floats(), offA), kernel.rows());
        multiply(cores, s.m(), s.n(), s.k(), left, right, c, offC, Output.plain(s.n()),
                epilogue(s.bias(), bias, s.activation()));
    }

    /** The forms of a convolution's product ({@link #conv2d}). */
    enum ConvolutionForm {
        /** The weight times the columns of all images, packed from the images. */
        COLUMNS,
        /** The columns' transpose times the weight's, the positions as rows, then transposed back. */
        TRANSPOSED,
        /** Image by image, the weight times the columns read in place from a padded copy. */
        IN_PLACE
    }

    /**
     * A convolution as the product of its weight ({@code [outChannels, patch]}) and the images'
     * im2col columns, in the form that fills the register tiles best: few positions would fill
     * only part of the last panel of columns, but as rows fill panels of rows.
     */
    @Override
    public void conv2d(Im2colShape s, float[] src, CpuBuffer weight, float[] bias, float[] dst, int outChannels,
                       UnaryOp activation) {
        conv2d(formFor(s, outChannels), s, src, weight, bias, dst, outChannels, activation);
    }

    ConvolutionForm formFor(Im2colShape s, int outChannels) {
        int mr = kernel.rows();
        int nr = kernel.columns();
        int columns = s.batch() * s.positions();
        double filled = tilesFilled(outChannels, mr) * tilesFilled(columns, nr);
        double filledTransposed = tilesFilled(columns, mr) * tilesFilled(outChannels, nr);
        if (tilesFilled(outChannels, mr) * PaddedImage.usefulFraction(s, nr)
                > (1 - PACKING_SHARE) * Math.max(filled, filledTransposed)) {
            return ConvolutionForm.IN_PLACE;
        }
        return filledTransposed > TRANSPOSE_GAIN * filled ? ConvolutionForm.TRANSPOSED : ConvolutionForm.COLUMNS;
    }

    /** {@link #conv2d} in the given form. */
    void conv2d(ConvolutionForm form, Im2colShape s, float[] src, CpuBuffer weight, float[] bias, float[] dst,
                int outChannels, UnaryOp activation) {
        int patch = s.patchSize();
        int positions = s.positions();
        int columns = s.batch() * positions;
        PackedOperand channels = new PackedOperand(weight.floats(), 0, outChannels, patch, 1, patch);
        int mr = kernel.rows();
        int nr = kernel.columns();
        switch (form) {
            case IN_PLACE -> convolveInPlace(s, src, weight, channels, bias, dst, outChannels, activation);
            case TRANSPOSED -> {
                // The rows of C^T are packed from padded copies of the images: one load per line
                // and depth, without ImageColumns' test for the border on narrow images.
                PaddedImage image = new PaddedImage(s, mr);
                Scratch callers = scratch.get();
                float[] padded = callers.paddedImage(image.imageSize() * s.batch());
                pad(image, src, 0, s.batch(), padded);
                float[] transposed = callers.convolutionOutput(columns * outChannels);
                multiply(parallel, columns, outChannels, patch, Panels.onDemand(image.positions(padded), mr),
                        weights.panels(weight, channels, nr, blockDepth(patch)), transposed, 0,
                        Output.plain(outChannels),
                        convolutionEpilogue(bias, GemmShape.Bias.PER_COLUMN, activation));
                transposeImages(transposed, dst, s.batch(), positions, outChannels);
            }
            case COLUMNS -> multiply(parallel, outChannels, columns, patch,
                    weights.panels(weight, channels, mr, blockDepth(patch)),
                    Panels.onDemand(new ImageColumns(src, s), nr), dst, 0,
                    new Output(positions, outChannels * positions, positions),
                    convolutionEpilogue(bias, GemmShape.Bias.PER_ROW, activation));
        }
    }

    /**
     * Image by image: a padded copy of the image, whose columns the kernel reads in place; the
     * product at the padded width goes to scratch, and each finished tile's output positions to dst.
     */
    private void convolveInPlace(Im2colShape s, float[] src, CpuBuffer weight, PackedOperand channels, float[] bias,
                                 float[] dst, int outChannels, UnaryOp activation) {
        int patch = s.patchSize();
        PaddedImage image = new PaddedImage(s, kernel.columns());
        Scratch callers = scratch.get();
        float[] padded = callers.paddedImage(image.length());
        float[] product = callers.convolutionOutput(outChannels * image.columns());
        Panels left = weights.panels(weight, channels, kernel.rows(), blockDepth(patch));
        Panels right = Panels.inPlace(padded, image.starts(), kernel.columns());
        Epilogue epilogue = convolutionEpilogue(bias, GemmShape.Bias.PER_ROW, activation);
        for (int n = 0; n < s.batch(); n++) {
            pad(image, src, n, 1, padded);
            multiply(parallel, outChannels, image.columns(), patch, left, right, product, 0,
                    Output.plain(image.columns()), epilogue.copyingOut(image, dst, n * outChannels * s.positions()));
        }
    }

    /** Images {@code [first, first + count)} of {@code src} padded into {@code padded}, one after the other, over the cores. */
    private void pad(PaddedImage image, float[] src, int first, int count, float[] padded) {
        int channels = image.channels();
        parallel.forRange((long) count * channels, Math.max(1, PACK_GRAIN / image.inputPlane()), (from, end) -> {
            for (long line = from; line < end; line++) {
                int n = (int) (line / channels);
                int channel = (int) (line % channels);
                image.copy(src, first + n, channel, channel + 1, padded, n * image.imageSize());
            }
        });
    }

    /**
     * {@code dst[n, channel, position]} from {@code transposed[n * positions + position, channel]},
     * {@value #TRANSPOSE_CHANNELS} channels at a time: each position's run of them is read whole,
     * and the as many rows of dst they are written to stay in L1 until they are full.
     */
    private void transposeImages(float[] transposed, float[] dst, int images, int positions, int outChannels) {
        int blocks = ceilDiv(outChannels, TRANSPOSE_CHANNELS);
        parallel.forRange((long) images * blocks, Math.max(1, PACK_GRAIN / (positions * TRANSPOSE_CHANNELS)),
                (first, end) -> {
                    for (long task = first; task < end; task++) {
                        int n = (int) (task / blocks);
                        int from = (int) (task % blocks) * TRANSPOSE_CHANNELS;
                        int to = Math.min(outChannels, from + TRANSPOSE_CHANNELS);
                        int image = n * positions * outChannels;
                        for (int p = 0; p < positions; p++) {
                            int row = image + p * outChannels;
                            for (int channel = from; channel < to; channel++) {
                                dst[image + channel * positions + p] = transposed[row + channel];
                            }
                        }
                    }
                });
    }

    /** The fraction of tiles of {@code width} lines that {@code lines} lines fill. */
    private static double tilesFilled(int lines, int width) {
        return (double) lines / (ceilDiv(lines, width) * width);
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

    private void multiply(Parallel cores, int m, int n, int depth, Panels left, Panels right, float[] c, int offC,
                          Output output, Epilogue epilogue) {
        int mr = kernel.rows();
        int nr = kernel.columns();
        int blockDepth = blockDepth(depth);
        int panels = ceilDiv(n, nr);
        int wantedTasks = cores.threads() == 1 ? 1 : cores.threads() * TASKS_PER_THREAD;
        int rowBlock = MC;
        if (right.packed() != null && left.packed() == null && ceilDiv(m, MC) < wantedTasks
                && (long) blockDepth * n <= B_BLOCK_IN_L2) {
            // B is packed already and small: thinner blocks of rows give every core work, and no
            // task packs rows that another task packs too.
            rowBlock = Math.max(mr, ceilDiv(ceilDiv(m, wantedTasks), mr) * mr);
        }
        if (right.inPlaceStarts() != null) {
            // A convolution read in place: blocks of channels share the image and write apart,
            // where neighbouring groups of columns write into the same output rows. Two per core
            // (64 channels at 56x56: 183 against 175 GFLOP/s, and no runs at 130).
            rowBlock = Math.min(MC, Math.max(mr, ceilDiv(ceilDiv(m, 2 * cores.threads()), mr) * mr));
        }
        int rowBlocks = ceilDiv(m, rowBlock);
        int rows = rowBlock;
        // B packed on demand by several blocks of rows is packed once per block of columns, shared;
        // with one block of rows each task packs the panel it is about to use, still in cache then.
        boolean sharedPanels = right.packed() == null && rowBlocks > 1;
        int blockPanels = sharedPanels ? NC_PANELS : panels;
        for (int firstOfBlock = 0; firstOfBlock < panels; firstOfBlock += blockPanels) {
            int jc = firstOfBlock;
            int count = Math.min(blockPanels, panels - jc);
            // Split the columns too when there are too few row blocks to keep every core busy.
            int panelsPerGroup = ceilDiv(count, Math.min(count, ceilDiv(wantedTasks, rowBlocks)));
            int columnGroups = ceilDiv(count, panelsPerGroup);
            // Tasks that share a block of rows share its packing too, done once before them.
            boolean sharedRows = left.packed() == null && columnGroups > 1;
            // Rather than all tasks waiting for each block's packing, all of A at once.
            boolean wholeA = sharedRows && !sharedPanels && depth > blockDepth
                    && (long) ceilDiv(m, mr) * mr * depth <= WHOLE_A_FLOATS;
            Panels leftPanels = wholeA ? Panels.packAll(left.source(), mr, blockDepth,
                    scratch.get().sharedA(Panels.packedSize(left.source(), mr)), cores) : left;
            if (!sharedPanels && (!sharedRows || wholeA)) {
                // Nothing is packed for several tasks, so no task waits for another between blocks of
                // depths: each runs all of them, its tiles of C still in cache from the previous one.
                cores.forTasksSharingCaller(rowBlocks * columnGroups, task -> {
                    int firstPanel = jc + (task % columnGroups) * panelsPerGroup;
                    int endPanel = Math.min(jc + count, firstPanel + panelsPerGroup);
                    int i0 = (task / columnGroups) * rows;
                    for (int k0 = 0; k0 < depth; k0 += blockDepth) {
                        Block block = new Block(k0, Math.min(blockDepth, depth - k0), depth, jc, null, null);
                        blockTimesPanels(n, leftPanels, right, i0, Math.min(rows, m - i0), block, firstPanel, endPanel, c,
                                offC, output, epilogue);
                    }
                });
                continue;
            }
            Scratch callers = scratch.get();
            float[] sharedB = sharedPanels ? callers.panelsOfB(blockDepth * count * nr) : null;
            float[] sharedA = sharedRows ? callers.sharedA(ceilDiv(m, mr) * mr * blockDepth) : null;
            for (int k0 = 0; k0 < depth; k0 += blockDepth) {
                Block block = new Block(k0, Math.min(blockDepth, depth - k0), depth, jc, sharedB, sharedA);
                if (sharedPanels) {
                    cores.forRange(count, 1, (first, end) -> {
                        for (int p = jc + (int) first; p < jc + end; p++) {
                            right.source().pack(p * nr, nr, block.k0, block.kc, sharedB, (p - jc) * block.kc * nr);
                        }
                    });
                }
                if (sharedRows) {
                    cores.forRange(ceilDiv(m, mr), Math.max(1, PACK_GRAIN / (mr * block.kc)), (first, end) -> {
                        for (int r = (int) first * mr; r < end * mr; r += mr) {
                            left.source().pack(r, mr, block.k0, block.kc, sharedA, r * block.kc);
                        }
                    });
                }
                cores.forTasksSharingCaller(rowBlocks * columnGroups, task -> {
                    int firstPanel = jc + (task % columnGroups) * panelsPerGroup;
                    int endPanel = Math.min(jc + count, firstPanel + panelsPerGroup);
                    int i0 = (task / columnGroups) * rows;
                    blockTimesPanels(n, left, right, i0, Math.min(rows, m - i0), block, firstPanel, endPanel, c, offC,
                            output, epilogue);
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
                                  int endPanel, float[] c, int offC, Output output, Epilogue epilogue) {
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
        int ldc = output.ldc();
        for (int p = firstPanel; p < endPanel; p++) {
            int j0 = p * nr;
            int cols = Math.min(nr, n - j0);
            float[] packedB;
            int baseB;
            int[] starts = packedStarts;
            int startsOff = 0;
            if (right.packed() != null) {
                packedB = right.packed();
                baseB = right.offset(block.k0, kc, j0);
                if (right.inPlaceStarts() != null) {
                    starts = right.inPlaceStarts();
                    startsOff = block.k0;
                }
            } else if (block.sharedB != null) {
                packedB = block.sharedB;
                baseB = (p - block.firstPanel) * kc * nr;
            } else {
                packedB = mine.panelOfB(kc * nr);
                baseB = 0;
                right.source().pack(j0, nr, block.k0, kc, packedB, 0);
            }
            kernel.usePanel(packedB, baseB, starts, startsOff, kc);
            boolean direct = output.isBlock(j0, cols);
            for (int r = 0; r < rows; r += mr) {
                int tileRows = Math.min(mr, rows - r);
                int i = i0 + r;
                if (tileRows == mr && cols == nr && direct) {
                    int tile = offC + output.offset(i, j0);
                    kernel.multiply(kc, packedA, baseA + r * kc, packedB, baseB, starts, startsOff, c, tile, ldc, accumulate);
                    if (last) {
                        epilogue.apply(c, tile, ldc, i, j0, mr, nr);
                    }
                } else {
                    // A ragged tile or one spanning two groups is computed whole in scratch;
                    // only its valid part reaches C.
                    float[] edge = mine.edge(mr * nr);
                    if (accumulate) {
                        moveTile(c, offC, output, i, j0, tileRows, cols, edge, nr, false);
                    }
                    kernel.multiply(kc, packedA, baseA + r * kc, packedB, baseB, starts, startsOff, edge, 0, nr, accumulate);
                    if (last) {
                        epilogue.apply(edge, 0, nr, i, j0, tileRows, cols);
                    }
                    moveTile(c, offC, output, i, j0, tileRows, cols, edge, nr, true);
                }
            }
        }
    }

    /**
     * Adds the bias to the {@code rows x cols} tile at {@code tile}, which holds C's block at
     * {@code (i0, j0)}: row by row through {@code add} (the kernels' vector loop, reading the bias at
     * step 1 or 0), or in plain loops where the kernels have none.
     */
    private static void addBias(float[] c, int tile, int ldc, int i0, int j0, int rows, int cols,
                                GemmShape.Bias biasMode, float[] bias, CpuMath.BinaryRun add) {
        if (biasMode == GemmShape.Bias.NONE) {
            return;
        }
        boolean perColumn = biasMode == GemmShape.Bias.PER_COLUMN;
        for (int r = 0; r < rows; r++) {
            int row = tile + r * ldc;
            int at = perColumn ? j0 : i0 + r;
            int step = perColumn ? 1 : 0;
            if (add != null) {
                add.apply(c, row, 1, bias, at, step, c, row, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    c[row + j] += bias[at + j * step];
                }
            }
        }
    }

    /** Copies C's {@code rows x cols} block at {@code (i0, j0)} to the dense tile {@code edge}, or back with {@code toC}. */
    private static void moveTile(float[] c, int offC, Output output, int i0, int j0, int rows, int cols,
                                 float[] edge, int edgeStride, boolean toC) {
        for (int j = 0; j < cols; ) {
            // A run of columns inside one group is contiguous in every row of C.
            int run = Math.min(cols - j, output.groupSize() - (j0 + j) % output.groupSize());
            for (int r = 0; r < rows; r++) {
                int inC = offC + output.offset(i0 + r, j0 + j);
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
        private float[] paddedImage = new float[0];
        private float[] convolutionOutput = new float[0];

        float[] panelsOfA(int size) {
            panelsOfA = atLeast(panelsOfA, size);
            return panelsOfA;
        }

        float[] sharedA(int size) {
            sharedA = atLeast(sharedA, size);
            return sharedA;
        }

        float[] panelsOfB(int size) {
            panelsOfB = atLeast(panelsOfB, size);
            return panelsOfB;
        }

        float[] panelOfB(int size) {
            panelOfB = atLeast(panelOfB, size);
            return panelOfB;
        }

        float[] paddedImage(int size) {
            paddedImage = atLeast(paddedImage, size);
            return paddedImage;
        }

        float[] convolutionOutput(int size) {
            convolutionOutput = atLeast(convolutionOutput, size);
            return convolutionOutput;
        }

        /** {@code array} when it holds {@code size} floats, else a new array that does. */
        private static float[] atLeast(float[] array, int size) {
            return array.length < size ? new float[size] : array;
        }

        float[] edge(int size) {
            edge = atLeast(edge, size);
            return edge;
        }
    }
}
