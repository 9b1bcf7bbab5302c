package org.torchcl;

/**
 * A 2-D pooling window: kernel, stride (defaults to the kernel), padding per side, dilation,
 * {@code ceil_mode} and, for average pooling, {@code count_include_pad}, as in PyTorch's pooling
 * layers and ONNX's MaxPool/AveragePool (which need the asymmetric padding).
 *
 * <pre>{@code PoolOptions.of(3).withStride(2).withPadding(1).withCeilMode(true)}</pre>
 */
public record PoolOptions(int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft,
                          int padBottom, int padRight, int dilationH, int dilationW, boolean ceilMode,
                          boolean countIncludePad) {

    public PoolOptions {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("pool: kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x"
                    + strideW + " and dilation " + dilationH + "x" + dilationW + " must be positive");
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("pool: padding (top " + padTop + ", left " + padLeft + ", bottom "
                    + padBottom + ", right " + padRight + ") must not be negative");
        }
    }

    /** A {@code kernel x kernel} window with stride = kernel, no padding, no dilation, floor mode, padding counted. */
    public static PoolOptions of(int kernel) {
        return of(kernel, kernel);
    }

    public static PoolOptions of(int kernelH, int kernelW) {
        return new PoolOptions(kernelH, kernelW, kernelH, kernelW, 0, 0, 0, 0, 1, 1, false, true);
    }

    public PoolOptions withStride(int stride) {
        return withStride(stride, stride);
    }

    public PoolOptions withStride(int h, int w) {
        return new PoolOptions(kernelH, kernelW, h, w, padTop, padLeft, padBottom, padRight, dilationH, dilationW,
                ceilMode, countIncludePad);
    }

    /** The same padding on every side. */
    public PoolOptions withPadding(int padding) {
        return withPadding(padding, padding, padding, padding);
    }

    public PoolOptions withPadding(int top, int left, int bottom, int right) {
        return new PoolOptions(kernelH, kernelW, strideH, strideW, top, left, bottom, right, dilationH, dilationW,
                ceilMode, countIncludePad);
    }

    public PoolOptions withDilation(int dilation) {
        return new PoolOptions(kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight, dilation,
                dilation, ceilMode, countIncludePad);
    }

    public PoolOptions withCeilMode(boolean ceil) {
        return new PoolOptions(kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH,
                dilationW, ceil, countIncludePad);
    }

    public PoolOptions withCountIncludePad(boolean include) {
        return new PoolOptions(kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH,
                dilationW, ceilMode, include);
    }
}
