package org.torchcl.backend;

/**
 * The geometry of a 2-D convolution's patch unfolding: input {@code [batch, channels, height,
 * width]}, a {@code kernelH x kernelW} window whose taps are {@code dilation} apart, moved by the
 * strides over the input zero-padded by {@code padH}/{@code padW} on each side.
 */
public record Im2colShape(int batch, int channels, int height, int width,
                          int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                          int dilationH, int dilationW) {

    public Im2colShape {
        if (batch < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("input dims must be positive: [" + batch + ", " + channels
                    + ", " + height + ", " + width + "]");
        }
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0
                || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("kernel " + kernelH + "x" + kernelW + ", stride " + strideH
                    + "x" + strideW + ", padding " + padH + "x" + padW + ", dilation " + dilationH + "x" + dilationW
                    + ": kernel, stride and dilation must be positive, padding not negative");
        }
        long spanH = (long) dilationH * (kernelH - 1) + 1;
        long spanW = (long) dilationW * (kernelW - 1) + 1;
        if ((long) height + 2L * padH < spanH || (long) width + 2L * padW < spanW) {
            throw new IllegalArgumentException("kernel " + kernelH + "x" + kernelW + " (dilation " + dilationH + "x"
                    + dilationW + ", spanning " + spanH + "x" + spanW + ") is larger than the padded input "
                    + ((long) height + 2L * padH) + "x" + ((long) width + 2L * padW));
        }
        long positions = ((long) height + 2L * padH - spanH) / strideH + 1;
        positions *= ((long) width + 2L * padW - spanW) / strideW + 1;
        long patch = (long) channels * kernelH * kernelW;
        if (positions > Integer.MAX_VALUE || patch > Integer.MAX_VALUE
                || (long) batch * channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input [" + batch + ", " + channels + ", " + height + ", " + width
                    + "] with kernel " + kernelH + "x" + kernelW + " gives " + positions + " output positions and "
                    + patch + " values per patch; each must stay below " + Integer.MAX_VALUE);
        }
    }

    /** Without dilation. */
    public Im2colShape(int batch, int channels, int height, int width,
                       int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
        this(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, 1, 1);
    }

    public int outHeight() {
        return (height + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH + 1;
    }

    public int outWidth() {
        return (width + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW + 1;
    }

    /** Rows of one image's column matrix: {@code channels * kernelH * kernelW}. */
    public int patchSize() {
        return channels * kernelH * kernelW;
    }

    /** Columns of one image's column matrix: {@code outHeight * outWidth}. */
    public int positions() {
        return outHeight() * outWidth();
    }

    /** Elements of the whole column buffer. */
    public long colsElements() {
        return (long) batch * patchSize() * positions();
    }
}
