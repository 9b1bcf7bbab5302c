package org.torchcl.nn;

import java.util.Arrays;

/**
 * What {@link MaxPool2d} and {@link AvgPool2d} share: the {@code k x k} window (kernel, stride, padding), its
 * argument checks and the output shape; also the image-shape check {@link AdaptiveAvgPool2d} uses.
 */
abstract class Pooling extends Module {

    private final int kernelSize;
    private final int stride;
    private final int padding;

    Pooling(String layer, int kernelSize, int stride, int padding) {
        checkWindow(layer, kernelSize, stride, padding);
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
    }

    public int kernelSize() {
        return kernelSize;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        return outputShape(this, kernelSize, stride, padding, inputShape);
    }

    /** PyTorch's repr of the window, {@code kernel_size=.., stride=.., padding=..}. */
    String windowRepr() {
        return "kernel_size=" + kernelSize + ", stride=" + stride + ", padding=" + padding;
    }

    /** PyTorch's rules: positive kernel and stride, padding in {@code [0, kernel / 2]}. */
    static void checkWindow(String layer, int kernelSize, int stride, int padding) {
        if (kernelSize < 1 || stride < 1) {
            throw new IllegalArgumentException(layer + ": kernelSize " + kernelSize + " and stride " + stride
                    + " must be at least 1");
        }
        if (padding < 0 || padding > kernelSize / 2) {
            throw new IllegalArgumentException(layer + ": padding " + padding + " must be in [0, kernelSize / 2 = "
                    + kernelSize / 2 + "]");
        }
    }

    /** {@code [N, C, H, W]} (or {@code [C, H, W]}) to the pooled shape, rounding down as PyTorch does by default. */
    static int[] outputShape(Module layer, int kernelSize, int stride, int padding, int[] inputShape) {
        int rank = checkImage(layer, inputShape);
        int[] output = inputShape.clone();
        for (int d = rank - 2; d < rank; d++) {
            int padded = inputShape[d] + 2 * padding;
            if (padded < kernelSize) {
                throw new IllegalArgumentException(describe(layer) + ": input shape " + Arrays.toString(inputShape)
                        + " is smaller than the kernel " + kernelSize + "x" + kernelSize + " even with padding");
            }
            output[d] = (padded - kernelSize) / stride + 1;
        }
        return output;
    }

    /** The rank of an image batch {@code [N, C, H, W]} or image {@code [C, H, W]}, else an error naming the shape. */
    static int checkImage(Module layer, int[] inputShape) {
        if (inputShape.length != 3 && inputShape.length != 4) {
            throw new IllegalArgumentException(describe(layer) + ": input shape " + Arrays.toString(inputShape)
                    + " must be [N, C, H, W] or [C, H, W]");
        }
        return inputShape.length;
    }

    private static String describe(Module layer) {
        return layer.getClass().getSimpleName() + "(" + layer.extraRepr() + ")";
    }
}
