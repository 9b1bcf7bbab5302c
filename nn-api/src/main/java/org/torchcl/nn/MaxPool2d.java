package org.torchcl.nn;

import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * Takes the maximum of each {@code k x k} window of {@code [N, C, H, W]} (or {@code [C, H, W]}), as
 * {@code nn.MaxPool2d(k, s, p)}: stride defaults to the kernel size, zero padding to none, and the output
 * size rounds down. Padding is -inf, so it never wins; NaN propagates.
 */
public final class MaxPool2d extends Pooling {

    /** A {@code k x k} window moving {@code k} at a time. */
    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        super("MaxPool2d", kernelSize, stride, padding);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Torch.maxPool2d(input, kernelSize(), stride(), padding());
    }

    @Override
    protected String extraRepr() {
        return windowRepr() + ", dilation=1, ceil_mode=false";
    }
}
