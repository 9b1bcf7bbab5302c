package org.torchcl.nn;

import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * Averages {@code [N, C, H, W]} (or {@code [C, H, W]}) down to a fixed {@code outH x outW} whatever
 * the input size, with PyTorch's adaptive windows, as {@code nn.AdaptiveAvgPool2d}: {@code (1, 1)}
 * is the global average pool in front of a CNN's classifier.
 */
public final class AdaptiveAvgPool2d extends Module {

    private final int outH;
    private final int outW;

    /** A square {@code outputSize x outputSize} output. */
    public AdaptiveAvgPool2d(int outputSize) {
        this(outputSize, outputSize);
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size " + outH + "x" + outW
                    + " must be at least 1x1");
        }
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Torch.adaptiveAvgPool2d(input, outH, outW);
    }

    /** {@code {outH, outW}}. */
    public int[] outputSize() {
        return new int[] {outH, outW};
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        int rank = Pooling.checkImage(this, inputShape);
        int[] output = inputShape.clone();
        output[rank - 2] = outH;
        output[rank - 1] = outW;
        return output;
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + (outH == outW ? String.valueOf(outH) : "(" + outH + ", " + outW + ")");
    }
}
