package org.torchcl.nn;

import org.torchcl.Device;

/**
 * Options of {@link Conv2d}: stride (default 1), zero padding on each side (default 0), bias
 * (default true) and device (default: the default device when the layer is made).
 */
public record Conv2dOptions(int stride, int padding, boolean bias, Device device) {

    public Conv2dOptions {
        if (stride < 1) {
            throw new IllegalArgumentException("stride must be at least 1, got " + stride);
        }
        if (padding < 0) {
            throw new IllegalArgumentException("padding must not be negative, got " + padding);
        }
    }

    public static Conv2dOptions defaults() {
        return new Conv2dOptions(1, 0, true, null);
    }

    public Conv2dOptions withStride(int value) {
        return new Conv2dOptions(value, padding, bias, device);
    }

    public Conv2dOptions withPadding(int value) {
        return new Conv2dOptions(stride, value, bias, device);
    }

    public Conv2dOptions withBias(boolean value) {
        return new Conv2dOptions(stride, padding, value, device);
    }

    public Conv2dOptions withDevice(Device value) {
        return new Conv2dOptions(stride, padding, bias, value);
    }
}
