package org.torchcl.nn;

import org.torchcl.Device;

/**
 * Options of {@link Conv2d} and {@link LazyConv2d}, as {@code nn.Conv2d}'s keyword arguments:
 * stride (default 1), zero padding on each side (default 0) and dilation (default 1), each per
 * dim (height, width); groups (default 1: every output channel sees every input channel; groups =
 * channels is a depthwise convolution); bias (default true); device (default: the default device
 * when the layer is made).
 *
 * <pre>{@code Conv2dOptions.defaults().withStride(2).withPadding(1).withGroups(32).withBias(false)}</pre>
 */
public record Conv2dOptions(int strideH, int strideW, int paddingH, int paddingW, int dilationH, int dilationW,
                            int groups, boolean bias, Device device) {

    public Conv2dOptions {
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("stride must be at least 1, got " + pair(strideH, strideW));
        }
        if (paddingH < 0 || paddingW < 0) {
            throw new IllegalArgumentException("padding must not be negative, got " + pair(paddingH, paddingW));
        }
        if (dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("dilation must be at least 1, got " + pair(dilationH, dilationW));
        }
        if (groups < 1) {
            throw new IllegalArgumentException("groups must be at least 1, got " + groups);
        }
    }

    /** {@code 2} when both dims agree (as the caller most likely wrote it), else {@code (2, 1)}. */
    private static String pair(int h, int w) {
        return h == w ? String.valueOf(h) : "(" + h + ", " + w + ")";
    }

    public static Conv2dOptions defaults() {
        return new Conv2dOptions(1, 1, 0, 0, 1, 1, 1, true, null);
    }

    /** The same stride along height and width. */
    public Conv2dOptions withStride(int value) {
        return withStride(value, value);
    }

    public Conv2dOptions withStride(int h, int w) {
        return new Conv2dOptions(h, w, paddingH, paddingW, dilationH, dilationW, groups, bias, device);
    }

    /** The same zero padding on all four sides. */
    public Conv2dOptions withPadding(int value) {
        return withPadding(value, value);
    }

    /** {@code h} rows above and below, {@code w} columns left and right. */
    public Conv2dOptions withPadding(int h, int w) {
        return new Conv2dOptions(strideH, strideW, h, w, dilationH, dilationW, groups, bias, device);
    }

    /** The same dilation along height and width. */
    public Conv2dOptions withDilation(int value) {
        return withDilation(value, value);
    }

    public Conv2dOptions withDilation(int h, int w) {
        return new Conv2dOptions(strideH, strideW, paddingH, paddingW, h, w, groups, bias, device);
    }

    public Conv2dOptions withGroups(int value) {
        return new Conv2dOptions(strideH, strideW, paddingH, paddingW, dilationH, dilationW, value, bias, device);
    }

    public Conv2dOptions withBias(boolean value) {
        return new Conv2dOptions(strideH, strideW, paddingH, paddingW, dilationH, dilationW, groups, value, device);
    }

    public Conv2dOptions withDevice(Device value) {
        return new Conv2dOptions(strideH, strideW, paddingH, paddingW, dilationH, dilationW, groups, bias, value);
    }

    /** {@code {strideH, strideW}}, as {@link org.torchcl.Torch#conv2d} takes it. */
    public int[] stride() {
        return new int[] {strideH, strideW};
    }

    public int[] padding() {
        return new int[] {paddingH, paddingW};
    }

    public int[] dilation() {
        return new int[] {dilationH, dilationW};
    }
}
