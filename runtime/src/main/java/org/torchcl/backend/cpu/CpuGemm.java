package org.torchcl.backend.cpu;

import org.torchcl.backend.GemmShape;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.UnaryOp;

/**
 * Single-precision matrix products on the CPU. Implementations are thread-safe.
 */
interface CpuGemm {

    /**
     * {@code c = act(op(a) * op(b) (+ bias))} for every batch entry of {@code s}, as
     * {@link GemmShape} describes. {@code c} is overwritten, never accumulated into.
     */
    void run(GemmShape s, CpuBuffer a, CpuBuffer b, float[] bias, float[] c);

    /**
     * An ungrouped 2-D convolution over contiguous NCHW float32 {@code src}: {@code dst[n] =
     * weight[outChannels, patch] * columns(src[n]) (+ bias per output channel)}, the product im2col
     * and a gemm would compute, then {@code activation} (null: none) on every element.
     */
    void conv2d(Im2colShape s, float[] src, CpuBuffer weight, float[] bias, float[] dst, int outChannels,
                UnaryOp activation);

    /** Drops what was kept about {@code buffer} (a packed copy): it is being freed. */
    void forget(CpuBuffer buffer);
}
