package org.torchcl.nn;

import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * Takes the mean of each {@code k x k} window of {@code [N, C, H, W]} (or {@code [C, H, W]}), as
 * {@code nn.AvgPool2d(k, s, p)}: stride defaults to the kernel size, zero padding to none, and the output
 * size rounds down. Padded zeros count in the mean, PyTorch's default.
 */
public final class AvgPool2d extends Pooling {

    /** A {@code k x k} window moving {@code k} at a time. */
    public AvgPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        super("AvgPool2d", kernelSize, stride, padding);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Torch.avgPool2d(input, kernelSize(), stride(), padding());
    }

    @Override
    protected String extraRepr() {
        return windowRepr() + ", ceil_mode=false, count_include_pad=true";
    }
}
