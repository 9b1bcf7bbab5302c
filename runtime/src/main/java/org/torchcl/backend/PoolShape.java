package org.torchcl.backend;

/**
 * A 2-D pooling window over {@code [planes, height, width]} (planes = batch x channels), giving
 * {@code [planes, outHeight, outWidth]}. Output cell {@code (oh, ow)} covers input rows
 * {@code oh * strideH - padTop + i * dilationH} for {@code i < kernelH}, likewise for columns;
 * taps outside the input are skipped. For {@link Mode#ADAPTIVE_AVG} the window of cell
 * {@code oh} is rows {@code [floor(oh * H / OH), ceil((oh + 1) * H / OH))} and the kernel, stride,
 * padding and dilation fields are unused. {@code Torch} computes the output size (ceil mode
 * included) and checks every field.
 */
public record PoolShape(Mode mode, int planes, int height, int width, int outHeight, int outWidth,
                        int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft,
                        int padBottom, int padRight, int dilationH, int dilationW) {

    /** What a window computes. */
    public enum Mode {
        /** The largest tap; NaN wins. */
        MAX,
        /** The mean over the window including padding taps (but not taps past the padded input, as in PyTorch). */
        AVG_INCLUDE_PAD,
        /** The mean over the taps inside the input. */
        AVG_EXCLUDE_PAD,
        /** {@code adaptive_avg_pool2d}'s windows. */
        ADAPTIVE_AVG
    }

    public long outputElements() {
        return (long) planes * outHeight * outWidth;
    }
}
